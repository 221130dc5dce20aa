# %% [markdown]
# # 14 · Convolution and pooling, and a LeNet-style CNN
#
# **What this notebook shows.**
# 1. The notes' 1-D example, $(0,0,0,0,1,2,3,4,4,4,4) \ast (-1, 1) = (0,0,0,1,1,1,1,0,0,0)$: by hand with
#    $(x \ast u)_i = \sum_b x_{i+b}\,u_b$ and with `F.conv1d` — a detector of where the signal changes. Output length $M - k + 1$.
# 2. 2-D convolution over several channels, $(x \ast u)_{i,j} = \sum_c \sum_n \sum_m x_{c,n+i,m+j}\,u_{c,n,m}$, by hand vs `F.conv2d`.
# 3. Output sizes with **stride** and **zero padding**: $\lfloor (H + 2p - h)/s \rfloor + 1$, checked against the layer.
# 4. **Max and average pooling**, and where max pooling sends the gradient.
# 5. **Translation equivariance**: shifting the image shifts the feature map (parameter sharing); pooling adds a
#    little invariance.
# 6. A **LeNet-style CNN** on the real 8×8 handwritten digits: its graph, its training curves, its learnt filters and
#    feature maps, its test accuracy.

# %%
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import display, Image
import autograd as ag
import nn
import nn.plots
import nn.train
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. The notes' 1-D example

# %%
x = np.array([0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4], dtype=np.float32)
u = np.array([-1, 1], dtype=np.float32)
M, k = len(x), len(u)
by_hand = np.array([sum(x[i + b] * u[b] for b in range(k)) for i in range(M - k + 1)])
layer = F.conv1d(ag.tensor(x).reshape(1, 1, M), ag.tensor(u).reshape(1, 1, k)).numpy().ravel()
print("by hand  :", by_hand, "  length", len(by_hand), "= M - k + 1")
print("F.conv1d :", layer)
assert np.array_equal(by_hand, [0, 0, 0, 1, 1, 1, 1, 0, 0, 0]) and np.array_equal(layer, by_hand)

fig, axes = plt.subplots(1, 2, figsize=(10, 2.6), sharey=True)
axes[0].stem(x); axes[0].set_title("signal x", fontsize=10)
axes[1].stem(layer, linefmt="C1-", markerfmt="C1o"); axes[1].set_title("x conv (-1, 1): 1 where the signal rises", fontsize=10)
for ax in axes: ax.set_xlabel("position i")
plt.tight_layout(); plt.show()

# %% [markdown]
# (Like every deep-learning library, `conv` does not flip the kernel — mathematically it is a cross-correlation,
# exactly the notes' formula.)
#
# ## 2. Two dimensions, several channels
#
# One kernel spans **all** input channels and produces **one** output map; $C_{out}$ kernels give $C_{out}$ maps.

# %%
C, H, W, h, w = 3, 5, 6, 3, 3
xi = ag.randn(C, H, W).numpy()
ui = ag.randn(C, h, w).numpy()
manual = np.zeros((H - h + 1, W - w + 1), dtype=np.float32)
for i in range(H - h + 1):
    for j in range(W - w + 1):
        manual[i, j] = sum(xi[c, n + i, m + j] * ui[c, n, m] for c in range(C) for n in range(h) for m in range(w))
lib = F.conv2d(ag.tensor(xi)[None], ag.tensor(ui)[None]).numpy()[0, 0]
print("output shape", lib.shape, "= (H-h+1, W-w+1) =", (H - h + 1, W - w + 1))
print("max |by hand − F.conv2d| =", np.abs(manual - lib).max())
assert np.allclose(manual, lib, atol=1e-5)

# %% [markdown]
# ## 3. Stride and padding

# %%
print(f"{'H':>3}{'kernel':>8}{'stride':>8}{'padding':>9}{'formula':>9}{'nn.Conv2d':>11}")
for H_, k_, s_, p_ in [(8, 3, 1, 0), (8, 3, 1, 1), (8, 3, 2, 0), (8, 3, 2, 1), (8, 5, 1, 2), (28, 5, 1, 0), (32, 7, 2, 3)]:
    conv = nn.Conv2d(1, 1, kernel_size=k_, stride=s_, padding=p_)
    out_shape = conv(ag.zeros(1, 1, H_, H_)).shape
    formula = (H_ + 2 * p_ - k_) // s_ + 1
    assert out_shape[-1] == formula
    print(f"{H_:>3}{k_:>8}{s_:>8}{p_:>9}{formula:>9}{out_shape[-1]:>11}")

# %% [markdown]
# Padding $p = (k-1)/2$ with stride 1 keeps the size ("same" convolution); stride 2 halves it.
#
# **Parameters are shared.** The notes: "Parameters are *shared* by each neuron producing an output in the activation
# map — Dramatically reduces number of weights needed to produce an activation map. Data: $256 \times 256 \times 3$
# RGB image; Kernel: $3 \times 3 \times 3 \rightarrow 27$ weights; Fully connected layer: $256 \times 256 \times 3$
# inputs $\rightarrow 256 \times 256 \times 3$ outputs $\rightarrow O(10^{10})$ weights."

# %%
conv = nn.Conv2d(3, 1, kernel_size=3, bias=False)               # one 3x3 kernel over 3 channels
n_fc = (256 * 256 * 3) ** 2                                     # nn.Linear(196608, 196608).weight, not allocated
print(f"conv kernel 3x3x3: {conv.weight.numel()} weights, for every one of the {254 * 254} output positions")
print(f"fully connected 256*256*3 -> 256*256*3: {n_fc:.3g} weights ({n_fc * 4 / 1e9:.0f} GB in float32)")
assert conv.weight.numel() == 27 and 1e10 < n_fc < 1e11

# %% [markdown]
# **A crude template matcher** (the notes: convolution can implement differential operators "or crude 'template
# matcher'"). Use a patch of the image itself as the kernel: the output is largest where the image looks most like
# the template. Below, the kernel is a 4×4 patch cut out of one digit placed in a 16×16 scene with three other digits;
# the (normalised) response peaks exactly where the patch came from — at any location, since the kernel slides
# everywhere.

# %%
X_img, y_img = nn.datasets.digits(images=True)
scene = np.zeros((16, 16), np.float32)
for (r, c), i in zip([(0, 0), (0, 8), (8, 0), (8, 8)], [0, 1, 2, 3]):      # digits 0, 1, 2, 3
    scene[r:r + 8, c:c + 8] = X_img[i, 0]
template = scene[9:13, 10:14].copy()                                      # a piece of the "3"
t = template - template.mean()
resp = F.conv2d(ag.tensor(scene)[None, None], ag.tensor(t)[None, None]).numpy()[0, 0]      # (13, 13)
energy = F.conv2d(ag.tensor(scene ** 2)[None, None], ag.ones(1, 1, 4, 4)).numpy()[0, 0]    # |patch|^2 per window
score = resp / np.sqrt(energy + 1e-3)                                     # cosine-like: not fooled by bright areas
peak = np.unravel_index(score.argmax(), score.shape)
print("best match at", tuple(int(v) for v in peak), "— the template was cut at (9, 10)")
assert tuple(peak) == (9, 10)
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
axes[0].imshow(scene, cmap="gray_r"); axes[0].add_patch(plt.Rectangle((9.5, 8.5), 4, 4, fill=False, color="r"))
axes[0].set_title("scene (template cut from the red box)", fontsize=9)
axes[1].imshow(template, cmap="gray_r"); axes[1].set_title("kernel = template (4x4)", fontsize=9)
axes[2].imshow(score, cmap="viridis"); axes[2].plot(peak[1], peak[0], "r+", ms=14)
axes[2].set_title("normalised response: peak = match", fontsize=9)
for ax in axes: ax.set_xticks([]); ax.set_yticks([])
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 4. Pooling

# %%
a = ag.tensor([[1., 3., 2., 0.], [4., 2., 1., 1.], [0., 1., 5., 6.], [2., 2., 7., 1.]], requires_grad=True)
mx = F.max_pool2d(a[None, None], 2)
av = F.avg_pool2d(a[None, None], 2)
print("input:\n", a.numpy())
print("max pool 2x2:\n", mx.numpy()[0, 0], "\naverage pool 2x2:\n", av.numpy()[0, 0])
mx.sum().backward()
print("gradient of sum(max pool) w.r.t. the input — 1 only where each window's maximum was:\n", a.grad.numpy())

# %% [markdown]
# ## 5. Translation equivariance
#
# The notes (002) call this **inductive bias** — "Knowledge about the problem" moved "from feature engineering to
# model design": "When the structure of data includes 'invariance to translation', a representation meaningful at a
# certain location can / should be used everywhere", and "Convolutional layers build on this idea". Here is what that
# buys.
#
# The same kernel slides over every position (*parameter sharing*), so moving the input moves the output by the same
# amount. A vertical-edge kernel on a digit, and on the digit shifted two pixels right:

# %%
digit = X_img[0:1]                                      # (1, 1, 8, 8)
shifted = np.roll(digit, 2, axis=-1); shifted[..., :2] = 0
edge = ag.tensor([[[[1., 0., -1.], [2., 0., -2.], [1., 0., -1.]]]])     # a Sobel filter
fmap = F.conv2d(ag.tensor(digit), edge, padding=1).numpy()[0, 0]
fmap_s = F.conv2d(ag.tensor(shifted), edge, padding=1).numpy()[0, 0]
print("shift the map of the original by 2 == map of the shifted image (away from the border):",
      np.allclose(np.roll(fmap, 2, axis=-1)[:, 3:-1], fmap_s[:, 3:-1]))
pool, pool_s = (F.max_pool2d(ag.tensor(m)[None, None], 2).numpy()[0, 0] for m in (fmap, fmap_s))

fig, axes = plt.subplots(2, 3, figsize=(8, 5.2))
for row, (img, fm, pl, name) in enumerate([(digit, fmap, pool, "original"), (shifted, fmap_s, pool_s, "shifted 2 px right")]):
    axes[row, 0].imshow(img[0, 0], cmap="gray_r"); axes[row, 0].set_title(f"{name}", fontsize=9)
    axes[row, 1].imshow(fm, cmap="coolwarm", vmin=-3, vmax=3); axes[row, 1].set_title("vertical-edge feature map", fontsize=9)
    axes[row, 2].imshow(pl, cmap="coolwarm", vmin=-3, vmax=3); axes[row, 2].set_title("after 2x2 max pooling", fontsize=9)
for ax in axes.ravel(): ax.set_xticks([]); ax.set_yticks([])
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 6. A LeNet-style CNN on the digits
#
# conv 3×3 (16 maps) → ReLU → max-pool 2 → conv 3×3 (32 maps) → ReLU → max-pool 2 → 64 hidden units → 10 classes.
# First, its computational graph collapsed to one box per layer (`ag.viz.draw(..., model=model, depth=1)`):

# %%
# three sets (notebook 19): train on one, watch training on the validation set, measure once on the test set
Xtr, Xval, Xte, ytr, yval, yte = nn.datasets.train_val_test_split(X_img, y_img, val_size=0.15, test_size=0.25,
                                                                  seed=0, stratify=True)
train_loader = nn.data.DataLoader(nn.data.TensorDataset(Xtr, ytr), batch_size=32, shuffle=True, seed=0)
val_loader = nn.data.DataLoader(nn.data.TensorDataset(Xval, yval), batch_size=256)

ag.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 16 x 4 x 4
    nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 32 x 2 x 2
    nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, 10))
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))
images = ag.tensor(Xtr[:4], requires_grad=True)   # requires_grad only so the drawing starts at the real input
g = ag.viz.draw(model(images), model=model, depth=1, rankdir="TB", names={images: "4 input images"})
g.attr(dpi="70")
display(Image(g.pipe(format="png")))

# %% [markdown]
# Training with `nn.train.fit` (Adam with a cosine learning-rate schedule, 30 epochs of mini-batches of 32; the
# progress bar shows loss and accuracy). The curves are watched on a **validation** set (15% of the digits); the test
# set (25%) is not touched until the single measurement below — choosing anything on it would make it a second
# validation set and its score optimistic, the leak the notes' train/valid/test separation prevents.

# %%
opt = optim.Adam(model.parameters(), lr=3e-3)
schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30)
history = nn.train.fit(model, nn.CrossEntropyLoss(), opt, train_loader, epochs=30, val_loader=val_loader,
                       scheduler=schedule, desc="LeNet-style CNN")
print(history)                                   # the bar is live-only; this line survives in saved notebooks
fig = nn.plots.plot_history(history, title="LeNet-style CNN on the 8x8 digits")
plt.show()

# %%
model.eval()
with ag.no_grad():
    pred = model(ag.tensor(Xte)).numpy().argmax(1)
acc = (pred == yte).mean()
print(f"test accuracy: {acc:.1%} on {len(yte)} digits never seen in training")
confusion = np.zeros((10, 10), int)
np.add.at(confusion, (yte, pred), 1)

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1, 1.1]})
axes[0].imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            axes[0].text(j, i, confusion[i, j], ha="center", va="center", fontsize=7,
                         color="w" if confusion[i, j] > 20 else "k")
axes[0].set_xlabel("predicted"); axes[0].set_ylabel("true"); axes[0].set_xticks(range(10)); axes[0].set_yticks(range(10))
axes[0].set_title(f"confusion matrix (test accuracy {acc:.1%})", fontsize=10)
wrong = np.where(pred != yte)[0][:8]
axes[1].set_axis_off(); axes[1].set_title("some mistakes (true → predicted)", fontsize=10)
for n, i in enumerate(wrong):
    sub = axes[1].inset_axes([(n % 4) * 0.25, 0.5 - (n // 4) * 0.5, 0.22, 0.42])
    sub.imshow(Xte[i, 0], cmap="gray_r"); sub.set_xticks([]); sub.set_yticks([])
    sub.set_title(f"{yte[i]} → {pred[i]}", fontsize=9)
plt.tight_layout(); plt.show()

# %% [markdown]
# What the first layer learnt — six of its sixteen 3×3 filters — and the feature maps they produce for one test digit:

# %%
filters = model[0].weight.numpy()[:6, 0]                 # (6, 3, 3): the first six filters
with ag.no_grad():
    maps = F.relu(model[0](ag.tensor(Xte[:1]))).numpy()[0]   # (6, 8, 8)
fig, axes = plt.subplots(2, 7, figsize=(11, 3.4))
axes[0, 0].imshow(Xte[0, 0], cmap="gray_r"); axes[0, 0].set_title(f"input ({yte[0]})", fontsize=8)
axes[1, 0].set_axis_off()
for c in range(6):
    v = np.abs(filters[c]).max()
    axes[0, c + 1].imshow(filters[c], cmap="coolwarm", vmin=-v, vmax=v); axes[0, c + 1].set_title(f"filter {c + 1}", fontsize=8)
    axes[1, c + 1].imshow(maps[c], cmap="viridis"); axes[1, c + 1].set_title(f"map {c + 1}", fontsize=8)
for ax in axes.ravel(): ax.set_xticks([]); ax.set_yticks([])
plt.tight_layout(); plt.show()

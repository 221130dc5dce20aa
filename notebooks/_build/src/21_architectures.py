# %% [markdown]
# # 21 · Architectures: AlexNet, GoogLeNet and ResNet ideas at digit scale, and what deeper layers see
#
# The notes (002) follow LeNet with the networks that made convolutional nets deep — "AlexNet (Krizhevsky et al,
# 2012)", "GoogLeNet (Szegedy et al, 2014)", "ResNet (He et al, 2015)" — and say how they grew:
#
# > To go deeper, architectures become much more complex
# > - Multiple convolutions in parallel and recombined
# > - Skip connections
#
# and, with Zeiler & Fergus's pictures, that a trained network is a "Hierarchical Composition of Features".
# ImageNet does not fit in a notebook that runs in a minute, so the ideas are shown on the 8×8 digits.
#
# **What this notebook shows.**
# 1. An **Inception block** (GoogLeNet): 1×1, 3×3 and 5×5 convolutions and a pooling branch **in parallel**, their
#    maps **concatenated** along the channel axis (`ag.cat(..., dim=1)`), with 1×1 "bottleneck" convolutions that
#    make the wide kernels cheap — parameter counts against one plain 5×5 convolution.
# 2. A reusable **residual block** module (ResNet): conv–BN–ReLU–conv–BN plus the input, with a 1×1 projection on
#    the shortcut when the shape changes.
# 3. Three small networks in the spirit of **AlexNet** (stacked conv–ReLU–pool, a wide fully connected head with
#    dropout), **GoogLeNet** (Inception blocks, global average pooling) and **ResNet** (residual blocks), trained with
#    early stopping on a validation set and measured once on the test set: one table.
# 4. **Feature maps of the deeper layers** of a trained network (not only the first), and for a few deep channels the
#    test digits that excite them most (Zeiler & Fergus's way of looking at a unit).
# 5. **Benefits of depth**: the same convolutional block stacked 1 to 4 times, test accuracy against depth.
#
# These blocks are defined here, in the notebook, as `nn.Module` subclasses. PyTorch has no `torch.nn.Inception` or
# `torch.nn.ResidualBlock` either (torchvision keeps `BasicBlock` and `Inception` inside its model files): a block is
# a design choice of one architecture, and writing one is the lesson.

# %%
import time
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import display, Image
import autograd as ag
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})
n_par = lambda m: sum(p.numel() for p in m.parameters())

# %% [markdown]
# ## 1. An Inception block: convolutions in parallel, recombined

# %%
class Inception(nn.Module):
    """GoogLeNet's block: four branches on the same input, concatenated along channels.

    1x1 conv | 1x1 conv -> 3x3 conv | 1x1 conv -> 5x5 conv | 3x3 max-pool -> 1x1 conv, each followed by ReLU.
    Padding keeps H x W, so the outputs can be stacked: out channels = c1 + c3 + c5 + cp.
    """
    def __init__(self, in_ch, c1, c3_reduce, c3, c5_reduce, c5, cp):
        super().__init__()
        self.b1 = nn.Sequential(nn.Conv2d(in_ch, c1, 1), nn.ReLU())
        self.b3 = nn.Sequential(nn.Conv2d(in_ch, c3_reduce, 1), nn.ReLU(), nn.Conv2d(c3_reduce, c3, 3, padding=1), nn.ReLU())
        self.b5 = nn.Sequential(nn.Conv2d(in_ch, c5_reduce, 1), nn.ReLU(), nn.Conv2d(c5_reduce, c5, 5, padding=2), nn.ReLU())
        self.bp = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(in_ch, cp, 1), nn.ReLU())
    def forward(self, x):
        return ag.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], dim=1)

block = Inception(32, c1=16, c3_reduce=8, c3=16, c5_reduce=4, c5=8, cp=8)
x = ag.randn(2, 32, 8, 8, requires_grad=True)
ag.viz.record_modules()  # the drawing boxes ops by the module that made them
out = block(x)
print("input", x.shape, "-> output", out.shape, "(16 + 16 + 8 + 8 = 48 channels, same 8x8)")
assert out.shape == (2, 48, 8, 8)
plain5 = nn.Conv2d(32, 48, 5, padding=2)
print(f"parameters: Inception block {n_par(block)}  vs  one 5x5 conv 32 -> 48: {n_par(plain5)}")
print(f"  the 5x5 branch alone: with its 1x1 bottleneck to 4 channels {n_par(block.b5)}, "
      f"straight from 32 channels {n_par(nn.Conv2d(32, 8, 5))}")
assert n_par(block) < n_par(plain5) / 3
g = ag.viz.draw(out.sum(), model=block, depth=2, rankdir="TB", names={x: "x (2, 32, 8, 8)"},
                title="Inception block: four branches, one concatenation")
g.attr(dpi="60")
display(Image(g.pipe(format="png")))

# %% [markdown]
# The concatenation is an ordinary differentiable op: in the backward pass each branch receives its slice of the
# output's gradient, and the four gradients **add up** at $x$ (a node with four consumers, notebook 01):

# %%
w = ag.randn(*out.shape)
(out * w).sum().backward()
branch_grads = []
for k, (branch, sl) in enumerate([(block.b1, slice(0, 16)), (block.b3, slice(16, 32)), (block.b5, slice(32, 40)), (block.bp, slice(40, 48))]):
    xk = ag.tensor(x.numpy(), requires_grad=True)
    (branch(xk) * w[:, sl]).sum().backward()
    branch_grads.append(xk.grad.numpy())
print("max |dL/dx − sum of the four branches' dL/dx| =", np.abs(x.grad.numpy() - sum(branch_grads)).max())
assert np.allclose(x.grad.numpy(), sum(branch_grads), atol=1e-5)

# %% [markdown]
# ## 2. A residual block module
#
# $y = \mathrm{ReLU}(F(x) + S(x))$ with $F$ = conv 3×3 → batch norm → ReLU → conv 3×3 → batch norm, and the shortcut
# $S$ the identity — or, when the block changes the number of channels or the resolution (stride 2), a 1×1
# convolution with the same stride (ResNet's "projection shortcut"). Notebook 15 showed why the identity path keeps
# gradients alive through depth; this is the block as it is reused in a real architecture.

# %%
class ResidualBlock(nn.Module):
    """ResNet's basic block: ReLU(bn2(conv2(ReLU(bn1(conv1(x))))) + shortcut(x))."""
    def __init__(self, in_ch, out_ch, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False), nn.BatchNorm2d(out_ch))
        else:
            self.shortcut = nn.Identity()
    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.shortcut(x))

for args in [(16, 16, 1), (16, 32, 2)]:
    rb = ResidualBlock(*args)
    print(f"ResidualBlock{args}: {tuple(ag.zeros(2, args[0], 8, 8).shape)} -> {tuple(rb(ag.zeros(2, args[0], 8, 8)).shape)}, "
          f"shortcut = {type(rb.shortcut).__name__}{' (1x1 projection)' if n_par(rb.shortcut) else ' (identity)'}")

# %% [markdown]
# ## 3. Three architectures on the digits
#
# * **mini-AlexNet**: conv 3×3 (16) → ReLU → conv 3×3 (16) → ReLU → max-pool → conv 3×3 (32) → ReLU → max-pool → a
#   256-unit fully connected layer with dropout 0.5 (AlexNet's stacks of convolutions, ReLU, dropout in the head).
# * **mini-GoogLeNet**: a 3×3 stem convolution, two Inception blocks with a max-pool between them, then **global
#   average pooling** (one number per channel) into the classifier — GoogLeNet's replacement for big dense layers.
# * **mini-ResNet**: a stem, two residual blocks (the second halving the resolution with a projection shortcut),
#   global average pooling, the classifier.
#
# The three-way split of notebook 19: early stopping on the validation set, the test set once at the end.

# %%
X, y = nn.datasets.digits(images=True)
X_train, X_val, X_test, y_train, y_val, y_test = nn.datasets.train_val_test_split(X, y, val_size=0.15, test_size=0.25,
                                                                                  seed=0, stratify=True)
val_loader = nn.data.DataLoader(nn.data.TensorDataset(X_val, y_val), batch_size=512)
test_loader = nn.data.DataLoader(nn.data.TensorDataset(X_test, y_test), batch_size=512)

def mini_alexnet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 16x4x4
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),                                              # 32x2x2
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(128, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))

def mini_googlenet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),                                                   # 16x8x8
        Inception(16, c1=8, c3_reduce=8, c3=12, c5_reduce=4, c5=6, cp=6), nn.MaxPool2d(2),           # 32x4x4
        Inception(32, c1=16, c3_reduce=12, c3=24, c5_reduce=4, c5=12, cp=12),                        # 64x4x4
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

def mini_resnet():
    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1, bias=False), nn.BatchNorm2d(12), nn.ReLU(),                   # 12x8x8
        ResidualBlock(12, 12), ResidualBlock(12, 24, stride=2),                                      # 24x4x4
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(24, 10))

rows, trained = [], {}
for name, make, lr in [("mini-AlexNet", mini_alexnet, 3e-3), ("mini-GoogLeNet", mini_googlenet, 1e-2),
                       ("mini-ResNet", mini_resnet, 3e-3)]:
    ag.manual_seed(0)
    model = make()
    loader = nn.data.DataLoader(nn.data.TensorDataset(X_train, y_train), batch_size=64, shuffle=True, seed=0)
    t0 = time.perf_counter()
    hist = nn.train.fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=lr), loader, epochs=10,
                        val_loader=val_loader, progress=False, patience=4, restore_best=True)
    dt = time.perf_counter() - t0
    test = nn.train.evaluate(model, nn.CrossEntropyLoss(), test_loader)
    trained[name] = model
    rows.append((name, n_par(model), hist.epochs, hist.best_epoch, max(hist["val_accuracy"]), test["accuracy"], dt))
print(f"{'network':<16}{'parameters':>11}{'epochs':>8}{'best':>6}{'val acc':>9}{'test acc':>10}{'time (s)':>10}")
for r in rows:
    print(f"{r[0]:<16}{r[1]:>11}{r[2]:>8}{r[3]:>6}{r[4]:>9.1%}{r[5]:>10.1%}{r[6]:>10.1f}")
assert all(r[5] > 0.9 for r in rows)

# %% [markdown]
# All three reach high accuracy on this easy problem; the differences that matter at ImageNet scale show up here
# as parameter counts: the AlexNet-style head holds most of its weights in the dense layers, while global average
# pooling lets the GoogLeNet- and ResNet-style networks end in a classifier of a few hundred weights (and
# the residual one, with batch norm, trains fastest per epoch).
#
# ## 4. What the deeper layers see
#
# The first layer of a CNN (notebook 14) finds edges and strokes. Deeper layers combine them. Forward hooks
# (`register_forward_hook`, PyTorch's name) record the output of every ReLU of the trained mini-AlexNet for one
# test digit: 16 maps of 8×8 after the first convolution, 16 after the second, 32 maps of 4×4 after the third — each
# deeper map responds to a larger part of the image (its *receptive field*: 3×3, 5×5, then 10×10 pixels, the whole
# digit).

# %%
net = trained["mini-AlexNet"]
net.eval()
acts, handles = {}, []
for idx in (1, 3, 6):                                             # the ReLUs after conv 1, 2, 3
    handles.append(net[idx].register_forward_hook(lambda mod, inp, out, idx=idx: acts.__setitem__(idx, out.numpy())))
digit = X_test[np.where(y_test == 4)[0][0]][None]                 # a 4
with ag.no_grad():
    net(ag.tensor(digit))
for h in handles: h.remove()
print({f"layer after module {k}": v.shape for k, v in acts.items()})

fig = plt.figure(figsize=(13, 4.6))
ax = fig.add_axes([0.0, 0.3, 0.12, 0.4]); ax.imshow(digit[0, 0], cmap="gray_r"); ax.set_axis_off(); ax.set_title("input", fontsize=9)
for col, (idx, title) in enumerate([(1, "conv 1 (3x3 field)"), (3, "conv 2 (5x5 field)"), (6, "conv 3 (10x10 field)")]):
    a = acts[idx][0]
    order = np.argsort(-a.reshape(len(a), -1).max(1))[:16]        # the 16 most active channels
    for k, c in enumerate(order):
        sub = fig.add_axes([0.14 + col * 0.29 + (k % 4) * 0.068, 0.68 - (k // 4) * 0.22, 0.062, 0.2])
        sub.imshow(a[c], cmap="viridis"); sub.set_xticks([]); sub.set_yticks([])
        if k == 0: sub.set_title(title, fontsize=9, loc="left")
plt.show()

# %% [markdown]
# **Which digits excite a deep unit?** Zeiler & Fergus show, for a unit deep in the network, the image patches that
# activate it most. For six channels of the third convolution, the six test digits with the largest response: each
# channel has become a detector of a shape shared by a few classes — no longer an edge, a part of a digit.

# %%
feats = []
hook = net[6].register_forward_hook(lambda mod, inp, out: feats.append(out.numpy()))
with ag.no_grad():
    net(ag.tensor(X_test))
hook.remove()
response = feats[0].max(axis=(2, 3))                             # (N, 32): each channel's peak response per digit
channels = np.argsort(-response.std(0))[:6]                      # the six most selective channels
fig, axes = plt.subplots(6, 7, figsize=(8, 7.2))
for r, c in enumerate(channels):
    top = np.argsort(-response[:, c])[:6]
    axes[r, 0].text(0.5, 0.5, f"channel {c}\nlabels {''.join(str(v) for v in y_test[top])}", ha="center", va="center", fontsize=8)
    axes[r, 0].set_axis_off()
    for j, i in enumerate(top):
        axes[r, j + 1].imshow(X_test[i, 0], cmap="gray_r"); axes[r, j + 1].set_xticks([]); axes[r, j + 1].set_yticks([])
plt.suptitle("the six test digits that excite each of six conv-3 channels most", fontsize=10)
plt.tight_layout(); plt.show()
purity = np.mean([np.bincount(y_test[np.argsort(-response[:, c])[:6]]).max() / 6 for c in channels])
print(f"on average {purity:.0%} of a channel's top six digits share one label (10% by chance)")

# %% [markdown]
# ## 5. Benefits of depth
#
# The notes end the lecture with a figure titled "Benefits of Depth" (test accuracy rising with the number of
# layers) after "Deep neural networks *factorize the learning* of structure in data across many layers". A small
# version: stacks of 1 to 4 convolutions (3×3, 12 channels, batch norm, ReLU), then global average pooling and the
# classifier. Each extra layer widens what one unit sees by 2 pixels (3×3, 5×5, 7×7, 9×9): a one-layer network can
# only average local stroke detectors over the image, a deeper one composes them into parts of digits.

# %%
def conv_stack(depth, channels=12):
    layers, c = [], 1
    for _ in range(depth):
        layers += [nn.Conv2d(c, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU()]
        c = channels
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))

depths, depth_acc = [1, 2, 3, 4], []
for depth in depths:
    ag.manual_seed(0)
    model = conv_stack(depth)
    loader = nn.data.DataLoader(nn.data.TensorDataset(X_train, y_train), batch_size=64, shuffle=True, seed=0)
    nn.train.fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=3e-3), loader, epochs=8,
                 val_loader=val_loader, progress=False, patience=3, restore_best=True)
    depth_acc.append(nn.train.evaluate(model, nn.CrossEntropyLoss(), test_loader)["accuracy"])
    print(f"{depth} conv layer(s), receptive field {2 * depth + 1}x{2 * depth + 1}, {n_par(model)} parameters: "
          f"test accuracy {depth_acc[-1]:.1%}")
assert depth_acc[-1] > depth_acc[0] + 0.3

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(depths, 100 * np.array(depth_acc), "o-")
for d, a in zip(depths, depth_acc):
    ax.annotate(f"{a:.0%}", (d, 100 * a), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=9)
ax.set_xticks(depths); ax.set_xlabel("number of convolutional layers"); ax.set_ylabel("test accuracy (%)")
ax.set_ylim(0, 105); ax.grid(alpha=.3)
ax.set_title("benefits of depth: same building block, stacked", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# # 20 · Autoencoders: learning without labels
#
# Two of the courses announce the topic and stop there: 002's second lecture lists "AutoEncoders and Generative
# Models", and 003's outline has "V. Unsupervised Learning". Every network so far learnt a map $x \mapsto y$ from
# examples $(x^{(i)}, y^{(i)})$. **Unsupervised** learning has only the $x^{(i)}$. An **autoencoder** makes a
# supervised problem out of them anyway: the target is the input itself,
#
# $$\text{encoder } z = e_\phi(x) \in \mathbb{R}^k, \qquad \text{decoder } \hat x = d_\psi(z), \qquad
# \mathcal{L}(\phi, \psi) = \frac{1}{N}\sum_i \lVert d_\psi(e_\phi(x^{(i)})) - x^{(i)}\rVert^2,$$
#
# with a **bottleneck** $k$ much smaller than the input's dimension, so the network cannot copy: it must find a short
# description, the **code** $z$, from which the input can be rebuilt. Everything is the machinery of the earlier
# notebooks: a loss, back-propagation, Adam, `nn.train.fit` — only the labels are gone.
#
# **What this notebook shows**, on the real 8×8 handwritten digits (64 pixels):
# 1. A **dense autoencoder** 64 → 32 → **2** → 32 → 64: its reconstructions, and its 2-D code space drawn with each test
#    digit coloured by its label — labels it never saw, yet the digits gather by class. Against **PCA** (the best
#    *linear* 2-D code).
# 2. The decoder as a **generator**: decoding a grid of points of the code space draws new digit-like images.
# 3. A **convolutional autoencoder** (convolutions and pooling down, upsampling and convolutions up) against dense
#    ones and PCA with the same code size: a table of test errors.
# 4. A **denoising autoencoder**: trained to map noisy digits to clean ones; it removes noise a plain autoencoder keeps.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.functional as F
import optim
from nn import transforms as T

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

X, y = nn.datasets.digits(images=True)                  # (1797, 1, 8, 8) in [0, 1]; y is only used to colour plots
X_train, X_val, X_test, y_train, y_val, y_test = nn.datasets.train_val_test_split(X, y, val_size=0.15, test_size=0.2,
                                                                                  seed=0, stratify=True)
print("train", X_train.shape, "val", X_val.shape, "test", X_test.shape)

def loaders(noise=None):
    """Input and target are the same images; a transform (noise) touches only the input."""
    train = nn.data.TensorDataset(X_train, X_train, transform=noise)
    return (nn.data.DataLoader(train, batch_size=64, shuffle=True, seed=0),
            nn.data.DataLoader(nn.data.TensorDataset(X_val, X_val), batch_size=512))

def train_ae(model, epochs, noise=None, lr=3e-3, desc=None):
    tl, vl = loaders(noise)
    hist = nn.train.fit(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=lr), tl, epochs=epochs,
                        val_loader=vl, metrics=None, progress=False, patience=10, restore_best=True)
    print(f"{desc}: {hist.epochs} epochs, best val MSE {min(hist['val_loss']):.4f} at epoch {hist.best_epoch}")
    return hist

def mse(model, Xin, Xtarget=None):
    model.eval()
    with ag.no_grad():
        out = model(ag.tensor(Xin)).numpy()
    return float(np.mean((out - (Xin if Xtarget is None else Xtarget)) ** 2)), out

# %% [markdown]
# ## 1. A dense autoencoder with a 2-D code
#
# Encoder 64 → 32 → 2, decoder 2 → 32 → 64 with a sigmoid at the end (pixels are in [0, 1]). The loss is the mean
# squared error between the output and the input — `nn.MSELoss()` with the input as target.

# %%
def dense_ae(k, hidden=32):
    ag.manual_seed(0)
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, k))
    decoder = nn.Sequential(nn.Linear(k, hidden), nn.ReLU(), nn.Linear(hidden, 64), nn.Sigmoid(),
                            nn.Unflatten(1, (1, 8, 8)))
    return nn.Sequential(encoder, decoder)

ae2 = dense_ae(2)
hist2 = train_ae(ae2, epochs=150, desc="dense, k = 2")
err2, rec2 = mse(ae2, X_test)

# PCA: the best linear code of the same size, from the SVD of the centred training images
flat_train, flat_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
mean = flat_train.mean(0)
_, _, Vt = np.linalg.svd(flat_train - mean, full_matrices=False)
def pca(k, flat):
    return (flat - mean) @ Vt[:k].T
def pca_reconstruct(k, flat):
    return pca(k, flat) @ Vt[:k] + mean
pca_err = {k: float(np.mean((pca_reconstruct(k, flat_test) - flat_test) ** 2)) for k in (2, 10)}
print(f"test MSE per pixel: autoencoder {err2:.4f}, PCA {pca_err[2]:.4f} (2 numbers per image)")
assert err2 < pca_err[2]

# %% [markdown]
# Each test digit (top), squeezed through two numbers and rebuilt by the autoencoder (middle) and by PCA (bottom):

# %%
show = [int(np.where(y_test == c)[0][0]) for c in range(10)]
pca_rec = pca_reconstruct(2, flat_test).reshape(X_test.shape)
fig, axes = plt.subplots(3, 10, figsize=(11, 3.6))
for j, i in enumerate(show):
    for r, (img, name) in enumerate([(X_test[i, 0], "input"), (rec2[i, 0], "autoencoder, k = 2"), (pca_rec[i, 0], "PCA, k = 2")]):
        axes[r, j].imshow(img, cmap="gray_r", vmin=0, vmax=1); axes[r, j].set_xticks([]); axes[r, j].set_yticks([])
        if j == 0: axes[r, j].set_ylabel(name, fontsize=8)
plt.suptitle("reconstructions from a 2-number code (test digits)", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# **The code space.** The encoder's two outputs for every test digit, coloured by the digit's label. The labels were
# never used in training — the network only tried to rebuild images — but similar images get similar codes, so the
# classes form clusters. The non-linear encoder separates them better than PCA's best linear projection.

# %%
encoder, decoder = ae2[0], ae2[1]
with ag.no_grad():
    Z = encoder(ag.tensor(X_test)).numpy()
Zp = pca(2, flat_test)
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
for ax, pts, name in [(axes[0], Z, f"autoencoder code (test MSE {err2:.4f})"), (axes[1], Zp, f"PCA, 2 components (test MSE {pca_err[2]:.4f})")]:
    sc = ax.scatter(pts[:, 0], pts[:, 1], c=y_test, cmap="tab10", s=12, vmin=-0.5, vmax=9.5)
    for c in range(10):
        cx, cy = np.median(pts[y_test == c], 0)
        ax.text(cx, cy, str(c), fontsize=14, weight="bold", ha="center", va="center",
                bbox=dict(boxstyle="circle", fc="w", alpha=0.7))
    ax.set_xlabel("$z_1$"); ax.set_ylabel("$z_2$"); ax.set_title(name, fontsize=10)
plt.colorbar(sc, ax=axes, ticks=range(10), label="digit (not used in training)")
plt.show()

def knn_accuracy(Za, ya, Zb, yb):
    """Label each point of b by its nearest neighbour in a: how well the code keeps classes apart."""
    d = ((Zb[:, None, :] - Za[None, :, :]) ** 2).sum(-1)
    return float(np.mean(ya[d.argmin(1)] == yb))
with ag.no_grad():
    Z_train = encoder(ag.tensor(X_train)).numpy()
acc_ae, acc_pca = knn_accuracy(Z_train, y_train, Z, y_test), knn_accuracy(pca(2, flat_train), y_train, Zp, y_test)
print(f"nearest-neighbour accuracy in the 2-D code: autoencoder {acc_ae:.1%}, PCA {acc_pca:.1%} (chance 10%)")
assert acc_ae > acc_pca

# %% [markdown]
# ## 2. The decoder as a generator
#
# The decoder maps *any* point of the code space to an image. Decoding a regular grid of codes over the region the
# training digits occupy draws a map of the learnt "digit manifold": neighbouring codes give similar images, and the
# images morph from one class to the next. This is the idea behind generative models (002's "AutoEncoders and
# Generative Models"): a variational autoencoder or a GAN trains the decoder so that codes drawn from a simple
# distribution give realistic samples; a plain autoencoder gives no such guarantee between the clusters.

# %%
lo, hi = np.percentile(Z_train, 2, axis=0), np.percentile(Z_train, 98, axis=0)
g1, g2 = np.linspace(lo[0], hi[0], 12), np.linspace(hi[1], lo[1], 12)
grid = np.array([[a, b] for b in g2 for a in g1], dtype=np.float32)
with ag.no_grad():
    imgs = decoder(ag.tensor(grid)).numpy()[:, 0]                       # (144, 8, 8)
tiles = np.pad(imgs.reshape(12, 12, 8, 8), ((0, 0), (0, 0), (1, 1), (1, 1)))    # a white frame around each
canvas = tiles.transpose(0, 2, 1, 3).reshape(120, 120)
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
axes[0].scatter(Z_train[:, 0], Z_train[:, 1], c=y_train, cmap="tab10", s=4, vmin=-0.5, vmax=9.5)
axes[0].plot(grid[:, 0], grid[:, 1], "k.", ms=3)
axes[0].set_title("training codes and the 12 x 12 grid decoded on the right", fontsize=10)
axes[1].imshow(canvas, cmap="gray_r", vmin=0, vmax=1); axes[1].set_xticks([]); axes[1].set_yticks([])
axes[1].set_title("decoder(grid point): images never seen, made from 2 numbers each", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. A convolutional autoencoder
#
# Encoder: conv 3×3 (8 maps) → ReLU → max-pool → conv 3×3 (16 maps) → ReLU → max-pool → a linear layer to the code.
# The decoder mirrors it; to go back *up* in size it **upsamples** (each pixel repeated into a 2×2 block, PyTorch's
# `nn.Upsample(scale_factor=2)` in nearest mode, here written with `ag.repeat_interleave` — the gradient of a
# repetition is the sum over the copies) followed by a convolution. A code of 10 numbers, compared with a dense
# autoencoder and PCA with 10 numbers too, on the test digits.

# %%
class Upsample(nn.Module):
    """Nearest-neighbour upsampling by an integer factor: (N, C, H, W) -> (N, C, sH, sW)."""
    def __init__(self, scale_factor=2):
        super().__init__()
        self.scale_factor = scale_factor
    def forward(self, x):
        return ag.repeat_interleave(ag.repeat_interleave(x, self.scale_factor, dim=2), self.scale_factor, dim=3)

def conv_ae(k):
    ag.manual_seed(0)
    encoder = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),       # 8 x 4 x 4
                            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 16 x 2 x 2
                            nn.Flatten(), nn.Linear(64, k))
    decoder = nn.Sequential(nn.Linear(k, 64), nn.ReLU(), nn.Unflatten(1, (16, 2, 2)),
                            Upsample(2), nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(),           # 8 x 4 x 4
                            Upsample(2), nn.Conv2d(8, 1, 3, padding=1), nn.Sigmoid())         # 1 x 8 x 8
    return nn.Sequential(encoder, decoder)

up = Upsample(2)(ag.tensor([[[[1., 2.], [3., 4.]]]]))
print("Upsample(2) of [[1, 2], [3, 4]]:\n", up.numpy()[0, 0])
assert up.shape == (1, 1, 4, 4)

ae10, cae10 = dense_ae(10), conv_ae(10)
train_ae(ae10, epochs=100, desc="dense, k = 10")
train_ae(cae10, epochs=40, lr=1e-2, desc="convolutional, k = 10")
(err10, rec10), (cerr10, crec10) = mse(ae10, X_test), mse(cae10, X_test)
n_par = lambda m: sum(p.numel() for p in m.parameters())
print(f"\n{'model':<28}{'code':>6}{'parameters':>12}{'test MSE':>10}")
for name, k, par, e in [("PCA", 2, 2 * 64, pca_err[2]), ("dense autoencoder", 2, n_par(ae2), err2),
                        ("PCA", 10, 10 * 64, pca_err[10]), ("dense autoencoder", 10, n_par(ae10), err10),
                        ("convolutional autoencoder", 10, n_par(cae10), cerr10)]:
    print(f"{name:<28}{k:>6}{par:>12}{e:>10.4f}")
assert cerr10 < pca_err[2] and err10 < err2

# %% [markdown]
# With 10 numbers both autoencoders rebuild the digits far better than with 2. On images this small the dense one is
# the better of the two (every pixel sees every other; there is little spatial structure for the convolutions to
# exploit in 8×8 pixels), while the convolutional one gets close with fewer parameters and with weights that do not
# depend on the image size — the advantage that matters for real photographs.

# %%
fig, axes = plt.subplots(3, 10, figsize=(11, 3.6))
for j, i in enumerate(show):
    for r, (img, name) in enumerate([(X_test[i, 0], "input"), (rec10[i, 0], "dense, k = 10"), (crec10[i, 0], "conv, k = 10")]):
        axes[r, j].imshow(img, cmap="gray_r", vmin=0, vmax=1); axes[r, j].set_xticks([]); axes[r, j].set_yticks([])
        if j == 0: axes[r, j].set_ylabel(name, fontsize=8)
plt.suptitle("reconstructions from a 10-number code", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 4. A denoising autoencoder
#
# Corrupt the input, keep the target clean: $\mathcal{L} = \lVert d(e(x + \epsilon)) - x\rVert^2$. The network can no
# longer get away with anything close to copying: it must learn what digits look like to remove what does not
# belong. The noise is drawn anew every epoch by a transform on the input only
# (`TensorDataset(X, X, transform=T.GaussianNoise(sigma=0.3))`). Compared with the dense autoencoder of the same size
# trained on clean images, both fed the same noisy test digits:

# %%
noise = T.GaussianNoise(sigma=0.3)                     # clipped to [0, 1], like the images
dae = dense_ae(10)
train_ae(dae, epochs=100, noise=noise, desc="denoising, k = 10")
ag.manual_seed(1)
X_noisy = np.stack([noise(img) for img in X_test])
noisy_err = float(np.mean((X_noisy - X_test) ** 2))
plain_err, plain_out = mse(ae10, X_noisy, X_test)
den_err, den_out = mse(dae, X_noisy, X_test)
print(f"MSE to the clean test digits: noisy input {noisy_err:.4f}, plain autoencoder {plain_err:.4f}, "
      f"denoising autoencoder {den_err:.4f}")
assert den_err < plain_err < noisy_err

fig, axes = plt.subplots(4, 10, figsize=(11, 4.6))
for j, i in enumerate(show):
    for r, (img, name) in enumerate([(X_test[i, 0], "clean"), (X_noisy[i, 0], "noisy input"),
                                     (plain_out[i, 0], "plain AE"), (den_out[i, 0], "denoising AE")]):
        axes[r, j].imshow(img, cmap="gray_r", vmin=0, vmax=1); axes[r, j].set_xticks([]); axes[r, j].set_yticks([])
        if j == 0: axes[r, j].set_ylabel(name, fontsize=8)
plt.suptitle("noise removed by a network that learnt what digits look like — without any label", fontsize=10)
plt.tight_layout(); plt.show()

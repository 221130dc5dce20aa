# %% [markdown]
# # 12 · Regularisation
#
# **What this notebook shows.**
# 1. **L1, L2 and elastic net** penalties on a regression with 30 inputs of which only 4 matter, from only 40 samples:
#    the learnt weights drawn side by side — L1 sets most of the useless ones to (almost) exactly zero, L2 shrinks all of
#    them, elastic net does a bit of both — and their test errors.
# 2. **L2 is weight decay**: a step on loss $+ \tfrac{\lambda}{2}\lVert w\rVert^2$ equals a plain step followed by
#    $w \leftarrow w(1 - \text{lr}\,\lambda)$, and equals `optim.SGD(..., weight_decay=λ)` — checked to the last bit.
# 3. **Dropout**: random units switched off in training, none at evaluation (`model.train()` / `model.eval()`);
#    a network that over-fits a small noisy data set, with and without dropout.
# 4. **Data augmentation** with `nn.transforms`: training a digit classifier on randomly shifted copies of its images
#    makes it robust to shifted test digits.
#
# Also the notes' Figure 3.11 (why L1 gives zeros), their two intuitions for why L2 reduces over-fitting (measured),
# and a multi-class decision boundary with L2.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.plots
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. L1, L2, elastic net
#
# Truth: $y = 3x_1 - 2x_2 + 1.5x_3 + 2x_4 + \text{noise}$; inputs $x_5 \dots x_{30}$ are pure distraction. With 40
# samples and 30 weights, an unregularised fit also "explains" the noise with the distractors.

# %%
n_feat, n_train, n_test = 30, 40, 500
w_true = np.zeros(n_feat); w_true[:4] = [3.0, -2.0, 1.5, 2.0]
Xtr = ag.randn(n_train, n_feat, dtype=ag.float64).numpy(); ytr = Xtr @ w_true + ag.randn(n_train, dtype=ag.float64).numpy()
Xte = ag.randn(n_test, n_feat, dtype=ag.float64).numpy(); yte = Xte @ w_true + ag.randn(n_test, dtype=ag.float64).numpy()

def fit(penalty, lam, steps=600):
    w = ag.zeros(n_feat, dtype=ag.float64, requires_grad=True)
    opt = optim.Adam([w], lr=0.05)
    X, Y = ag.tensor(Xtr), ag.tensor(ytr)
    for _ in range(steps):
        opt.zero_grad()
        cost = 0.5 * ((X @ w - Y) ** 2).mean()
        if penalty == "L1":
            cost = cost + lam * nn.l1_penalty([w])
        elif penalty == "L2":
            cost = cost + lam * nn.l2_penalty([w])
        elif penalty == "elastic net":
            cost = cost + lam * (0.5 * nn.l1_penalty([w]) + 0.5 * nn.l2_penalty([w]))
        cost.backward()
        opt.step()
    return w.numpy()

fits = {name: fit(name, lam) for name, lam in [("none", 0), ("L2", 0.05), ("L1", 0.05), ("elastic net", 0.08)]}
fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), sharey=True)
for ax, (name, w) in zip(axes, fits.items()):
    test_mse = np.mean((Xte @ w - yte) ** 2)
    near_zero = np.sum(np.abs(w[4:]) < 1e-2)
    ax.bar(range(1, n_feat + 1), w_true, color="lightgray", label="true weight")
    ax.stem(range(1, n_feat + 1), w, linefmt="C0-", markerfmt="C0o", basefmt="k-")
    ax.set_title(f"{name}\ntest MSE {test_mse:.2f}, {near_zero}/26 distractors ≈ 0", fontsize=9)
    ax.set_xlabel("input index")
axes[0].legend(fontsize=8); axes[0].set_ylabel("weight")
plt.tight_layout(); plt.show()

# %% [markdown]
# (Adam does not land *exactly* on zero — the L1 gradient $\lambda\,\text{sign}(w)$ makes tiny weights jitter around
# 0 — so we count weights below 0.01. Proximal methods that set them to exactly 0 exist; the picture is the same.)
#
# **Why L1 gives zeros: the notes' Figure 3.11.** "Estimation picture for the lasso (left) and ridge regression
# (right). Shown are contours of the error and constraint functions. The solid blue areas are the constraint regions
# $|\beta_1| + |\beta_2| \leq t$ and $\beta_1^2 + \beta_2^2 \leq t^2$, respectively, while the red ellipses are the contours
# of the least squares error function." A penalty $\lambda\lVert w\rVert$ is the same as a constraint
# $\lVert w\rVert \le t$ for some $t$; the constrained minimum is where the smallest ellipse touches the region. The
# diamond has **corners on the axes**, so the ellipse usually touches it at a corner, where one weight is exactly 0;
# the disc has none. Two weights, least squares centred at $\hat\beta = (2, 0.8)$, $t = 1$; the touching points are
# found by minimising the error along each boundary:

# %%
A = np.array([[1.0, 0.55], [0.55, 0.6]])                     # X^T X / m: correlated inputs, tilted ellipses
b_hat = np.array([2.0, 0.8])                                 # the unconstrained least-squares solution
err = lambda B: np.einsum("...i,ij,...j->...", B - b_hat, A, B - b_hat)
t = 1.0
ang = np.linspace(0, 2 * np.pi, 200001)
circle = t * np.stack([np.cos(ang), np.sin(ang)], -1)
diamond = circle / np.abs(circle).sum(-1, keepdims=True) * t     # |b1| + |b2| = t, same directions
b_l1, b_l2 = diamond[err(diamond).argmin()], circle[err(circle).argmin()]
print(f"lasso: beta = {b_l1.round(4)}   ridge: beta = {b_l2.round(4)}")
assert abs(b_l1[1]) < 1e-3 and np.all(np.abs(b_l2) > 0.1)      # lasso at the corner (0 exactly), ridge not

g1, g2 = np.meshgrid(np.linspace(-1.5, 3, 300), np.linspace(-1.5, 2.5, 300))
E = err(np.stack([g1, g2], -1))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
for ax, shape, sol, name in [(axes[0], diamond, b_l1, "lasso: |b1| + |b2| <= t"), (axes[1], circle, b_l2, "ridge: b1² + b2² <= t²")]:
    ax.fill(shape[::1000, 0], shape[::1000, 1], color="tab:blue", alpha=0.5)
    ax.contour(g1, g2, E, levels=[err(sol), err(sol) * 2, err(sol) * 3.5, err(sol) * 5.5], colors="r", linewidths=1)
    ax.plot(*b_hat, "k.", ms=8); ax.annotate(r"$\hat\beta$", b_hat + 0.07)
    ax.plot(*sol, "ko", mfc="y", ms=8)
    ax.axhline(0, color="k", lw=0.5); ax.axvline(0, color="k", lw=0.5); ax.set_aspect("equal")
    ax.set_xlabel(r"$\beta_1$"); ax.set_ylabel(r"$\beta_2$"); ax.set_title(f"{name}: touches at {sol.round(2)}", fontsize=9)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 2. L2 regularisation is weight decay
#
# $\nabla\big(L + \tfrac{\lambda}{2}\lVert w\rVert^2\big) = \nabla L + \lambda w$, so one gradient step is
# $w \leftarrow w - \text{lr}\,\nabla L - \text{lr}\,\lambda w = w(1 - \text{lr}\,\lambda) - \text{lr}\,\nabla L$: the weights
# *decay* by a constant factor each step. Three ways to write it, one result:

# %%
lam, lr = 0.1, 0.05
def step(kind):
    ag.manual_seed(5)
    model = nn.Linear(30, 1).double()
    X, Y = ag.tensor(Xtr), ag.tensor(ytr[:, None])
    w0 = model.weight.numpy().copy()
    opt = optim.SGD(model.parameters(), lr=lr, weight_decay=lam if kind == "weight_decay" else 0)
    opt.zero_grad()
    loss = 0.5 * F.mse_loss(model(X), Y)
    if kind == "penalty":
        loss = loss + lam / 2 * nn.l2_penalty(model.parameters())
    loss.backward()
    g = model.weight.grad.numpy().copy()
    opt.step()
    if kind == "decay by hand":
        with ag.no_grad():
            model.weight.data[:] = w0 * (1 - lr * lam) - lr * g      # (only the weights are compared)
    return model.weight.numpy()

w_pen, w_wd, w_hand = step("penalty"), step("weight_decay"), step("decay by hand")
print("max |penalty − SGD(weight_decay)|        :", np.abs(w_pen - w_wd).max())
print("max |penalty − w(1 − lr λ) − lr ∇L (hand)|:", np.abs(w_pen - w_hand).max())

# %% [markdown]
# **Why regularisation reduces over-fitting: the notes' two intuitions.** "Intuition 1 — If we set λ very very big then
# $W^{[l]} \simeq 0$ ⇒ many hidden units are not active ⇒ the network becomes much simpler ⇒ avoid over-fitting."
# "Intuition 2 — Suppose we are using a **tanh**. If z is small, the **tanh** is linear. If λ is large, then $W^{[l]}$
# is small, then $z^{[l]}$ is small, then every layer is almost linear ⇒ the whole network is linear."
#
# Both, measured: a 2 → 50 → 50 → 1 tanh network on 60 noisy points of the two moons, trained with weight decay
# λ from 0 to 0.01 (`optim.Adam(..., weight_decay=λ)`, the L2 penalty's gradient). For each λ: the weights' norm,
# the share of hidden pre-activations in tanh's near-linear range $|z| < 0.5$ (where $\tanh z$ is within 4% of $z$),
# and the decision boundary.

# %%
Xm2, ym2 = nn.datasets.moons(60, noise=0.3, seed=4)
Xt2, yt2 = ag.tensor(Xm2), ag.tensor(ym2.astype(np.float32)).reshape(-1, 1)
lams, stats, nets = [0.0, 1e-4, 1e-3, 1e-2], [], []
for lam_ in lams:
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 50), nn.Tanh(), nn.Linear(50, 50), nn.Tanh(), nn.Linear(50, 1))
    opt = optim.Adam(net.parameters(), lr=0.01, weight_decay=lam_)
    for _ in range(500):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(net(Xt2), yt2).backward()
        opt.step()
    with ag.no_grad():
        z1 = net[0](Xt2); z2 = net[2](F.tanh(z1))
    zs = np.concatenate([z1.numpy().ravel(), z2.numpy().ravel()])
    w_norm = np.sqrt(sum((l.weight.numpy() ** 2).sum() for l in (net[0], net[2], net[4])))
    stats.append((w_norm, np.mean(np.abs(zs) < 0.5))); nets.append(net)
    print(f"λ = {lam_:<5}  ||W|| = {w_norm:6.2f}   share of |z| < 0.5: {stats[-1][1]:.0%}")
assert stats[0][0] > stats[-1][0] and stats[0][1] < stats[-1][1]

fig, axes = plt.subplots(2, 2, figsize=(13, 9))
for ax, lam_, net, (wn, lin) in zip(axes.ravel(), lams, nets, stats):
    with np.errstate(over="ignore"):
        nn.plots.plot_decision_boundary(net, Xm2, ym2, ax=ax, margin=0.6,
                                        title=f"λ = {lam_}: ||W|| {wn:.1f}, {lin:.0%} of z near-linear")
plt.tight_layout(); plt.show()

# %% [markdown]
# As λ grows the weights shrink (intuition 1), the pre-activations fall into tanh's linear range (intuition 2), and
# the boundary straightens: at λ = 0.01 every hidden unit works in its linear range and the network is nearly a
# linear classifier — too simple for the moons. λ is a hyper-parameter to choose on a validation set (notebook 19).
#
# The notes' figure of decision boundaries (002) also has **more than two classes**: a 2-hidden-layer ReLU network
# with L2 on four Gaussian blobs, where the softmax picks the class with the largest score at each point. With a tiny
# training set, no penalty carves pockets around single points; weight decay keeps the regions simple.

# %%
centres = np.array([[-2.0, -2.0], [2.0, -2.0], [-2.0, 2.0], [2.0, 2.0]])
Xb, yb4 = nn.datasets.gaussian_blobs(80, centers=centres, std=1.5, seed=1)
Xb_test, yb4_test = nn.datasets.gaussian_blobs(2000, centers=centres, std=1.5, seed=2)
fig, axes = plt.subplots(1, 2, figsize=(14, 4.6))
for ax, lam_ in zip(axes, [0.0, 0.05]):
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
    opt = optim.Adam(net.parameters(), lr=0.01, weight_decay=lam_)
    for _ in range(600):
        opt.zero_grad()
        F.cross_entropy(net(ag.tensor(Xb)), ag.tensor(yb4)).backward()
        opt.step()
    with ag.no_grad():
        acc_tr = (net(ag.tensor(Xb)).numpy().argmax(1) == yb4).mean()
        acc_te = (net(ag.tensor(Xb_test)).numpy().argmax(1) == yb4_test).mean()
    nn.plots.plot_decision_boundary(net, Xb, yb4, ax=ax, title=f"4 classes, L2 λ = {lam_}: train {acc_tr:.0%}, test {acc_te:.1%}")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. Dropout
#
# In training, `nn.Dropout(p)` zeroes each unit with probability $p$ and scales the survivors by $1/(1-p)$, so the
# expected value is unchanged; in evaluation it does nothing:

# %%
drop = nn.Dropout(p=0.5)
ones = ag.ones(2, 10)
drop.train(); print("train mode:\n", drop(ones).numpy())
drop.eval();  print("eval mode:\n", drop(ones).numpy())
drop.train(); print("mean over 10,000 units in train mode:", round(drop(ag.ones(10000)).numpy().mean(), 3))

# %% [markdown]
# A wide network (2 → 100 → 100 → 1) and only 40 noisy training points of the two moons: without regularisation it
# bends its boundary around individual noisy points. With dropout ($p = 0.4$ after each hidden layer), each unit must
# be useful in many random sub-networks, and the boundary stays smooth.

# %%
Xm, ym = nn.datasets.moons(40, noise=0.35, seed=2)
Xm_test, ym_test = nn.datasets.moons(1000, noise=0.35, seed=3)
Xt, yt = ag.tensor(Xm), ag.tensor(ym.astype(np.float32)).reshape(-1, 1)

def mlp(p):
    ag.manual_seed(0)
    layers = [nn.Linear(2, 100), nn.ReLU()] + ([nn.Dropout(p)] if p else []) + \
             [nn.Linear(100, 100), nn.ReLU()] + ([nn.Dropout(p)] if p else []) + [nn.Linear(100, 1)]
    net = nn.Sequential(*layers)
    opt = optim.Adam(net.parameters(), lr=0.01)
    net.train()
    for _ in range(400):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(net(Xt), yt).backward()
        opt.step()
    net.eval()                                    # dropout off for evaluation
    return net

fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.4))
for ax, p in zip(axes, [0.0, 0.4]):
    net = mlp(p)
    with ag.no_grad():
        acc_train = ((net(Xt).numpy() > 0).ravel() == ym).mean()
        acc_test = ((net(ag.tensor(Xm_test)).numpy() > 0).ravel() == ym_test).mean()
    with np.errstate(over="ignore"):               # plot_decision_boundary's sigmoid warns on large logits
        nn.plots.plot_decision_boundary(net, Xm, ym, ax=ax, margin=0.6,
                                        title=f"{'no dropout' if not p else f'dropout p = {p}'}: "
                                              f"train {acc_train:.0%}, test {acc_test:.1%}")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 4. Data augmentation
#
# 200 training images of handwritten digits (8×8). We make the test set harder in a realistic way — each test digit
# shifted by up to one pixel — and train a small MLP twice: on the original centred images, and on **augmented**
# copies, each training image shifted at random (up to a pixel) every epoch. The augmentation is `nn.transforms`
# (torchvision's names): `RandomCrop(8, padding=1)` pads the image with a frame of zeros and cuts a random 8×8
# window — a shift by −1, 0 or +1 pixel in each direction — given to the training `TensorDataset` as its
# `transform`, so every epoch draws new shifts. Only the training set is augmented.

# %%
X_img, y_img = nn.datasets.digits(images=True)
perm = np.random.default_rng(0).permutation(len(X_img))
tr, te = perm[:200], perm[500:]

def all_shifts(imgs):
    """The 9 copies of each image shifted by -1, 0, +1 pixel in each direction (zeros enter at the border)."""
    P = np.pad(imgs, ((0, 0), (0, 0), (1, 1), (1, 1)))
    return np.stack([P[..., 1 + dy:9 + dy, 1 + dx:9 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)])

S_train, S_test = all_shifts(X_img[tr]), all_shifts(X_img[te])
rng = np.random.default_rng(1)
X_test_shifted = S_test[rng.integers(0, 9, len(te)), np.arange(len(te))]

from nn import transforms as T
results = {}
for augment in [False, True]:
    ag.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.Adam(net.parameters(), lr=1e-2)
    train_set = nn.data.TensorDataset(X_img[tr], y_img[tr], transform=T.RandomCrop(8, padding=1) if augment else None)
    loader = nn.data.DataLoader(train_set, batch_size=len(tr), shuffle=True, seed=0)   # one full batch per epoch
    for epoch in range(120):
        for xb, yb_ in loader:
            opt.zero_grad()
            F.cross_entropy(net(xb), yb_).backward()
            opt.step()
    with ag.no_grad():
        results[augment] = [(net(ag.tensor(X)).numpy().argmax(1) == y_img[te]).mean() for X in (S_test[4], X_test_shifted)]

fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [1.3, 1]})
show = np.concatenate([S_train[k, 0, 0] for k in range(9)], axis=1)
axes[0].imshow(show, cmap="gray_r"); axes[0].set_axis_off()
axes[0].set_title("one training image and its 9 shifted copies (RandomCrop(8, padding=1) draws one per epoch)", fontsize=9)
xpos = np.arange(2)
for k, (augment, accs) in enumerate(results.items()):
    axes[1].bar(xpos + 0.38 * k, accs, width=0.36, label="trained with augmentation" if augment else "trained on originals")
    for x_, a in zip(xpos + 0.38 * k, accs):
        axes[1].text(x_, a + 0.01, f"{a:.0%}", ha="center", fontsize=8)
axes[1].set_xticks(xpos + 0.19); axes[1].set_xticklabels(["centred test digits", "shifted test digits"])
axes[1].set_ylim(0, 1.1); axes[1].set_ylabel("test accuracy"); axes[1].legend(fontsize=8, loc="lower left")
plt.tight_layout(); plt.show()

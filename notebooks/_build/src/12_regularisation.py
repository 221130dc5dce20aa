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
# 4. **Data augmentation**: training a digit classifier on randomly shifted copies of its images makes it robust to
#    shifted test digits.

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
# copies, each training image shifted at random (up to a pixel) every epoch.

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

results = {}
for augment in [False, True]:
    ag.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.Adam(net.parameters(), lr=1e-2)
    for epoch in range(120):
        xb = S_train[rng.integers(0, 9, len(tr)), np.arange(len(tr))] if augment else S_train[4]   # index 4 = unshifted
        opt.zero_grad()
        F.cross_entropy(net(ag.tensor(xb)), ag.tensor(y_img[tr])).backward()
        opt.step()
    with ag.no_grad():
        results[augment] = [(net(ag.tensor(X)).numpy().argmax(1) == y_img[te]).mean() for X in (S_test[4], X_test_shifted)]

fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [1.3, 1]})
show = np.concatenate([S_train[k, 0, 0] for k in range(9)], axis=1)
axes[0].imshow(show, cmap="gray_r"); axes[0].set_axis_off()
axes[0].set_title("one training image and its 9 shifted copies (augmentation draws one per epoch)", fontsize=9)
xpos = np.arange(2)
for k, (augment, accs) in enumerate(results.items()):
    axes[1].bar(xpos + 0.38 * k, accs, width=0.36, label="trained with augmentation" if augment else "trained on originals")
    for x_, a in zip(xpos + 0.38 * k, accs):
        axes[1].text(x_, a + 0.01, f"{a:.0%}", ha="center", fontsize=8)
axes[1].set_xticks(xpos + 0.19); axes[1].set_xticklabels(["centred test digits", "shifted test digits"])
axes[1].set_ylim(0, 1.1); axes[1].set_ylabel("test accuracy"); axes[1].legend(fontsize=8, loc="lower left")
plt.tight_layout(); plt.show()

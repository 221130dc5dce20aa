# %% [markdown]
# # 08 · Loss functions
#
# **What this notebook shows.** Each loss of the notes, drawn with the derivative the engine computes for it, and
# one experiment per family:
# 1. **Regression**: squared error in the notes' halved form $\tfrac12 (y-\hat y)^2$ (gradient $\hat y - y$), absolute
#    error, Huber — and a line fitted through data with outliers by each of them.
#    Why squared error: it is the negative log-likelihood of Gaussian noise (the notes' derivation, a slip in its
#    normaliser corrected), shown with `F.gaussian_nll_loss`: the same line for any σ, and the learned σ² = the MSE.
# 2. **Binary classification**: binary cross-entropy; for labels $y \in \{-1,+1\}$ the logistic loss
#    $\log(1+e^{-y\hat y})$, the perceptron loss $\max(0, -y\hat y)$ and the hinge $\max(0, 1 - y\hat y)$, drawn against the margin.
# 3. **Multi-label**: one binary cross-entropy per output.
# 4. **Multi-class**: softmax, its Jacobian $\hat y_c(\delta_{co} - \hat y_o)$, and with cross-entropy the gradient
#    $\hat y - y$ with respect to the logits.
# 5. **Exercise from the notes**: cross-entropy written by hand with `log_softmax` (the log-sum-exp trick), checked against
#    `F.cross_entropy`, and the overflow that a naive `log(softmax(...))` runs into.
# 6. The cost is the mean of the per-sample losses (plus $\lambda \cdot$ regulariser).

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})
np.set_printoptions(precision=4, suppress=True)

def value_and_grad(loss_fn, yhat_np, y_np):
    """Per-sample loss and d loss / d yhat, both computed by the engine."""
    yhat = ag.tensor(yhat_np, dtype=ag.float64, requires_grad=True)
    loss = loss_fn(yhat, ag.tensor(y_np, dtype=ag.float64))
    loss.sum().backward()
    return loss.detach().numpy(), yhat.grad.numpy()

# %% [markdown]
# ## 1. Regression losses
#
# Plotted against the residual $\hat y - y$ (here $y = 0$). `F.mse_loss` follows PyTorch and is **not** halved;
# the notes' form is `0.5 * F.mse_loss(...)`, whose gradient is exactly $\hat y - y$.

# %%
r = np.linspace(-3, 3, 301)
zeros = np.zeros_like(r)
regression = [
    ("½ squared error  (0.5 * F.mse_loss)", lambda a, b: 0.5 * F.mse_loss(a, b, reduction="none")),
    ("absolute error  (F.l1_loss)", lambda a, b: F.l1_loss(a, b, reduction="none")),
    ("Huber, δ = 1  (F.huber_loss)", lambda a, b: F.huber_loss(a, b, reduction="none", delta=1.0)),
]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for name, fn in regression:
    v, g = value_and_grad(fn, r, zeros)
    axes[0].plot(r, v, lw=2, label=name)
    axes[1].plot(r, g, lw=2, label=name)
axes[0].set_title("loss"); axes[1].set_title("d loss / d prediction (from backward)")
for ax in axes:
    ax.set_xlabel(r"residual $\hat y - y$"); ax.grid(alpha=.3)
axes[0].legend(fontsize=8); axes[0].set_ylim(0, 3)
plt.tight_layout(); plt.show()

v, g = value_and_grad(regression[0][1], r, zeros)
assert np.allclose(g, r)   # halved squared error: gradient = yhat - y

# %% [markdown]
# The squared error's gradient grows with the residual, so a single far-away point pulls hard; the absolute error's
# gradient is capped at $\pm 1$ (robust); Huber is quadratic near zero and linear in the tails. Fitting a line
# $\hat y = a x + b$ to data with three gross outliers, with each loss (Adam, 600 steps):

# %%
x_np = np.linspace(0, 10, 30)
y_np = 2.0 * x_np + 1.0 + ag.randn(30, dtype=ag.float64).numpy() * 0.8
y_np[[24, 26, 28]] -= 25.0                      # three outliers
x_t, y_t = ag.tensor(x_np, dtype=ag.float64), ag.tensor(y_np, dtype=ag.float64)

fits = {}
for name, fn in regression:
    a = ag.tensor(0.0, dtype=ag.float64, requires_grad=True)
    b = ag.tensor(0.0, dtype=ag.float64, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    for _ in range(600):
        opt.zero_grad()
        fn(a * x_t + b, y_t).mean().backward()
        opt.step()
    fits[name] = (a.item(), b.item())

fig, ax = plt.subplots(figsize=(6.2, 3.8))
ax.scatter(x_np, y_np, c="k", s=14, zorder=3, label="data (3 outliers bottom right)")
for (name, (a, b)), ls in zip(fits.items(), ["-", "--", ":"]):
    ax.plot(x_np, a * x_np + b, ls, lw=2, label=f"{name.split('(')[0].strip()}:  {a:.2f}x + {b:.2f}")
ax.plot(x_np, 2 * x_np + 1, color="gray", lw=6, alpha=.25, label="true line 2x + 1")
ax.legend(fontsize=8); ax.set_xlabel("x"); ax.set_ylabel("y"); ax.grid(alpha=.3)
ax.set_title("Squared error is dragged by outliers; L1 and Huber are not", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# ### Why squared error: it is a Gaussian likelihood
#
# The notes (004, "Regression Loss — Mean Square Error"): "$y^{(i)}$ is gaussian distributed with mean
# $\hat{y}^{(i)}$", "$y^{(i)} \sim \mathcal{N}(\hat{y}^{(i)}, \sigma^2) = \hat{y}^{(i)} + \mathcal{N}(0, \sigma^2)$", and the
# θ "that maximise the **likelihood**"
# $$p(y|X, \theta, \sigma) = \prod_{i=1}^n \frac{1}{(2\pi\sigma)^{1/2}} e^{-\frac{1}{2\sigma^2}(y^{(i)} - \hat{y}^{(i)})^2}$$
# are those "that minimise the Mean Square Error". **A slip in the notes:** the Gaussian's normaliser is
# $(2\pi\sigma^2)^{1/2}$, not $(2\pi\sigma)^{1/2}$ — with the printed one the density integrates to $\sqrt\sigma$, not 1
# (checked below). It does not change the conclusion: the normaliser does not depend on θ, so
# $$-\log p = \frac n2\log(2\pi\sigma^2) + \frac1{2\sigma^2}\sum_i (y^{(i)} - \hat y^{(i)})^2,$$
# and for any fixed σ the best θ is the least-squares one. `F.gaussian_nll_loss(yhat, y, var)` (PyTorch's
# `GaussianNLLLoss`) is this per-sample $-\log$ density, $\frac12(\log\sigma^2 + (y - \hat y)^2/\sigma^2)$, plus
# $\frac12\log 2\pi$ with `full=True`. On the line data *without* the outliers:

# %%
y_clean = 2.0 * x_np + 1.0 + ag.randn(30, dtype=ag.float64).numpy() * 0.8
for s in (0.5, 2.0):
    printed = lambda r: np.exp(-r ** 2 / (2 * s ** 2)) / np.sqrt(2 * np.pi * s)      # the notes' normaliser
    correct = lambda r: np.exp(-r ** 2 / (2 * s ** 2)) / np.sqrt(2 * np.pi * s ** 2)
    grid = np.linspace(-12 * s, 12 * s, 20001)
    print(f"sigma = {s}: the printed density integrates to {np.trapezoid(printed(grid), grid):.4f} "
          f"(sqrt(sigma) = {np.sqrt(s):.4f}), the Gaussian's to {np.trapezoid(correct(grid), grid):.4f}")

A = np.c_[x_np, np.ones_like(x_np)]
ab_lsq = np.linalg.lstsq(A, y_clean, rcond=None)[0]                    # minimises the MSE
yc = ag.tensor(y_clean, dtype=ag.float64)
nll_fits = {}
for s2 in (0.25, 4.0):                                                 # two fixed variances
    a = ag.tensor(0.0, dtype=ag.float64, requires_grad=True)
    b = ag.tensor(0.0, dtype=ag.float64, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    for _ in range(1500):
        opt.zero_grad()
        F.gaussian_nll_loss(a * x_t + b, yc, s2, full=True, reduction="sum").backward()
        opt.step()
    nll_fits[s2] = np.array([a.item(), b.item()])
    # the library's summed NLL equals the formula above
    r = y_clean - (a.item() * x_np + b.item())
    nll = F.gaussian_nll_loss(a * x_t + b, yc, s2, full=True, reduction="sum").item()
    assert np.isclose(nll, 30 / 2 * np.log(2 * np.pi * s2) + (r ** 2).sum() / (2 * s2))
    print(f"max likelihood with sigma^2 = {s2}: (a, b) = {nll_fits[s2].round(4)}")
print(f"least squares (min MSE):          (a, b) = {ab_lsq.round(4)}")
assert all(np.allclose(v, ab_lsq, atol=1e-3) for v in nll_fits.values())

# %% [markdown]
# Same line whatever σ is. Letting the variance be learned too (a parameter $\log\sigma^2$, so it stays positive)
# gives the maximum-likelihood $\hat\sigma^2$ = the mean squared residual: the MSE itself is the noise variance's
# estimate. (A network predicting a variance per sample — heteroscedastic regression — is what
# `nn.GaussianNLLLoss` is for.)

# %%
a, b, log_var = (ag.tensor(0.0, dtype=ag.float64, requires_grad=True) for _ in range(3))
opt = optim.Adam([a, b, log_var], lr=0.05)
crit = nn.GaussianNLLLoss()
for _ in range(3000):
    opt.zero_grad()
    crit(a * x_t + b, yc, ag.exp(log_var).expand(30)).backward()
    opt.step()
mse_lsq = np.mean((y_clean - A @ ab_lsq) ** 2)
print(f"learned (a, b) = ({a.item():.4f}, {b.item():.4f});  sigma^2 = {np.exp(log_var.item()):.4f};  "
      f"MSE of the least-squares line = {mse_lsq:.4f}  (the noise drawn had sigma^2 = 0.64)")
assert np.isclose(np.exp(log_var.item()), mse_lsq, rtol=1e-3)

# %% [markdown]
# ## 2. Binary classification losses
#
# With labels $y \in \{-1, +1\}$ and a real score $\hat y$, these losses depend only on the **margin** $y \hat y$
# (positive = correct side). The 0–1 loss (count the mistakes) is what we care about but has no useful gradient;
# the others are surrogates for it.

# %%
margin = np.linspace(-3, 3, 301)
ones = np.ones_like(margin)                     # y = +1, so the margin equals the score
binary = [("logistic  log(1+exp(-y ŷ))", F.logistic_loss),
          ("perceptron  max(0, -y ŷ)", F.perceptron_loss),
          ("hinge  max(0, 1 - y ŷ)", F.hinge_loss)]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
axes[0].step(margin, (margin <= 0).astype(float), where="mid", color="gray", lw=3, alpha=.5, label="0-1 loss (mistakes)")
for name, fn in binary:
    v, g = value_and_grad(lambda a, b: fn(a, b, reduction="none"), margin, ones)
    axes[0].plot(margin, v, lw=2, label=name)
    axes[1].plot(margin, g, lw=2, label=name)
axes[0].set_title("loss against the margin y·ŷ"); axes[1].set_title("d loss / d score (y = +1)")
for ax in axes:
    ax.set_xlabel("margin  y·ŷ"); ax.grid(alpha=.3)
axes[0].legend(fontsize=8); axes[0].set_ylim(-0.1, 3.2)
plt.tight_layout(); plt.show()

# %% [markdown]
# Binary cross-entropy on a probability $p = \sigma(\hat y)$ with labels $y \in \{0, 1\}$ is the same loss as the
# logistic loss with labels $2y-1$ — and its gradient with respect to the score is $p - y$:

# %%
scores = ag.tensor([-2.0, -0.3, 0.4, 3.0], dtype=ag.float64, requires_grad=True)
y01 = ag.tensor([0.0, 1.0, 1.0, 0.0], dtype=ag.float64)
bce = F.binary_cross_entropy(ag.sigmoid(scores), y01, reduction="none")
logistic = F.logistic_loss(scores, 2 * y01 - 1, reduction="none")
bce.sum().backward()
print("BCE(sigmoid(score), y)      :", bce.detach().numpy())
print("logistic(score, 2y - 1)     :", logistic.detach().numpy())
print("d BCE / d score             :", scores.grad.numpy())
print("sigmoid(score) - y          :", (ag.sigmoid(scores) - y01).detach().numpy())
assert np.allclose(bce.detach().numpy(), logistic.detach().numpy())
assert np.allclose(scores.grad.numpy(), (ag.sigmoid(scores) - y01).detach().numpy())

# %% [markdown]
# ## 3. Multi-label: one binary cross-entropy per output
#
# A picture may contain a cat **and** a dog: the targets are independent 0/1 flags, each output gets its own sigmoid
# and its own BCE. `F.binary_cross_entropy_with_logits` on the whole (samples × labels) matrix is the mean of the
# per-label losses:

# %%
logits = ag.randn(4, 3, dtype=ag.float64)
targets = ag.tensor([[1, 0, 1], [0, 0, 1], [1, 1, 1], [0, 1, 0]], dtype=ag.float64)
together = F.binary_cross_entropy_with_logits(logits, targets)
per_label = [F.binary_cross_entropy_with_logits(logits[:, k], targets[:, k]).item() for k in range(3)]
print("per-label BCE:", np.round(per_label, 4), " mean:", round(np.mean(per_label), 4),
      " all at once:", round(together.item(), 4))
assert np.isclose(np.mean(per_label), together.item())

# %% [markdown]
# ## 4. Multi-class: softmax and cross-entropy
#
# Softmax turns $K$ logits into probabilities $\hat y_c = e^{z_c} / \sum_k e^{z_k}$. Its Jacobian is
# $\partial \hat y_c / \partial z_o = \hat y_c(\delta_{co} - \hat y_o)$ — computed below by the engine
# (`ag.functional.jacobian`) and by the formula.

# %%
z = ag.tensor([2.0, 1.0, 0.1, -1.0], dtype=ag.float64)
yhat = ag.softmax(z, axis=0).numpy()
J_engine = ag.functional.jacobian(lambda t: ag.softmax(t, axis=0), z).numpy()
J_formula = np.diag(yhat) - np.outer(yhat, yhat)       # yhat_c (delta_co - yhat_o)
assert np.allclose(J_engine, J_formula)

fig, axes = plt.subplots(1, 3, figsize=(11, 3.1), gridspec_kw={"width_ratios": [1, 1.1, 1.1]})
axes[0].bar(range(4), yhat, color="C0"); axes[0].set_xticks(range(4))
axes[0].set_title("softmax(2, 1, 0.1, -1)", fontsize=10); axes[0].set_xlabel("class c"); axes[0].set_ylabel(r"$\hat y_c$")
for ax, M, title in [(axes[1], J_engine, "Jacobian by the engine"), (axes[2], J_formula, r"$\hat y_c(\delta_{co} - \hat y_o)$")]:
    ax.imshow(M, cmap="coolwarm", vmin=-.25, vmax=.25)
    for i in range(4):
        for j in range(4):
            ax.text(j, i, f"{M[i, j]:.3f}", ha="center", va="center", fontsize=8)
    ax.set_title(title, fontsize=10); ax.set_xlabel("logit o"); ax.set_ylabel("output c")
    ax.set_xticks(range(4)); ax.set_yticks(range(4))
plt.tight_layout(); plt.show()

# %% [markdown]
# Chaining this Jacobian with the cross-entropy $-\sum_c y_c \log \hat y_c$ collapses to the simplest gradient
# there is: $\partial \ell / \partial z = \hat y - y$. For a batch of 5 samples and 4 classes (the mean over the batch
# divides by 5):

# %%
Z = ag.randn(5, 4, dtype=ag.float64, requires_grad=True)
labels = np.array([0, 3, 1, 1, 2])
loss = F.cross_entropy(Z, ag.tensor(labels))
loss.backward()
onehot = np.eye(4)[labels]
expected = (ag.softmax(Z, axis=1).detach().numpy() - onehot) / 5
print("engine d loss / d logits:\n", Z.grad.numpy())
print("(yhat - y) / m:\n", expected)
assert np.allclose(Z.grad.numpy(), expected)

# %% [markdown]
# ## 5. Exercise: cross-entropy written by hand with `log_softmax`
#
# $\log \hat y_c = z_c - \log \sum_k e^{z_k}$, and the log-sum-exp is computed safely by first subtracting
# $\max_k z_k$. Here is the exercise's solution in three lines, compared with the library's `F.cross_entropy` — and
# with the naive route `log(softmax(z))`, which fails once a logit is large:

# %%
def my_log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True).detach()       # subtract the row maximum: nothing overflows
    return shifted - ag.log(ag.exp(shifted).sum(axis=1, keepdims=True))

def my_cross_entropy(z, labels):
    return -my_log_softmax(z)[np.arange(len(labels)), labels].mean()

for scale in [1.0, 1000.0]:
    Zs = ag.tensor(Z.numpy() * scale, dtype=ag.float64, requires_grad=True)
    mine = my_cross_entropy(Zs, labels)
    mine.backward()
    library = F.cross_entropy(Zs.detach(), ag.tensor(labels)).item()
    with np.errstate(all="ignore"):
        e = np.exp(Zs.numpy())                                    # the naive route: exp, normalise, log
        naive = -np.log(e / e.sum(axis=1, keepdims=True))[np.arange(5), labels].mean()
    print(f"logits x {scale:>6}:  by hand {mine.item():12.4f}   F.cross_entropy {library:12.4f}   "
          f"naive exp/sum/log {naive:12.4f}   grad finite: {np.isfinite(Zs.grad.numpy()).all()}")
    assert np.isclose(mine.item(), library)

# %% [markdown]
# ## 6. The cost: mean of per-sample losses, plus a regulariser
#
# `reduction="none"` exposes the per-sample losses; the default `"mean"` is their average. A regulariser is added
# on top, weighted by $\lambda$ (notebook 12):

# %%
model = nn.Linear(4, 3)
x = ag.randn(6, 4)
t = ag.tensor([0, 2, 1, 1, 0, 2])
per_sample = F.cross_entropy(model(x), t, reduction="none")
lam = 1e-2
cost = per_sample.mean() + lam * nn.l2_penalty(model.parameters())
print("per-sample losses:", per_sample.detach().numpy())
print("mean:", round(per_sample.mean().item(), 4), " == F.cross_entropy:", round(F.cross_entropy(model(x), t).item(), 4))
print("cost with lambda * L2:", round(cost.item(), 4))

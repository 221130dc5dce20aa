# %% [markdown]
# # 04 · The perceptron and logistic regression
#
# **What this notebook shows.**
# 1. The **perceptron** $\hat y = \text{step}(w\cdot x + b)$ trained with its own rule $w \leftarrow w + \alpha(y - \hat y)x$:
#    the boundary moving epoch by epoch until no point is misclassified.
# 2. Why gradient descent cannot train it: the step function's derivative is zero wherever it exists, so
#    `backward()` hands back **all-zero** gradients.
# 3. **Logistic regression** from the notes' generative story: two Gaussian classes sharing one covariance have a
#    posterior log-odds that is exactly **linear**, $\log\frac{P(y=1|x)}{P(y=0|x)} = w\cdot x + b$ — checked on a grid.
# 4. Training $\hat y = \sigma(w\cdot x + b)$ with binary cross-entropy recovers that Bayes-optimal boundary, and the
#    gradient with respect to the pre-activation is $\hat y - y$.
# 5. The notes' two formulations of the perceptron (the bias as a weight $w_0$ with $x_0 = 1$), and the notes'
#    perceptron loss $-(y - \hat y)\mathbf x^T\mathbf w$ whose gradient step is the perceptron rule.
# 6. The notes' Example 1: $\partial\mathcal L/\partial w$ of $\frac12(\sigma(wx+b) - y)^2$ by calculus and by
#    back-propagation ($0.0494704$ both ways, and from `backward()`).
# 7. Decision boundaries drawn with `nn.plots.plot_decision_boundary`.

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
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The perceptron rule
#
# Two well separated Gaussian blobs with labels $y \in \{0, 1\}$. The rule only moves the weights when a point is
# misclassified ($y - \hat y = \pm 1$), by adding or subtracting that point.

# %%
Xp, yp = nn.datasets.gaussian_blobs(60, centers=[(-1.0, -0.5), (1.0, 0.8)], std=0.55, seed=4)
w, b, lr = np.array([1.0, -1.0]), 0.0, 0.2          # a deliberately bad start
snapshots, mistakes = [(w.copy(), b)], []
for epoch in range(20):
    errors = 0
    for x_i, y_i in zip(Xp, yp):
        y_hat = float(w @ x_i + b >= 0)                  # step(w.x + b)
        if y_hat != y_i:
            w, b = w + lr * (y_i - y_hat) * x_i, b + lr * (y_i - y_hat)
            errors += 1
    mistakes.append(errors)
    snapshots.append((w.copy(), b))
    if errors == 0:
        break
print("mistakes per epoch:", mistakes)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
xs = np.linspace(-4, 4, 2)
for k, (ws, bs) in enumerate(snapshots):
    if abs(ws[1]) > 1e-9:
        axes[0].plot(xs, -(ws[0] * xs + bs) / ws[1], color=plt.cm.viridis(k / len(snapshots)),
                     lw=1 + 1.5 * (k == len(snapshots) - 1), label=f"after epoch {k}" if k else "start")
for c, col, mk in [(0, "tab:blue", "o"), (1, "tab:red", "^")]:
    axes[0].scatter(*Xp[yp == c].T, c=col, marker=mk, s=20, edgecolors="w", lw=.5)
axes[0].set_xlim(-3, 3); axes[0].set_ylim(-2.5, 2.5); axes[0].legend(fontsize=7, ncol=2)
axes[0].set_title("the perceptron's boundary, epoch by epoch", fontsize=10)
axes[1].bar(range(1, len(mistakes) + 1), mistakes, color="C1")
axes[1].set_xlabel("epoch"); axes[1].set_ylabel("updates (= mistakes)")
axes[1].set_title("it stops when every point is right", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# ### Formulation 1: the bias as a weight
#
# The notes (004, "Perceptron model") write the model two ways: Formulation 1,
# "$\hat{y} = \text{Threshold}(\mathbf{x}^T \cdot \mathbf{w})$ with $\mathbf{x}_0 = 1, \mathbf{w}_0 = b$", and
# Formulation 2, "$\hat{y} = \text{Threshold}(\mathbf{x}^T \cdot \mathbf{w} + b)$", where
# "$\text{Threshold}(z) = 1$ if $z \geq 0$, $\text{Threshold}(z) = 0$ if $z < 0$" (`F.binary_step`, 1 at 0 as in the
# notes). The loop above is formulation 2. Prepending a constant feature $x_0 = 1$ turns the bias into an ordinary
# weight $w_0$, and the rule $w_d \leftarrow w_d + \alpha(y^{(i)} - \hat y^{(i)})x_d^{(i)}$ "$\forall d$" now updates
# $b$ too (for $d = 0$ it is $b \leftarrow b + \alpha(y - \hat y)$). Same start, same samples: the same weights.

# %%
X1 = np.c_[np.ones(len(Xp)), Xp]                        # x_0 = 1
w1 = np.array([0.0, 1.0, -1.0])                          # (w_0 = b, w_1, w_2): the same bad start
for epoch in range(len(mistakes)):
    for x_i, y_i in zip(X1, yp):
        y_hat = F.binary_step(ag.tensor(x_i @ w1)).item()    # Threshold(x^T w)
        w1 = w1 + lr * (y_i - y_hat) * x_i                   # for every d, d = 0 included
print("formulation 1: (w_0 = b, w_1, w_2) =", w1)
print("formulation 2: (b, w_1, w_2)       =", np.r_[b, w])
assert np.allclose(w1, np.r_[b, w])

# %% [markdown]
# ## 2. The step function gives gradient descent nothing to work with
#
# Write the same model with autograd and a squared-error cost, and ask for the gradient:

# %%
X_t, y_t = ag.tensor(Xp), ag.tensor(yp.astype(np.float32))
w_t = ag.tensor([1.0, -1.0], requires_grad=True)
b_t = ag.tensor(0.0, requires_grad=True)
y_hat = F.binary_step(X_t @ w_t + b_t)
cost = ((y_hat - y_t) ** 2).mean()
cost.backward()
print("cost =", round(cost.item(), 3), "(many mistakes)   dcost/dw =", w_t.grad.numpy(), "  dcost/db =", b_t.grad.item())

# %% [markdown]
# Zero: nudging $w$ a little never flips a prediction, so the cost is flat almost everywhere. Replacing the step by
# the smooth sigmoid fixes this — that is logistic regression.

# %% [markdown]
# ### The notes' perceptron loss, and why its gradient "works" anyway
#
# The notes (004, "Perceptron training (minimising a loss)") recover the rule as gradient descent on
# $$\mathcal{L}(y^{(i)}, \hat{y}^{(i)}) = -(y^{(i)} - \hat{y}^{(i)}) \mathbf{x}^T \cdot \mathbf{w},\qquad
# \frac{\partial \mathcal{L}}{\partial w_d} = - \left(\frac{\partial(y^{(i)} - \hat{y}^{(i)})}{\partial w_d} \mathbf{x}^T \mathbf{w} + (y^{(i)} - \hat{y}^{(i)})x_d^{(i)} \right) = - \left(0 + (y^{(i)} - \hat{y}^{(i)}) \cdot x_d^{(i)} \right).$$
# The "0" is the step function's derivative, which is what the engine uses for `F.binary_step` (zero, see above).
# So `backward()` on this loss gives exactly $-(y - \hat y)\,\mathbf x$, one SGD step with learning rate $\alpha$ is
# the perceptron update, and training formulation 1 with `optim.SGD` on it, one sample at a time, ends on the same
# weights as the rule:

# %%
w0 = np.array([0.0, 1.0, -1.0])
i0 = int(np.flatnonzero((X1 @ w0 >= 0) != yp)[0])          # the first sample the start gets wrong
x_i, y_i = X1[i0], yp[i0]
w_l = ag.tensor(w0, requires_grad=True)
z = ag.tensor(x_i) @ w_l
loss = -(y_i - F.binary_step(z)) * z                     # -(y - yhat) x^T w
loss.backward()
print(f"sample {i0} (misclassified): y = {y_i}, yhat = {F.binary_step(z).item():.0f}, L = {loss.item():.4f}")
print("  dL/dw from backward() =", w_l.grad.numpy(), "   -(y - yhat) x =", -(y_i - F.binary_step(z).item()) * x_i + 0.0)
assert np.allclose(w_l.grad.numpy(), -(y_i - F.binary_step(z).item()) * x_i)

w_l = ag.tensor([0.0, 1.0, -1.0], requires_grad=True)
opt = optim.SGD([w_l], lr=lr)
for epoch in range(len(mistakes)):
    for x_i, y_i in zip(X1, yp):
        opt.zero_grad()
        z = ag.tensor(x_i) @ w_l
        (-(y_i - F.binary_step(z)) * z).backward()
        opt.step()
print("SGD on the notes' loss:", w_l.detach().numpy(), "  the perceptron rule:", w1)
assert np.allclose(w_l.detach().numpy(), w1)

# %% [markdown]
# The loss is never negative: on a mistake with $y = 1$ it is $-\mathbf x^T\mathbf w > 0$, with $y = 0$ it is
# $\mathbf x^T\mathbf w \ge 0$, and it is 0 on a correct point. It is the library's `F.perceptron_loss`
# $\max(0, -y'z)$ with the $\pm1$ label $y' = 2y - 1$ — equal on every sample whose $z = \mathbf x^T\mathbf w$ is not 0.
# The notes' caveat — "the derivative of $h_{\mathbf{w}}(\mathbf{x}^{(i)})$ does not exist at $\mathbf{x}^T \mathbf{w} = 0$",
# so "Using the Threshold function lead to instability during training" — is visible in the loss itself: it is
# piecewise linear with a kink wherever a point sits on the boundary, and its gradient jumps from $0$ to
# $-(y - \hat y)\mathbf x$ there.

# %%
z_all = ag.tensor(X1) @ ag.tensor([0.0, 1.0, -1.0])
notes_loss = (-(ag.tensor(yp.astype(float)) - F.binary_step(z_all)) * z_all).numpy() + 0.0
lib_loss = F.perceptron_loss(z_all, ag.tensor(2.0 * yp - 1), reduction="none").numpy()
print("notes' loss, first 6 samples:  ", notes_loss[:6])
print("F.perceptron_loss(z, 2y - 1):  ", lib_loss[:6])
assert np.allclose(notes_loss, lib_loss) and (notes_loss >= 0).all()

# %% [markdown]
# ## 3. Two Gaussian classes give a linear log-odds
#
# The notes' model: $p(x\,|\,y=c) = \mathcal N(x;\mu_c,\Sigma)$ with the **same** $\Sigma$ for both classes. In
# $\log p(x|1) - \log p(x|0)$ the quadratic terms $x^\top\Sigma^{-1}x$ cancel, leaving
# $w = \Sigma^{-1}(\mu_1 - \mu_0)$ and $b = -\tfrac12\mu_1^\top\Sigma^{-1}\mu_1 + \tfrac12\mu_0^\top\Sigma^{-1}\mu_0 + \log\frac{P(1)}{P(0)}$.
# `nn.datasets.gaussian_log_odds()` returns that $(w, b)$; we check it against the log-ratio of the two densities
# evaluated numerically on a grid.

# %%
X, y = nn.datasets.two_gaussians(400, seed=0)
w_bayes, b_bayes = nn.datasets.gaussian_log_odds()
mu0, mu1 = np.array(nn.datasets.TWO_GAUSSIANS_MEANS[0]), np.array(nn.datasets.TWO_GAUSSIANS_MEANS[1])
Sigma = np.array(nn.datasets.TWO_GAUSSIANS_COV)

def log_gauss(P, mu):
    d = P - mu
    return -0.5 * np.einsum("ni,ij,nj->n", d, np.linalg.inv(Sigma), d) - 0.5 * np.log(np.linalg.det(2 * np.pi * Sigma))

gx, gy = np.meshgrid(np.linspace(-4, 4, 80), np.linspace(-3.5, 4, 80))
grid = np.c_[gx.ravel(), gy.ravel()]
log_odds_density = log_gauss(grid, mu1) - log_gauss(grid, mu0)       # equal priors
log_odds_linear = grid @ w_bayes + b_bayes
print("w =", w_bayes, " b =", round(b_bayes, 4))
print("max |density log-ratio - (w.x + b)| on the grid:", f"{np.abs(log_odds_density - log_odds_linear).max():.1e}")

fig, ax = plt.subplots(figsize=(5.6, 4.2))
cs = ax.contour(gx, gy, log_odds_density.reshape(gx.shape), levels=np.arange(-12, 13, 3), cmap="coolwarm")
ax.clabel(cs, fontsize=7)
for c, col, mk in [(0, "tab:blue", "o"), (1, "tab:red", "^")]:
    ax.scatter(*X[y == c].T, c=col, marker=mk, s=10, alpha=.6, label=f"class {c}")
ax.set_title("log p(x|1) - log p(x|0): straight, parallel level lines", fontsize=10)
ax.legend(fontsize=8); ax.set_aspect("equal")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 4. Logistic regression finds it from the data
#
# $\hat y = \sigma(w\cdot x + b)$ is one `nn.Linear(2, 1)` followed by a sigmoid. We train it with binary
# cross-entropy (the logits version, which is numerically safer) and plain gradient descent.

# %%
Xt, yt = ag.tensor(X), ag.tensor(y.astype(np.float32)).reshape(-1, 1)
model = nn.Linear(2, 1)
opt = optim.SGD(model.parameters(), lr=0.5)
losses = []
for step in range(500):
    opt.zero_grad()
    loss = F.binary_cross_entropy_with_logits(model(Xt), yt)
    loss.backward()
    opt.step()
    losses.append(loss.item())
w_learned, b_learned = model.weight.numpy().ravel(), model.bias.item()
print("learned  w =", w_learned, " b =", round(b_learned, 3))
print("Bayes    w =", w_bayes, " b =", round(b_bayes, 3))

# %% [markdown]
# The gradient of the cross-entropy with respect to the **pre-activation** $z = w\cdot x + b$ is simply $\hat y - y$
# (divided by $m$ for the mean) — the sigmoid's derivative cancels against the log:

# %%
z = model(Xt)
z.retain_grad()
F.binary_cross_entropy_with_logits(z, yt).backward()
expected = (ag.sigmoid(z).detach() - yt).numpy() / len(X)
print("dL/dz (engine)   first rows:", z.grad.numpy()[:4].ravel())
print("(yhat - y) / m   first rows:", expected[:4].ravel())
assert np.allclose(z.grad.numpy(), expected, atol=1e-7)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.35, 1]})
nn.plots.plot_decision_boundary(model, X, y, ax=axes[0], title="logistic regression: P(class 1)")
xs = np.linspace(-4, 4, 2)
axes[0].plot(xs, -(w_bayes[0] * xs + b_bayes) / w_bayes[1], "--", color="lime", lw=2.5, label="Bayes boundary (from the Gaussians)")
axes[0].legend(fontsize=8, loc="upper left")
axes[1].plot(losses); axes[1].set_xlabel("gradient step"); axes[1].set_ylabel("binary cross-entropy")
axes[1].set_title("training loss", fontsize=10); axes[1].grid(alpha=.3)
plt.tight_layout(); plt.show()
acc = ((model(Xt).numpy() > 0).ravel() == y).mean()
print(f"training accuracy: {acc:.1%}")

# %% [markdown]
# ## 5. The derivative by calculus and by back-propagation
#
# The notes' "Example 1: Logistic regression / least square (single output)": $z = xw + b$, $\hat y = a = \sigma(z)$,
# $\mathcal L = \frac12(\hat y - y)^2$. "Computing derivative as in calculus class":
# $$\frac{\partial \mathcal{L}}{\partial w} = (\sigma(wx + b) - y) \sigma'(wx + b) x,$$
# and "using back-propagation": $\frac{\partial \mathcal{L}}{\partial \hat{y}} = \hat{y} - y$,
# $\frac{\partial \mathcal{L}}{\partial z} = \frac{\partial \mathcal{L}}{\partial \hat{y}} \sigma'(z)$,
# $\frac{\partial \mathcal{L}}{\partial w} = \frac{\partial \mathcal{L}}{\partial z} x$,
# $\frac{\partial \mathcal{L}}{\partial b} = \frac{\partial \mathcal{L}}{\partial z}$.
# With $x = 0.8$, $w = 0.5$, $b = -0.2$, $y = 0.3$ all three give the same number, $0.0494704$:

# %%
x, w_, b_, y_ = 0.8, 0.5, -0.2, 0.3
sig = lambda t: 1 / (1 + np.exp(-t))
calculus = (sig(w_ * x + b_) - y_) * sig(w_ * x + b_) * (1 - sig(w_ * x + b_)) * x     # sigma' = sigma (1 - sigma)

z = x * w_ + b_                                  # back-propagation, step by step, backwards
y_hat = sig(z)
dL_dyhat = y_hat - y_
dL_dz = dL_dyhat * y_hat * (1 - y_hat)
dL_dw, dL_db = dL_dz * x, dL_dz

w_t = ag.tensor(w_, dtype=ag.float64, requires_grad=True)
b_t = ag.tensor(b_, dtype=ag.float64, requires_grad=True)
L = 0.5 * (ag.sigmoid(x * w_t + b_t) - y_) ** 2
L.backward()
print(f"calculus class : dL/dw = {calculus:.7f}")
print(f"by hand, backwards: dL/dw = {dL_dw:.7f}   dL/db = {dL_db:.7f}")
print(f"engine backward(): dL/dw = {w_t.grad.item():.7f}   dL/db = {b_t.grad.item():.7f}")
assert round(calculus, 7) == round(dL_dw, 7) == round(w_t.grad.item(), 7) == 0.0494704
assert np.isclose(b_t.grad.item(), dL_db)

# %% [markdown]
# # 16 · Feature maps: from logistic regression to networks
#
# **What this notebook shows.** The notes' bridge from a linear classifier to a neural network (002, "What if we
# want a non-linear decision boundary?"; 004, "Limitation of linear classifiers"):
# 1. **A fixed basis function makes a non-linear problem linear.** The notes' map
#    $\Phi:(x_1,x_2)\mapsto(x_1^2,\,x_2^2,\,\sqrt2\,x_1x_2)$ sends a disk-inside-a-ring data set to $\mathbb R^3$, where
#    logistic regression $p(y=1|\mathbf x) = 1/(1+e^{-\mathbf w^T\phi(\mathbf x)})$ finds a plane; back in the plane
#    the boundary is an ellipse. (Why $\sqrt2$: $\Phi(\mathbf x)\cdot\Phi(\mathbf x') = (\mathbf x\cdot\mathbf x')^2$, asserted.)
# 2. **XOR by AND and OR** (004): a linear classifier models AND and OR but not XOR; projected to
#    $\mathbf x' = (\mathrm{AND}(x_1,x_2), \mathrm{OR}(x_1,x_2))$, XOR is linear.
# 3. **Polynomial and Gaussian (RBF) features** on the two moons: more fixed basis functions, curvier boundaries.
# 4. **"Learn the basis functions directly from data"**: $\phi(\mathbf x;\mathbf U) = \sigma(\mathbf U\mathbf x)$,
#    $h(\mathbf x) = \mathbf w^T\phi(\mathbf x)$ is a one-hidden-layer network; the learned basis functions drawn next
#    to the fixed ones; and why the non-linearity is needed (linear layers collapse to $\mathbf x\mathbf W' + \mathbf b'$, asserted).
# 5. **Multi-class decision boundaries** (the notes' figure: "4-class classification, 2-hidden layer NN, ReLU
#    activations, L2 norm regularization", and "2-class classification, 1-hidden layer NN, L2 norm
#    regularization"), with the softmax's redundant parameters and its $K=2$ case.
# 6. **Lasso vs ridge** (the notes' FIGURE 3.11): why an $\ell_1$ constraint gives exact zeros and $\ell_2$ only small values.

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

def train(model, X, y, loss_fn, steps, lr, penalty=None):
    """Full-batch Adam; `penalty()` (if given) is added to the loss. Returns the losses."""
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        if penalty is not None:
            loss = loss + penalty()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses

def accuracy(model, X, y):
    with ag.no_grad():
        out = model(X).numpy()
    pred = (out[:, 0] > 0) if out.shape[1] == 1 else out.argmax(1)
    return float(np.mean(pred == y))

class FeatureModel(nn.Module):
    """Logistic regression on fixed features: h(x) = w^T phi(x) + b."""
    def __init__(self, phi, n_features, n_out=1):
        super().__init__()
        self.phi = phi
        self.linear = nn.Linear(n_features, n_out)
    def forward(self, x):
        return self.linear(self.phi(x))

# %% [markdown]
# ## 1. The notes' $\Phi(x_1,x_2) = (x_1^2,\ x_2^2,\ \sqrt2 x_1x_2)$
#
# The notes (002):
#
# > - What if we want a non-linear decision boundary?
# >   - Choose basis functions, e.g: $\phi(\mathbf{x}) \sim \{x^2, \sin(x), \log(x), \dots\}$
# >
# > $$p(y = 1|\mathbf{x}) = \frac{1}{1 + e^{-\mathbf{w}^T \phi(\mathbf{x})}}\qquad
# > \Phi : \begin{pmatrix} x_1 \\ x_2 \end{pmatrix} \rightarrow \begin{pmatrix} x_1^2 \\ x_2^2 \\ \sqrt{2}x_1x_2 \end{pmatrix} \quad \mathbb{R}^2 \rightarrow \mathbb{R}^3$$
#
# Data: class 1 inside a tilted ellipse, class 0 in a ring around it. No straight line separates them.

# %%
rng = np.random.default_rng(0)
n = 300
r = np.where(np.arange(n) % 2 == 0, rng.uniform(0, 0.8, n), rng.uniform(1.2, 1.8, n))
ang = rng.uniform(0, 2 * np.pi, n)
E = np.array([[1.4, 0.0], [0.6, 0.8]])                 # stretch and shear: the class-1 region is a tilted ellipse
Xr = ((np.c_[r * np.cos(ang), r * np.sin(ang)]) @ E.T).astype(np.float32)
yr = (np.arange(n) % 2 == 0).astype(np.int64)
Xr_t, yr_t = ag.tensor(Xr), ag.tensor(yr.astype(np.float32)).reshape(-1, 1)

def Phi(x):
    """The notes' feature map R^2 -> R^3 (works on Tensors and on arrays)."""
    x1, x2 = x[:, 0:1], x[:, 1:2]
    cat = ag.cat if isinstance(x, ag.Tensor) else (lambda parts, dim: np.concatenate(parts, axis=dim))
    return cat([x1 * x1, x2 * x2, np.sqrt(2) * x1 * x2], 1)

# Phi(x).Phi(x') = x1^2 x1'^2 + x2^2 x2'^2 + 2 x1 x2 x1' x2' = (x.x')^2: the reason for the sqrt(2)
a, b = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
assert np.allclose((Phi(a) * Phi(b)).sum(1), ((a * b).sum(1)) ** 2)
print("Phi(x).Phi(x') == (x.x')^2 on 5 random pairs: True")

ag.manual_seed(0)
plain = nn.Linear(2, 1)
train(plain, Xr_t, yr_t, F.binary_cross_entropy_with_logits, 600, 0.05)
ag.manual_seed(0)
lifted = FeatureModel(Phi, 3)
train(lifted, Xr_t, yr_t, F.binary_cross_entropy_with_logits, 600, 0.05)
acc_plain, acc_lifted = accuracy(plain, Xr_t, yr), accuracy(lifted, Xr_t, yr)
print(f"logistic regression on x:      accuracy {acc_plain:.3f}")
print(f"logistic regression on Phi(x): accuracy {acc_lifted:.3f}")
assert acc_lifted == 1.0 and acc_plain < 0.75

# %% [markdown]
# In $\mathbb R^3$ the two classes are split by the plane $\mathbf w^T\Phi(\mathbf x) + b = 0$ (left). Pulled back to the
# plane, $w_1x_1^2 + w_2x_2^2 + \sqrt2 w_3x_1x_2 + b = 0$ is a conic, here an ellipse (right): a linear model in
# the features, a non-linear boundary in the inputs.

# %%
P = Phi(Xr)
w, b0 = lifted.linear.weight.numpy().ravel(), lifted.linear.bias.item()
fig = plt.figure(figsize=(18, 5.2))
ax3 = fig.add_subplot(1, 3, 1, projection="3d")
for k, c in [(0, "#2166ac"), (1, "#b2182b")]:
    ax3.scatter(*P[yr == k].T, s=8, color=c, label=f"class {k}")
g1, g2 = np.meshgrid(np.linspace(0, P[:, 0].max(), 10), np.linspace(0, P[:, 1].max(), 10))
ax3.plot_surface(g1, g2, -(w[0] * g1 + w[1] * g2 + b0) / w[2], alpha=.25, color="gray")
ax3.set_zlim(P[:, 2].min(), P[:, 2].max())
ax3.set_xlabel("$x_1^2$"); ax3.set_ylabel("$x_2^2$"); ax3.set_zlabel(r"$\sqrt{2}x_1x_2$")
ax3.set_title("features $\\Phi(\\mathbf{x})\\in\\mathbb{R}^3$:\na plane separates the classes", fontsize=10)
ax3.view_init(elev=18, azim=-60); ax3.legend(fontsize=8)
nn.plots.plot_decision_boundary(plain, Xr, yr, ax=fig.add_subplot(1, 3, 2), title="logistic regression on x", margin=0.3, resolution=150)
nn.plots.plot_decision_boundary(lifted, Xr, yr, ax=fig.add_subplot(1, 3, 3),
                                title="logistic regression on $\\Phi(x)$", margin=0.3, resolution=150)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 2. XOR through AND and OR
#
# The notes (004): "Perceptron and Logistic Regression are linear classifiers — can model AND, OR operators —
# cannot model XOR operator", and the solution: "project the input data $\mathbf x$ in a new space $\mathbf x'$",
# $x_1^{[1]} = \mathrm{AND}(x_1^{[0]}, x_2^{[0]})$, $x_2^{[1]} = \mathrm{OR}(x_1^{[0]}, x_2^{[0]})$ — "We therefore need one
# hidden layer of projection".
#
# First, logistic regression on the four corners, trained on each truth table:

# %%
C = ag.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
tables = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
for name, t in tables.items():
    ag.manual_seed(0)
    m = nn.Linear(2, 1)
    losses = train(m, C, ag.tensor(t, dtype=ag.float32).reshape(-1, 1), F.binary_cross_entropy_with_logits, 2000, 0.1)
    acc = accuracy(m, C, np.array(t))
    print(f"{name:>3}: accuracy {acc:.2f}, final loss {losses[-1]:.3f}")
    assert (acc == 1.0) == (name != "XOR")

# %% [markdown]
# The projection, with the notes' threshold units $\mathrm{Threshold}(z) = 1$ if $z \ge 0$ (`F.binary_step`):
# $\mathrm{AND} = \mathrm{step}(x_1 + x_2 - 1.5)$, $\mathrm{OR} = \mathrm{step}(x_1 + x_2 - 0.5)$. In the new space one line,
# $\mathrm{OR} - \mathrm{AND} - 0.5 = 0$, separates XOR: a two-layer network with hand-set weights.

# %%
AND = F.binary_step(C[:, 0] + C[:, 1] - 1.5)
OR = F.binary_step(C[:, 0] + C[:, 1] - 0.5)
Xp = ag.stack([AND, OR], 1)
xor_out = F.binary_step(Xp[:, 1] - Xp[:, 0] - 0.5)
print("x' = (AND, OR):", Xp.numpy().tolist())
print("step(OR - AND - 0.5):", xor_out.numpy())
assert xor_out.numpy().tolist() == [0, 1, 1, 0]

fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for ax, pts, title, lab in [(axes[0], C.numpy(), "input space $x$", ("$x_1$", "$x_2$")),
                            (axes[1], Xp.numpy(), "$x' = $(AND, OR): one line separates XOR", ("AND$(x_1,x_2)$", "OR$(x_1,x_2)$"))]:
    for p, t, corner in zip(pts, tables["XOR"], C.numpy()):
        ax.scatter(*p, s=160, c="tab:red" if t else "tab:blue", marker="^" if t else "o", edgecolors="k", zorder=3)
        ax.annotate(f"({corner[0]:.0f},{corner[1]:.0f})", p, xytext=(8, 6 if corner[0] else -14), textcoords="offset points")
    ax.set_xlim(-.3, 1.5); ax.set_ylim(-.3, 1.4); ax.set_xlabel(lab[0]); ax.set_ylabel(lab[1]); ax.grid(alpha=.3)
    ax.set_title(title, fontsize=10)
axes[1].plot([-.3, 1.5], [0.2, 2.0], "k", lw=2, label="OR − AND − 0.5 = 0")
axes[1].legend(fontsize=8, loc="lower right")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. More fixed basis functions: polynomials and Gaussian bumps
#
# On the two moons, logistic regression on three choices of $\phi(\mathbf x)$, all trained the same way:
# - $\phi(\mathbf x) = \mathbf x$ (plain logistic regression);
# - all monomials $x_1^i x_2^j$ with $1 \le i + j \le 3$ (9 features);
# - 25 Gaussian "radial basis functions" $\phi_j(\mathbf x) = e^{-\|\mathbf x - \mathbf c_j\|^2 / 2s^2}$, centres $\mathbf c_j$ on a 5×5 grid, $s = 0.5$.

# %%
Xm, ym = nn.datasets.moons(n=300, noise=0.15, seed=0)
Xm_t, ym_t = ag.tensor(Xm), ag.tensor(ym.astype(np.float32)).reshape(-1, 1)
powers = [(i, d - i) for d in range(1, 4) for i in range(d, -1, -1)]

def poly(x):
    return ag.cat([x[:, 0:1] ** i * x[:, 1:2] ** j for i, j in powers], 1)

cx, cy = np.meshgrid(np.linspace(-1.2, 2.2, 5), np.linspace(-0.8, 1.3, 5))
centres = ag.tensor(np.c_[cx.ravel(), cy.ravel()].astype(np.float32))          # (25, 2)
s_rbf = 0.5

def rbf(x):
    d2 = ((x.unsqueeze(1) - centres.unsqueeze(0)) ** 2).sum(2)                    # (n, 25) squared distances
    return ag.exp(-d2 / (2 * s_rbf ** 2))

LOGREG, RBF = "$\\phi(x) = x$ (logistic regression)", "25 Gaussian bumps (RBF)"
models = {LOGREG: FeatureModel(lambda x: x, 2),
          f"{len(powers)} polynomial features (degree ≤ 3)": FeatureModel(poly, len(powers)),
          RBF: FeatureModel(rbf, 25)}
for name, m in models.items():
    ag.manual_seed(0)
    m.linear.reset_parameters()
    train(m, Xm_t, ym_t, F.binary_cross_entropy_with_logits, 1000, 0.05)
fixed_acc = {name: accuracy(m, Xm_t, ym) for name, m in models.items()}
for name, a in fixed_acc.items():
    print(f"{name:>38}: training accuracy {a:.3f}")

fig, axes = plt.subplots(1, 3, figsize=(17.5, 4.6))
for ax, (name, m) in zip(axes, models.items()):
    nn.plots.plot_decision_boundary(m, Xm, ym, ax=ax, title=name, margin=0.4, resolution=150)
axes[2].scatter(*centres.numpy().T, marker="+", color="k", s=60, zorder=5)
plt.tight_layout(); plt.show()

# %% [markdown]
# Both kinds of fixed features bend the boundary; but someone had to choose them (which powers? where to put the
# bumps, how wide?), and their number grows fast with the input dimension (degree-3 monomials in $m$ inputs:
# $\binom{m+3}{3} - 1$; for a 28×28 image, about $8.1\times10^7$).

# %% [markdown]
# ## 4. Learn the basis functions: a one-hidden-layer network
#
# The notes (002): "What if we don't know what basis functions we want? — Learn the basis functions directly from
# data, $\phi(\mathbf{x}; \mathbf{u})\ \mathbb{R}^m \rightarrow \mathbb{R}^d$ [...] Define the basis functions
# $\phi_j(\mathbf{x}; \mathbf{u}) = \sigma(\mathbf{u}_j^T \mathbf{x})$ [...] Full model becomes
# $h(\mathbf{x}; \mathbf{w}, \mathbf{U}) = \mathbf{w}^T \phi(\mathbf{x}; \mathbf{U})$."
#
# That is `nn.Linear(2, d)` → `nn.Sigmoid()` → `nn.Linear(d, 1)` (the biases play the role of a constant input
# $x_0 = 1$). With $d = 8$ learned sigmoid ridges:

# %%
ag.manual_seed(0)
d = 8
net = nn.Sequential(nn.Linear(2, d), nn.Sigmoid(), nn.Linear(d, 1))
train(net, Xm_t, ym_t, F.binary_cross_entropy_with_logits, 2000, 0.05)
acc_net = accuracy(net, Xm_t, ym)
print(f"h(x) = w^T sigma(Ux) with d = {d}: training accuracy {acc_net:.3f}  (25 fixed RBF features: "
      f"{fixed_acc[RBF]:.3f}, logistic regression: {fixed_acc[LOGREG]:.3f})")
assert acc_net >= 0.97

# %% [markdown]
# Top: four of the 25 *fixed* basis functions (Gaussian bumps, placed by us). Bottom: four of the 8 *learned*
# ones, $\sigma(\mathbf u_j^T\mathbf x + b_j)$, each a soft step along a direction training chose, weighted by $w_j$.

# %%
gx, gy = np.meshgrid(np.linspace(-1.6, 2.6, 120), np.linspace(-1.2, 1.7, 100))
grid = ag.tensor(np.c_[gx.ravel(), gy.ravel()].astype(np.float32))
with ag.no_grad():
    fixed_phi = rbf(grid).numpy()
    learned_phi = net[1](net[0](grid)).numpy()
w_out = net[2].weight.numpy().ravel()
order = np.argsort(-np.abs(w_out))[:4]
fig, axes = plt.subplots(2, 4, figsize=(14, 5.6), sharex=True, sharey=True)
for ax, j in zip(axes[0], [6, 8, 12, 18]):
    ax.contourf(gx, gy, fixed_phi[:, j].reshape(gx.shape), levels=10, cmap="viridis")
    ax.set_title(f"fixed RBF $\\phi_{{{j}}}$, centre ({centres.numpy()[j, 0]:.1f}, {centres.numpy()[j, 1]:.1f})", fontsize=9)
for ax, j in zip(axes[1], order):
    ax.contourf(gx, gy, learned_phi[:, j].reshape(gx.shape), levels=10, cmap="viridis")
    ax.set_title(f"learned $\\sigma(\\mathbf{{u}}_{{{j}}}^T\\mathbf{{x}})$, $w_{{{j}}}$ = {w_out[j]:+.1f}", fontsize=9)
for ax in axes.ravel():
    ax.scatter(Xm[:, 0], Xm[:, 1], c=np.where(ym, "tab:red", "white"), s=4, alpha=.6)
plt.tight_layout(); plt.show()

fig, ax = plt.subplots(figsize=(6.4, 4.8))
nn.plots.plot_decision_boundary(net, Xm, ym, ax=ax, title=f"$h(x) = w^T\\sigma(Ux)$, d = {d} learned basis functions", margin=0.4, resolution=150)
plt.tight_layout(); plt.show()

# %% [markdown]
# **Why the non-linearity $\sigma$ is needed** (004, "Why non-linear activation functions?"): with identity
# activations, $\mathbf a^{[2]} = (\mathbf x\mathbf W^{[1]} + \mathbf b^{[1]})\mathbf W^{[2]} + \mathbf b^{[2]} = \mathbf x\mathbf W' + \mathbf b'$,
# "the network reduces to a simple linear function". The notes write $\mathbf z = \mathbf x\mathbf W + \mathbf b$ with
# $\mathbf W$ of shape (in, out); `nn.Linear` stores the transpose, so $\mathbf W^{[l]}$ = `weight.T`.

# %%
ag.manual_seed(0)
linear_net = nn.Sequential(nn.Linear(2, d), nn.Identity(), nn.Linear(d, 1))
train(linear_net, Xm_t, ym_t, F.binary_cross_entropy_with_logits, 2000, 0.05)
W1, b1 = linear_net[0].weight.numpy().T, linear_net[0].bias.numpy()
W2, b2 = linear_net[2].weight.numpy().T, linear_net[2].bias.numpy()
W_prime, b_prime = W1 @ W2, b1 @ W2 + b2
with ag.no_grad():
    collapse_err = np.abs(linear_net(Xm_t).numpy() - (Xm @ W_prime + b_prime)).max()
print(f"max |network - (x W' + b')| = {collapse_err:.1e};  W' = {W_prime.ravel().round(3)}, b' = {b_prime.round(3)}")
print(f"accuracy with identity activations: {accuracy(linear_net, Xm_t, ym):.3f}"
      f"  (logistic regression: {fixed_acc[LOGREG]:.3f})")
assert collapse_err < 1e-4
assert abs(accuracy(linear_net, Xm_t, ym) - fixed_acc[LOGREG]) <= 0.02

# %% [markdown]
# ## 5. Multi-class decision boundaries, with and without L2
#
# The notes' figure (002, "Neural Network Decision Boundaries"): a 4-class problem with a 2-hidden-layer ReLU
# network, and a 2-class problem with a 1-hidden-layer network, both with L2 norm regularization. Here the L2 term
# is the notes' $\frac{\lambda}{2m}\sum_l \|\mathbf W^{[l]}\|_F^2$ on the weight matrices (not the biases) added to the
# mean cross-entropy; left without it, right with it. The penalty keeps the weights small, and the boundaries
# smoother (004: "large λ ⇒ W ≈ 0 ⇒ simpler network").

# %%
Xb, yb = nn.datasets.gaussian_blobs(n=400, centers=[[-2, -2], [2, -2], [-2, 2], [2, 2]], std=1.3, seed=1)
Xb = Xb.astype(np.float32)
Xb_t, yb_t = ag.tensor(Xb), ag.tensor(yb)
Xb_new, yb_new = nn.datasets.gaussian_blobs(n=2000, centers=[[-2, -2], [2, -2], [-2, 2], [2, 2]], std=1.3, seed=2)
Xb_new_t = ag.tensor(Xb_new.astype(np.float32))                    # new points from the same four blobs

def make_4class():
    return nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))

def make_2class():
    return nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1))

def l2_of(model, lam, m):
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    return lambda: lam / (2 * m) * sum((W ** 2).sum() for W in weights)

boundary_nets = {}
LAM4, LAM2 = 4.0, 0.5          # lambda for the 4-class and the 2-class problem
for lam4, lam2 in [(0.0, 0.0), (LAM4, LAM2)]:
    ag.manual_seed(0)
    net4 = make_4class()
    train(net4, Xb_t, yb_t, F.cross_entropy, 800, 0.02, penalty=l2_of(net4, lam4, len(Xb)))
    ag.manual_seed(0)
    net2 = make_2class()
    train(net2, Xm_t, ym_t, F.binary_cross_entropy_with_logits, 800, 0.02, penalty=l2_of(net2, lam2, len(Xm)))
    boundary_nets[lam4 > 0] = (net4, net2)
    norm4 = sum((p ** 2).sum().item() for name, p in net4.named_parameters() if name.endswith("weight"))
    norm2 = sum((p ** 2).sum().item() for name, p in net2.named_parameters() if name.endswith("weight"))
    print(f"4 classes, lambda = {lam4:>3}: accuracy {accuracy(net4, Xb_t, yb):.3f} (on 2000 new points "
          f"{accuracy(net4, Xb_new_t, yb_new):.3f}), sum ||W||_F^2 = {norm4:7.1f};   "
          f"2 classes, lambda = {lam2:>3}: accuracy {accuracy(net2, Xm_t, ym):.3f}, sum ||W||_F^2 = {norm2:7.1f}")

assert accuracy(boundary_nets[True][0], Xb_new_t, yb_new) > accuracy(boundary_nets[False][0], Xb_new_t, yb_new)
fig, axes = plt.subplots(2, 2, figsize=(13, 10.5))
for col, (lam4, lam2) in enumerate([(0.0, 0.0), (LAM4, LAM2)]):
    net4, net2 = boundary_nets[lam4 > 0]
    nn.plots.plot_decision_boundary(net4, Xb, yb, ax=axes[0, col], margin=0.5, resolution=150,
                                    title=f"4 classes, 2 hidden ReLU layers (32, 32), λ = {lam4:g}")
    nn.plots.plot_decision_boundary(net2, Xm, ym, ax=axes[1, col], margin=0.4, resolution=150,
                                    title=f"2 classes, 1 hidden ReLU layer (32), λ = {lam2:g}")
plt.tight_layout(); plt.show()

# %% [markdown]
# Without the penalty the 4-class network carves islands around single points of the other classes (training
# accuracy up, boundary implausible); with it the boundaries are nearly the straight lines between the blobs, and
# on 2000 new points from the same blobs it does better than the unregularised one (printed above).

# %% [markdown]
# The notes' two intuitions for why this works (004, "Why regularisation reduces over-fitting?"): a large λ pushes
# $\mathbf W \approx 0$, a simpler network; and with small weights the pre-activations $z$ stay small, where
# $\tanh(z) \approx z$ is nearly linear, so the whole network is nearly linear. Measured on a tanh version of the
# 2-class network: the share of hidden pre-activations with $|z| < 0.5$ (where $|\tanh z - z| < 0.04$):

# %%
for lam in [0.0, 5.0]:
    ag.manual_seed(0)
    net_t = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 1))
    train(net_t, Xm_t, ym_t, F.binary_cross_entropy_with_logits, 600, 0.02, penalty=l2_of(net_t, lam, len(Xm)))
    with ag.no_grad():
        z = net_t[0](Xm_t).numpy()
    wn = sum((p ** 2).sum().item() for name, p in net_t.named_parameters() if name.endswith("weight"))
    print(f"tanh network, lambda = {lam}: sum ||W||_F^2 = {wn:6.1f}, pre-activations with |z| < 0.5: "
          f"{np.mean(np.abs(z) < 0.5):.0%}, training accuracy {accuracy(net_t, Xm_t, ym):.3f}")
    if lam == 0.0:
        share0 = np.mean(np.abs(z) < 0.5)
assert np.mean(np.abs(z) < 0.5) > share0 + 0.2

# %% [markdown]
# With λ = 5 nearly every unit works in tanh's linear part, and the training accuracy falls to that of plain
# logistic regression (0.890): the penalty has made the network almost linear. λ is the knob between the two.

# %% [markdown]
# **The softmax's redundant parameters** (004, "Output activation function: softmax"): "if we subtract some fixed
# vector ψ from each $\mathbf w_o$, we get the same results"; the common choice is $\psi = \mathbf w_K$. For $K = 2$
# with $\psi = \mathbf w_1$: $P(y=1|\mathbf x) = \frac{1}{1 + e^{(\mathbf w_2 - \mathbf w_1)\mathbf x}}$, logistic regression.
# Checked on the output layer of the 4-class network (the bias is the weight of the constant input, shifted with it):

# %%
net4 = boundary_nets[False][0]
with ag.no_grad():
    hidden = net4[3](net4[2](net4[1](net4[0](Xb_t)))).to(ag.float64)   # the last hidden layer's output
    Wo, bo = net4[4].weight.to(ag.float64), net4[4].bias.to(ag.float64)   # (4, 32), (4,), in float64
    probs = F.softmax(hidden @ Wo.T + bo, dim=1).numpy()
    shifted = F.softmax(hidden @ (Wo - Wo[3]).T + (bo - bo[3]), dim=1).numpy()     # psi = w_K
    logits = (hidden @ (Wo - Wo[3]).T + (bo - bo[3])).numpy()
print("max |softmax(w) - softmax(w - w_K)| =", np.abs(probs - shifted).max(), "; the last logit is then", np.abs(logits[:, 3]).max())
assert np.allclose(probs, shifted, atol=1e-12) and np.all(logits[:, 3] == 0)

# K = 2: a softmax over two scores is the logistic sigmoid of their difference
with ag.no_grad():
    two = hidden @ Wo[:2].T + bo[:2]                                # classes 0 and 1 only
    p1_softmax = F.softmax(two, dim=1).numpy()[:, 0]
    p1_logistic = (1 / (1 + ag.exp(two[:, 1] - two[:, 0]))).numpy()
print("K = 2: max |softmax_1 - 1/(1 + e^{(w2-w1)x})| =", np.abs(p1_softmax - p1_logistic).max())
assert np.allclose(p1_softmax, p1_logistic, atol=1e-12)

# %% [markdown]
# ## 6. Lasso vs ridge: the notes' FIGURE 3.11
#
# The notes (004): "L1 regularisation (Lasso): will end up with sparse $\mathbf w$ (many zero); L2 regularisation
# (Ridge): will end up with small values of $\mathbf w$", with FIGURE 3.11: "Estimation picture for the lasso (left)
# and ridge regression (right). Shown are contours of the error and constraint functions. The solid blue areas are
# the constraint regions $|\beta_1| + |\beta_2| \leq t$ and $\beta_1^2 + \beta_2^2 \leq t^2$, respectively, while the red
# ellipses are the contours of the least squares error function."
#
# A least-squares problem with two correlated features; the constrained minimum is where the smallest error
# ellipse first touches the constraint region. We find it by evaluating the error along the region's boundary
# (2000 points per edge, the diamond's corners included): the diamond's corners stick out, so the ellipse usually
# touches a corner, where one $\beta_j$ is **exactly** 0.

# %%
rng = np.random.default_rng(3)
Xl = rng.standard_normal((100, 2)) @ np.array([[1.0, 0.0], [0.6, 0.8]])
yl = Xl @ np.array([2.0, 0.7]) + 0.5 * rng.standard_normal(100)
beta_hat = np.linalg.lstsq(Xl, yl, rcond=None)[0]
rss = lambda B: ((yl[:, None] - Xl @ B.T) ** 2).sum(0)            # B: (k, 2) -> (k,)

def boundary(kind, t, n_edge=2000):
    s = np.linspace(0, 1, n_edge, endpoint=False)
    if kind == "lasso":                                            # the diamond |b1| + |b2| = t, corners included
        corners = t * np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]])
        return np.concatenate([c0 + s[:, None] * (c1 - c0) for c0, c1 in zip(corners[:-1], corners[1:])])
    th = np.linspace(0, 2 * np.pi, 4 * n_edge, endpoint=False)
    return t * np.c_[np.cos(th), np.sin(th)]

def constrained_min(kind, t, rss=rss):
    B = boundary(kind, t)
    return B[np.argmin(rss(B))]

t = 1.0
sol = {kind: constrained_min(kind, t) for kind in ["lasso", "ridge"]}
print("least squares beta_hat:", beta_hat.round(3))
for kind, bsol in sol.items():
    print(f"{kind:>5} (t = {t}): beta = {bsol.round(4)}")
assert sol["lasso"][1] == 0.0 and np.all(np.abs(sol["ridge"]) > 0.1)

fig, axes = plt.subplots(1, 2, figsize=(11, 5.2))
g1, g2 = np.meshgrid(np.linspace(-1.5, 3, 200), np.linspace(-1.5, 2.2, 200))
Z = rss(np.c_[g1.ravel(), g2.ravel()]).reshape(g1.shape)
for ax, kind in zip(axes, ["lasso", "ridge"]):
    B = boundary(kind, t)
    ax.fill(B[:, 0], B[:, 1], color="#4a90d9", alpha=.8)
    levels = rss(sol[kind][None])[0] + np.array([0, 60, 150, 300, 500])
    ax.contour(g1, g2, Z, levels=levels, colors="#d62728", linewidths=1.2)
    ax.plot(*beta_hat, "ko"); ax.annotate(r"$\hat\beta$ (least squares)", beta_hat, xytext=(6, 6), textcoords="offset points")
    ax.plot(*sol[kind], "o", color="gold", mec="k", ms=9, zorder=5)
    ax.annotate(f"constrained minimum\n({sol[kind][0]:.2f}, {sol[kind][1]:.2f})", sol[kind], xytext=(8, -34),
                textcoords="offset points", fontsize=9)
    ax.axhline(0, color="gray", lw=.6); ax.axvline(0, color="gray", lw=.6)
    ax.set_aspect("equal"); ax.set_xlabel(r"$\beta_1$"); ax.set_ylabel(r"$\beta_2$")
    ax.set_title(("lasso: $|\\beta_1| + |\\beta_2| \\leq t$" if kind == "lasso" else "ridge: $\\beta_1^2 + \\beta_2^2 \\leq t^2$")
                 + f", t = {t:g}", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# One picture could be luck. Over 500 random least-squares problems (random correlated features and true
# coefficients) with the least-squares solution outside the region, how often is a constrained coefficient exactly 0?

# %%
rng = np.random.default_rng(4)
hits = {"lasso": 0, "ridge": 0}
trials = 0
while trials < 500:
    A = rng.standard_normal((2, 2))
    Xs = rng.standard_normal((30, 2)) @ A
    ys = Xs @ rng.uniform(-3, 3, 2) + 0.3 * rng.standard_normal(30)
    bh = np.linalg.lstsq(Xs, ys, rcond=None)[0]
    if np.abs(bh).sum() <= 1.0:
        continue                                    # the constraint would not bind
    trials += 1
    r_s = lambda B, Xs=Xs, ys=ys: ((ys[:, None] - Xs @ B.T) ** 2).sum(0)
    for kind in hits:
        hits[kind] += np.any(constrained_min(kind, 1.0, r_s) == 0.0)
print(f"a coefficient exactly 0: lasso {hits['lasso']}/500, ridge {hits['ridge']}/500")
assert hits["lasso"] > 100 and hits["ridge"] == 0

# %% [markdown]
# # 18 · The loss landscape
#
# **What this notebook shows.** The notes' (003) answers to "How many local minima are they? Are they good or bad?",
# each measured:
# 1. **Stationary points told apart by the Hessian**: the zeros of the gradient of a two-parameter function, found
#    with Newton's method, classified by the eigenvalues of $\mathbf H_{\boldsymbol\theta}[g](\boldsymbol\theta_0) = \mathbf J_{\boldsymbol\theta}[\nabla_{\boldsymbol\theta} g](\boldsymbol\theta_0)$
#    (`ag.functional.hessian`); gradient descent leaves the maximum and the saddles and stays at the minimum; and a case
#    where the Hessian cannot decide; and, for contrast, the notes' convex logistic-regression loss (no negative
#    eigenvalue anywhere, one minimum reached from every start).
# 2. **Identifiability**: reordering the hidden units of a network, or scaling a ReLU unit's incoming weights and bias
#    by $\beta$ and its outgoing weights by $1/\beta$, gives exactly the same function (asserted) — $N!^K$ orderings, a
#    continuum of scalings, all equivalent minima. Not for tanh.
# 3. **Saddles dominate in high dimension**: for a random symmetric "Hessian", the chance that all $P$ eigenvalues are
#    positive collapses as $P$ grows; and on a real network's training run, the long plateau is a region of small
#    gradient *and* negative curvature (a saddle), which gradient descent leaves.
# 4. **The $\sqrt B$ law** of mini-batch noise: the standard deviation of a mini-batch gradient of size $M$ falls as
#    $1/\sqrt M$ (slope $-\frac12$ on a log-log plot, measured); with the notes' $B = T/M$ mini-batches per epoch it grows as $\sqrt B$.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
from autograd.functional import hessian
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

def value_and_grad(f, theta_np):
    """f(theta) and its gradient by the engine, for a float64 parameter vector."""
    th = ag.tensor(np.asarray(theta_np, dtype=np.float64), requires_grad=True)
    out = f(th)
    out.backward()
    return out.item(), th.grad.numpy()

def hess(f, theta_np):
    return hessian(f, ag.tensor(np.asarray(theta_np, dtype=np.float64))).numpy()

# %% [markdown]
# ## 1. Stationary points and the Hessian
#
# The notes (003): "We call *zero* of the gradient a point $\theta_0 \in \mathbb{R}^P$ such that
# $\nabla g(\boldsymbol{\theta}_0) = \mathbf{0}_P$. Also called stationary points of $g$: the points where $g$ is locally constant,
# i.e., 'flat'. [...] In case of doubt, it is possible to distinguish between the 3 by looking at the Hessian
# $\mathbf{H}_{\boldsymbol{\theta}}[g](\boldsymbol{\theta}_0) \stackrel{\text{def}}{=} \mathbf{J}_{\boldsymbol{\theta}}[\nabla_{\boldsymbol{\theta}} g](\boldsymbol{\theta}_0)$
# — 'Second order derivative of $g$'": all eigenvalues $> 0$, a local minimum; all $< 0$, a local maximum; both signs, a saddle.
#
# $g(\theta_1, \theta_2) = \theta_1^3 - 3\theta_1 + \theta_2^3 - 3\theta_2$ has four stationary points. Newton's method
# $\boldsymbol\theta \leftarrow \boldsymbol\theta - \mathbf H^{-1}\nabla g$ finds zeros of the gradient of *any* kind; from 25 starts on a grid:

# %%
def g(th):
    return th[0] ** 3 - 3 * th[0] + th[1] ** 3 - 3 * th[1]

found = []
for s1 in np.linspace(-2, 2, 5):
    for s2 in np.linspace(-2, 2, 5):
        th = np.array([s1, s2]) + 0.01                   # off the lines where H is singular
        for _ in range(30):
            _, gr = value_and_grad(g, th)
            th = th - np.linalg.solve(hess(g, th), gr)
        if np.linalg.norm(value_and_grad(g, th)[1]) < 1e-10 and not any(np.allclose(th, f) for f in found):
            found.append(th)

kinds = {}
for th in sorted(found, key=lambda t: tuple(t)):
    ev = np.linalg.eigvalsh(hess(g, th))
    kind = "minimum" if ev.min() > 0 else "maximum" if ev.max() < 0 else "saddle"
    kinds[tuple(th.round(6))] = kind
    print(f"theta_0 = {th.round(6)}: g = {g(th):+.1f}, |grad| = {np.linalg.norm(value_and_grad(g, th)[1]):.0e}, "
          f"Hessian eigenvalues {ev.round(6)} -> {kind}")
assert kinds == {(-1.0, -1.0): "maximum", (-1.0, 1.0): "saddle", (1.0, -1.0): "saddle", (1.0, 1.0): "minimum"}

# %% [markdown]
# The notes on gradient descent: "Local maxima and saddle points are *unstable fixed points*, while local minima are
# *stable fixed points*". From a point $10^{-3}$ away from each stationary point, 200 steps of gradient descent ($\epsilon = 0.05$):
# they run away from the maximum and the saddles (along the eigenvectors of negative eigenvalue), and return to the minimum.

# %%
t1, t2 = np.meshgrid(np.linspace(-2.3, 2.3, 200), np.linspace(-2.3, 2.3, 200))
G = t1 ** 3 - 3 * t1 + t2 ** 3 - 3 * t2
fig, ax = plt.subplots(figsize=(7, 6))
cs = ax.contourf(t1, t2, G, levels=30, cmap="RdBu_r"); fig.colorbar(cs, ax=ax, label="g")
ax.contour(t1, t2, G, levels=30, colors="k", linewidths=.2)
rng = np.random.default_rng(0)
marker = {"minimum": ("o", "lime"), "maximum": ("s", "red"), "saddle": ("X", "yellow")}
for th0, kind in kinds.items():
    for _ in range(3):
        th = np.array(th0) + 1e-3 * rng.standard_normal(2)
        path = [th]
        for _ in range(200):
            th = th - 0.05 * value_and_grad(g, th)[1]
            path.append(th)
            if np.abs(th).max() > 2.3:
                break
        path = np.array(path)
        ax.plot(*path.T, color="k", lw=1.2)
    ev, vec = np.linalg.eigh(hess(g, np.array(th0)))
    for lam, v in zip(ev, vec.T):
        ax.arrow(*th0, *(0.35 * v), color="lime" if lam > 0 else "magenta", width=.02, zorder=4)
    ax.plot(*th0, marker[kind][0], color=marker[kind][1], mec="k", ms=13, zorder=5, label=kind)
handles, labels = ax.get_legend_handles_labels()
uniq = dict(zip(labels, handles))
ax.legend(uniq.values(), uniq.keys(), loc="upper left", fontsize=9)
ax.set_xlim(-2.3, 2.3); ax.set_ylim(-2.3, 2.3); ax.set_xlabel(r"$\theta_1$"); ax.set_ylabel(r"$\theta_2$")
ax.set_title("stationary points; arrows: Hessian eigenvectors (green λ > 0, magenta λ < 0);\n"
             "black: gradient descent from 1e-3 away", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# "In case of doubt" has a limit: when an eigenvalue is 0 the Hessian cannot decide. $\theta_1^4 + \theta_2^2$ (a minimum
# at 0) and $-\theta_1^4 + \theta_2^2$ (a saddle at 0) have the same gradient and the same Hessian there:

# %%
H_plus = hess(lambda th: th[0] ** 4 + th[1] ** 2, [0.0, 0.0])
H_minus = hess(lambda th: -th[0] ** 4 + th[1] ** 2, [0.0, 0.0])
print("Hessian of  theta1^4 + theta2^2 at 0:", H_plus.tolist())
print("Hessian of -theta1^4 + theta2^2 at 0:", H_minus.tolist())
assert np.array_equal(H_plus, H_minus)

# %% [markdown]
# **A convex loss has no such variety.** The notes (002): "Logistic Regression Loss is convex — Single global minimum
# — Iterations lower loss and move toward minimum". The Hessian of the logistic-regression loss,
# $\frac1m\sum_i p_i(1-p_i)\,\tilde{\mathbf x}_i\tilde{\mathbf x}_i^\top$, has no negative eigenvalue anywhere (checked at 200 random
# points), and gradient descent from five different starts ends at the same $\boldsymbol\theta = (w_1, w_2, b)$:

# %%
Xq, yq = nn.datasets.two_gaussians(n=200, seed=0)
Xq_t, yq_t = ag.tensor(Xq, dtype=ag.float64), ag.tensor(yq, dtype=ag.float64)

def logreg_loss(theta):                      # theta: (3,) or a stack (k, 3) of independent models
    th = theta.reshape(-1, 3)
    z = Xq_t @ th[:, :2].T + th[:, 2]        # (m, k)
    return F.binary_cross_entropy_with_logits(z, yq_t.reshape(-1, 1).expand(z.shape), reduction="sum") / len(Xq)

rng = np.random.default_rng(0)
min_eigs = [np.linalg.eigvalsh(hess(logreg_loss, 5 * rng.standard_normal(3))).min() for _ in range(200)]
print(f"smallest Hessian eigenvalue over 200 random points: {min(min_eigs):.2e}")
assert min(min_eigs) > -1e-12

starts = np.array([[4.0, 4.0, 4.0], [-4.0, 3.0, -2.0], [0.0, 0.0, 0.0], [-5.0, -5.0, 5.0], [3.0, -4.0, 0.0]])
thetas = starts.copy()
for _ in range(800):                         # the five runs at once: their losses are independent
    thetas = thetas - 1.0 * value_and_grad(logreg_loss, thetas)[1]
print("five starts ->\n", thetas.round(4))
assert np.ptp(thetas, axis=0).max() < 1e-3

# %% [markdown]
# ## 2. Identifiability: many minima, all the same function
#
# The notes (003): "Neural networks always have multiple local minima because of **model identifiability** issues
# (things that do no change the value of the loss): **Reordering** the neurons in each layer ($N!^K$ possible
# orderings for K layers with N neurons each!) — Scaling the incoming weights and biases of a ReLU neuron by β and its
# outgoing weights by $1/\beta$. → This creates a large or infinite number of local minima, but they are **all**
# equivalent to each other (not a problem)."
#
# A network with $K = 2$ hidden ReLU layers of $N = 5$ units, trained on the two moons (float64):

# %%
Xm, ym = nn.datasets.moons(n=200, noise=0.2, seed=0)
Xm_t, ym_t = ag.tensor(Xm, dtype=ag.float64), ag.tensor(ym, dtype=ag.float64).reshape(-1, 1)
N = 5

def make(act):
    return nn.Sequential(nn.Linear(2, N), act(), nn.Linear(N, N), act(), nn.Linear(N, 1)).to(ag.float64)

def fit(model, steps=600):
    opt = optim.Adam(model.parameters(), lr=0.03)
    for _ in range(steps):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(model(Xm_t), ym_t).backward()
        opt.step()
    return model

def loss_of(model):
    with ag.no_grad():
        return F.binary_cross_entropy_with_logits(model(Xm_t), ym_t).item()

ag.manual_seed(0)
net = fit(make(nn.ReLU))
state = {k: v.numpy().copy() for k, v in net.state_dict().items()}
print(list((k, v.shape) for k, v in state.items()))
print(f"trained loss {loss_of(net):.6f}")

# %% [markdown]
# **Reordering.** Unit $j$ of a hidden layer is row $j$ of that layer's weight and bias, and column $j$ of the next
# layer's weight. Permute both the same way, in both hidden layers:

# %%
def with_state(act, st):
    m = make(act)
    m.load_state_dict({k: ag.tensor(v) for k, v in st.items()})
    return m

def permuted(st, p1, p2):
    s = {k: v.copy() for k, v in st.items()}
    s["0.weight"], s["0.bias"] = st["0.weight"][p1], st["0.bias"][p1]
    s["2.weight"], s["2.bias"] = st["2.weight"][p2][:, p1], st["2.bias"][p2]
    s["4.weight"] = st["4.weight"][:, p2]
    return s

rng = np.random.default_rng(1)
p1, p2 = rng.permutation(N), rng.permutation(N)
net_perm = with_state(nn.ReLU, permuted(state, p1, p2))
with ag.no_grad():
    out, out_perm = net(Xm_t).numpy(), net_perm(Xm_t).numpy()
flat = lambda st: np.concatenate([v.ravel() for v in st.values()])
print(f"permutations {p1}, {p2}: max |f(x) - f_perm(x)| = {np.abs(out - out_perm).max():.1e}, "
      f"parameter distance {np.linalg.norm(flat(state) - flat(permuted(state, p1, p2))):.2f}")
assert np.abs(out - out_perm).max() < 1e-12
from math import factorial
print(f"N!^K = {factorial(N)}^2 = {factorial(N) ** 2} orderings of this small network; "
      f"for K = 3 layers of N = 100 units: about 10^{3 * np.log10(float(factorial(100))):.0f}")

# %% [markdown]
# **Rescaling.** ReLU is positively homogeneous, $\max(0, \beta z) = \beta\max(0, z)$ for $\beta > 0$, so multiplying unit
# $j$'s incoming weights and bias by $\beta$ and its outgoing weights by $1/\beta$ changes nothing. tanh is not, and the same
# change alters the function:

# %%
def rescaled(st, j, beta):
    s = {k: v.copy() for k, v in st.items()}
    s["0.weight"][j] *= beta; s["0.bias"][j] *= beta
    s["2.weight"][:, j] /= beta
    return s

ag.manual_seed(0)
net_tanh = fit(make(nn.Tanh))
state_tanh = {k: v.numpy().copy() for k, v in net_tanh.state_dict().items()}
for act, st, name in [(nn.ReLU, state, "ReLU"), (nn.Tanh, state_tanh, "tanh")]:
    with ag.no_grad():
        a = with_state(act, st)(Xm_t).numpy()
        b = with_state(act, rescaled(st, 2, 3.7))(Xm_t).numpy()
    print(f"{name:>4}: beta = 3.7 on unit 2: max |f(x) - f_rescaled(x)| = {np.abs(a - b).max():.1e}")
    assert (np.abs(a - b).max() < 1e-12) == (name == "ReLU")

# %% [markdown]
# The picture: the loss along the rescaling curve $\beta \mapsto$ (unit 2 scaled by $\beta$) is flat — a whole valley of
# equal minima — while along the *straight line* from the trained network to its permuted copy,
# $(1-t)\boldsymbol\theta + t\boldsymbol\theta_\pi$, the loss rises: the copies are separate minima with a barrier between them.

# %%
betas = np.geomspace(0.1, 10, 41)
loss_beta = [loss_of(with_state(nn.ReLU, rescaled(state, 2, b))) for b in betas]
ts = np.linspace(-0.25, 1.25, 31)
st_pi = permuted(state, p1, p2)
loss_line = [loss_of(with_state(nn.ReLU, {k: (1 - t) * state[k] + t * st_pi[k] for k in state})) for t in ts]
assert np.ptp(loss_beta) < 1e-12 and max(loss_line) > 2 * loss_line[0]

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].semilogx(betas, loss_beta, "o-", ms=3)
axes[0].set_ylim(0, max(loss_line) * 1.05)
axes[0].set_xlabel(r"$\beta$ (unit 2 of layer 1: in × β, out × 1/β)"); axes[0].set_ylabel("loss")
axes[0].set_title("rescaling a ReLU unit: the loss does not change", fontsize=10)
axes[1].plot(ts, loss_line, "o-", ms=3)
axes[1].axvline(0, color="gray", ls=":"); axes[1].axvline(1, color="gray", ls=":")
axes[1].set_xticks([0, 0.5, 1], [r"$\theta$ (trained)", "midpoint", r"$\theta_\pi$ (permuted)"])
axes[1].set_ylabel("loss"); axes[1].set_title("straight line between two equivalent minima", fontsize=10)
for ax in axes:
    ax.grid(alpha=.3)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. In high dimension, stationary points are mostly saddles
#
# The notes (003): "For many years, people believed that large neural networks failed because of poor local minima.
# Recent theoretical and experimental results suggest that, for **sufficiently large** neural networks: Most
# stationary points are saddle points corresponding to a high value of the loss function — SGD manages to avoid them
# in practice — Most local minima correspond to a low value of the cost function".
#
# **A counting argument.** A stationary point is a minimum only if *all* $P$ eigenvalues of its Hessian are
# positive. If the Hessian at a random stationary point were a random symmetric matrix (Gaussian entries, the
# model behind the results the notes cite), how often would that happen? 200 000 matrices per $P$ (the exact value
# for $P = 2$ is $(2-\sqrt2)/4 \approx 0.146$; for large $P$ it falls like $e^{-cP^2}$):

# %%
rng = np.random.default_rng(0)
Ps, frac_min, index_samples = list(range(1, 6)), [], {}
for P in Ps:
    A = rng.standard_normal((200_000, P, P))
    ev = np.linalg.eigvalsh((A + A.transpose(0, 2, 1)) / 2)
    frac_min.append(np.mean(ev.min(1) > 0))
for P in [2, 10, 100]:
    A = rng.standard_normal((2000 if P < 100 else 300, P, P))
    index_samples[P] = np.mean(np.linalg.eigvalsh((A + A.transpose(0, 2, 1)) / 2) < 0, axis=1)
for P, f in zip(Ps, frac_min):
    print(f"P = {P}: fraction of minima {f:.2e}")
assert abs(frac_min[0] - 0.5) < 0.01 and abs(frac_min[1] - (2 - np.sqrt(2)) / 4) < 0.01
assert all(b < a / 3 for a, b in zip(frac_min, frac_min[1:]))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].semilogy(Ps, frac_min, "o-")
axes[0].set_xlabel("P (number of parameters)"); axes[0].set_ylabel("fraction that are minima")
axes[0].set_title("all eigenvalues > 0: rarer and rarer\n(none in 200 000 draws from P = 6 on)", fontsize=10)
axes[0].grid(alpha=.3); axes[0].set_xticks(Ps)
for P, idx in index_samples.items():
    axes[1].hist(idx, bins=np.linspace(-0.0125, 1.0125, 42), density=True, histtype="step", lw=2, label=f"P = {P}")
axes[1].set_xlabel("fraction of negative eigenvalues (the index)"); axes[1].set_ylabel("density")
axes[1].set_title("the typical stationary point is a saddle with about half\nits directions going down", fontsize=10)
axes[1].legend(fontsize=8)
plt.tight_layout(); plt.show()

# %% [markdown]
# **On a real network.** A 2-8-8-1 tanh network ($P = 105$) on noisy moons, full-batch gradient descent from small
# weights. The parameters are one vector $\boldsymbol\theta$ so `ag.functional.hessian` gives the $105\times105$ Hessian.
# $\boldsymbol\theta = 0$ itself is a stationary point (all hidden units equal, every gradient 0, asserted) — and there the
# Hessian has one positive eigenvalue and 104 zeros, a case the Hessian test cannot decide. We start near it.

# %%
Xs, ys = nn.datasets.moons(n=200, noise=0.3, seed=0)
Xs_t, ys_t = ag.tensor(Xs, dtype=ag.float64), ag.tensor(ys, dtype=ag.float64)
sizes = [(2, 8), (8, 8), (8, 1)]
P_net = sum(i * o + o for i, o in sizes)

def net_loss(theta):
    h, k = Xs_t, 0
    for layer, (i, o) in enumerate(sizes):
        Wl = theta[k:k + i * o].reshape(o, i); k += i * o
        bl = theta[k:k + o]; k += o
        h = h @ Wl.T + bl
        if layer < len(sizes) - 1:
            h = ag.tanh(h)
    return F.binary_cross_entropy_with_logits(h[:, 0], ys_t)

l0, g0 = value_and_grad(net_loss, np.zeros(P_net))
ev0 = np.linalg.eigvalsh(hess(net_loss, np.zeros(P_net)))
print(f"P = {P_net}; at theta = 0: loss {l0:.4f} (= log 2), max |grad| = {np.abs(g0).max():.0e}, "
      f"Hessian: {np.sum(ev0 > 1e-12)} positive, {np.sum(np.abs(ev0) <= 1e-12)} zero, {np.sum(ev0 < -1e-12)} negative eigenvalues")
assert np.abs(g0).max() < 1e-15

theta = 0.05 * np.random.default_rng(0).standard_normal(P_net)
checkpoints = [0, 100, 300, 600, 1000, 1300, 1600, 2000, 3000, 4000]
curve, spectra = [], {}
for step in range(checkpoints[-1] + 1):
    loss, gr = value_and_grad(net_loss, theta)
    curve.append((loss, np.linalg.norm(gr)))
    if step in checkpoints:
        spectra[step] = np.linalg.eigvalsh(hess(net_loss, theta))
    theta = theta - 0.5 * gr
curve = np.array(curve)

def n_negative(ev):
    return int(np.sum(ev < -1e-3 * np.abs(ev).max()))   # clearly negative: beyond 1e-3 of the largest |eigenvalue|

for step in checkpoints:
    ev = spectra[step]
    print(f"step {step:>4}: loss {curve[step, 0]:.4f}, |grad| {curve[step, 1]:.4f}, "
          f"negative eigenvalues {n_negative(ev):>2}/{P_net}, smallest {ev.min():+.4f}")
assert n_negative(spectra[600]) >= 5 and n_negative(spectra[4000]) == 0 and curve[600, 0] > 2 * curve[4000, 0]

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
ax = axes[0]
ax.plot(curve[:, 0], label="loss"); ax.plot(curve[:, 1], label="|gradient|")
ax.set_yscale("log"); ax.set_xlabel("gradient-descent step"); ax.grid(alpha=.3)
ax2 = ax.twinx()
ax2.plot(checkpoints, [n_negative(spectra[s]) for s in checkpoints], "s--", color="tab:red", label="negative Hessian eigenvalues")
ax2.set_ylabel("negative eigenvalues", color="tab:red")
ax.axvspan(150, 1100, color="0.9", zorder=0)
h1, l1 = ax.get_legend_handles_labels(); h2, l2 = ax2.get_legend_handles_labels()
ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="lower left")
ax.set_title("a training run passes a saddle, then heads into a minimum\n"
             "(shaded: the plateau, small gradient and negative curvature)", fontsize=10)
ax = axes[1]
for step in [600, 4000]:
    ev = np.sort(spectra[step])
    ax.plot(np.arange(P_net), ev, "o", ms=3, label=f"step {step} (loss {curve[step, 0]:.3f})")
ax.set_yscale("symlog", linthresh=1e-3); ax.axhline(0, color="k", lw=.6)
ax.set_xlabel("eigenvalue rank"); ax.set_ylabel("Hessian eigenvalue (symlog)")
ax.set_title("Hessian spectra: on the plateau vs at the end", fontsize=10); ax.legend(fontsize=8); ax.grid(alpha=.3)
plt.tight_layout(); plt.show()

# %% [markdown]
# On the plateau the gradient is small — a "stop when things look flat" rule would stop there — but the Hessian has
# negative eigenvalues: a saddle region at a high loss, not a minimum. Gradient descent slides off it along the negative
# directions (slowly: the curvature is small). At the end, at less than half the loss, no eigenvalue is clearly
# negative (the few left are below $10^{-3}$ of the largest: the run is still creeping into a minimum).

# %% [markdown]
# ## 4. The $\sqrt B$ law of mini-batch noise
#
# The notes (003, SGD): "Splitting the training set into B minibatches: Reduces the computation cost of one gradient
# by a factor of B — Increases the **standard deviation** on the gradient estimate by a factor of $\sqrt{B}$ only."
#
# With $T$ examples and $B$ mini-batches, a mini-batch has $M = T/B$ examples. Its gradient is an average of $M$
# per-example gradients, so (for examples drawn independently, with replacement, as the notes' SGD of 000 does)
# its standard deviation is $\sigma_1/\sqrt M = \sigma_1\sqrt{B/T}$, where $\sigma_1$ is that of one example's gradient.
#
# Measured: a 2-16-1 tanh network on $T = 1024$ moons, parameters fixed after a little training. For each $M$,
# 200 mini-batches drawn by `nn.data.RandomSampler(replacement=True)`; the noise is the root-mean-square distance
# of the mini-batch gradient to the full gradient. Also without replacement (each mini-batch $M$ distinct examples,
# as `DataLoader(shuffle=True)` gives): then the variance carries the finite-population factor $\frac{T-M}{T-1}$, and
# the noise is exactly 0 at $M = T$.

# %%
T = 1024
Xg, yg = nn.datasets.moons(n=T, noise=0.2, seed=1)
Xg_t, yg_t = ag.tensor(Xg, dtype=ag.float64), ag.tensor(yg, dtype=ag.float64).reshape(-1, 1)
ag.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1)).to(ag.float64)
opt = optim.SGD(model.parameters(), lr=0.5)
for _ in range(30):
    opt.zero_grad(); F.binary_cross_entropy_with_logits(model(Xg_t), yg_t).backward(); opt.step()

def batch_gradient(idx):
    model.zero_grad()
    F.binary_cross_entropy_with_logits(model(Xg_t[idx]), yg_t[idx]).backward()
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])

full = batch_gradient(np.arange(T))
per_example = np.array([batch_gradient(np.array([i])) for i in range(T)])
assert np.allclose(per_example.mean(0), full)
sigma1 = np.sqrt(((per_example - full) ** 2).sum(1).mean())          # rms noise of a single example's gradient

dataset = nn.data.TensorDataset(Xg_t, yg_t)
Ms = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
R = 200
noise_with, noise_without = [], []
for M in Ms:
    sampler = nn.data.RandomSampler(dataset, replacement=True, num_samples=M * R, generator=M)
    idx = sampler.indices().reshape(R, M)
    noise_with.append(np.sqrt(np.mean([((batch_gradient(i) - full) ** 2).sum() for i in idx])))
    rng = np.random.default_rng(M)
    noise_without.append(np.sqrt(np.mean([((batch_gradient(rng.permutation(T)[:M]) - full) ** 2).sum() for _ in range(R)])))
slope = np.polyfit(np.log(Ms), np.log(noise_with), 1)[0]
print(f"sigma_1 (one example) = {sigma1:.4f}")
for M, a, b in zip(Ms, noise_with, noise_without):
    print(f"M = {M:>4} (B = {T // M:>4}): with replacement {a:.4f} (sigma_1/sqrt(M) = {sigma1 / np.sqrt(M):.4f}), "
          f"without {b:.4f} (x sqrt((T-M)/(T-1)) = {sigma1 / np.sqrt(M) * np.sqrt((T - M) / (T - 1)):.4f})")
print(f"log-log slope of the noise against M: {slope:.3f}  (the law: -0.5)")
assert abs(slope + 0.5) < 0.05 and noise_without[-1] < 1e-12

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.6))
Mf = np.geomspace(1, T, 100)
ax.loglog(Mf, sigma1 / np.sqrt(Mf), "k-", lw=1, label=r"$\sigma_1/\sqrt{M}$")
ax.loglog(Mf[:-1], sigma1 / np.sqrt(Mf[:-1]) * np.sqrt((T - Mf[:-1]) / (T - 1)), "k:", lw=1,
          label=r"$\sigma_1/\sqrt{M}\cdot\sqrt{(T-M)/(T-1)}$")
ax.loglog(Ms, noise_with, "o", ms=7, label=f"measured, with replacement (slope {slope:.3f})")
ax.loglog(Ms[:-1], noise_without[:-1], "s", ms=5, label="measured, without replacement (0 at M = T)")
ax.set_xlabel("mini-batch size M"); ax.set_ylabel("rms noise of the mini-batch gradient")
top = ax.secondary_xaxis("top", functions=(lambda m: T / np.maximum(m, 1e-9), lambda b: T / np.maximum(b, 1e-9)))
top.set_xlabel("the notes' B = T/M mini-batches per epoch: noise ∝ √B")
ax.grid(alpha=.3, which="both"); ax.legend(fontsize=8)
plt.tight_layout(); plt.show()

# %% [markdown]
# Going from full-batch gradient descent ($B = 1$) to $B = 1024$ single-example steps makes each gradient 1024 times
# cheaper and only $\sqrt{1024} = 32$ times noisier: "More iterations but fewer epochs = less total computation".

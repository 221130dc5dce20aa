# %% [markdown]
# # 09 · Gradient descent: full-batch, stochastic, mini-batch — and the learning rate
#
# **What this notebook shows.**
# 1. The three ways of feeding gradient descent on the same problem (a straight-line fit with two parameters, so the
#    whole loss surface fits on one picture): **full-batch** (all $m$ samples per step), **stochastic** (one random
#    sample per step), **mini-batch** ($M$ samples per step). Their paths across the loss surface, drawn.
# 2. What an **epoch** is, and the cost of a step: per epoch, full-batch takes 1 step, SGD takes $m$, mini-batch $m/M$.
# 3. **Shuffling**: the same mini-batch training on data sorted by class, with and without shuffling; and the
#    notes' two ways of drawing the samples of stochastic gradient descent — *with* replacement (000: $i_k$ drawn
#    i.i.d. uniformly) or *without* (003: disjoint minibatches covering the epoch).
#    **Online learning** (000): SGD on a stream, each sample used once, following a target that changes.
# 4. The **learning rate**: too small crawls, too large oscillates and diverges — on a one-dimensional quadratic you can
#    check by hand, and on the line fit.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.plots
import nn.functional as F
import optim
from nn.data import TensorDataset, DataLoader, RandomSampler

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. One problem, three ways to feed it
#
# $m = 64$ noisy points around $y = 2x - 1$; the model $\hat y = a x + b$ (`nn.Linear(1, 1)`) with the halved
# squared error. The loss surface over $(a, b)$ is a bowl; we start every run at $(a, b) = (-2, 2.5)$.

# %%
m = 64
x_np = np.sort(ag.rand(m).numpy() * 4 - 2).astype(np.float32).reshape(-1, 1)
y_np = (2 * x_np - 1 + 0.5 * ag.randn(m, 1).numpy()).astype(np.float32)
data = TensorDataset(x_np, y_np)

def surface(a, b):
    """Full-data loss at every (a, b) of a grid (numpy, for the contour plot)."""
    a, b = np.asarray(a)[..., None], np.asarray(b)[..., None]
    return 0.5 * ((a * x_np.ravel() + b - y_np.ravel()) ** 2).mean(axis=-1)

a_star, b_star = np.polyfit(x_np.ravel(), y_np.ravel(), 1)      # the bottom of the bowl (least squares)

def legend_below(ax):
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)

def run(batch_size, lr, epochs, shuffle=True, start=(-2.0, 2.5), seed=0, replacement=False):
    model = nn.Linear(1, 1)
    with ag.no_grad():
        model.weight.data[:] = start[0]; model.bias.data[:] = start[1]
    opt = optim.SGD(model.parameters(), lr=lr)
    if replacement:   # the notes' i.i.d. draws: m indices per epoch, each uniform on {0..m-1}
        loader = DataLoader(data, batch_size=batch_size,
                            sampler=RandomSampler(data, replacement=True, generator=seed))
    else:             # a permutation per epoch (shuffle=True) or the stored order
        loader = DataLoader(data, batch_size=batch_size, shuffle=shuffle, seed=seed)
    path, epoch_loss = [start], [surface(*start)]
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            (0.5 * F.mse_loss(model(xb), yb)).backward()
            opt.step()
            path.append((model.weight.item(), model.bias.item()))
        epoch_loss.append(surface(*path[-1]))
    return np.array(path), np.array(epoch_loss)

runs = {
    "full batch (M = 64)": run(64, 0.3, 20),
    "mini-batch (M = 8)":  run(8, 0.3, 20),
    "stochastic (M = 1)":  run(1, 0.3, 20),
}
for name, (path, _) in runs.items():
    print(f"{name:<22} {len(path) - 1:>5} steps in 20 epochs  ->  a = {path[-1, 0]:.3f}, b = {path[-1, 1]:.3f}")
print(f"{'least squares':<22} {'':>5}                     a = {a_star:.3f}, b = {b_star:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 5.4), gridspec_kw={"width_ratios": [1.25, 1]})
nn.plots.plot_optimizer_paths(surface, {k: v[0] for k, v in runs.items()}, ax=axes[0],
                              minimum=(a_star, b_star), xlim=(-2.3, 2.8), ylim=(-1.6, 2.8),
                              labels=("slope a", "intercept b"), title="paths over the loss surface (20 epochs each)")
legend_below(axes[0])
for name, (_, el) in runs.items():
    axes[1].semilogy(el - surface(a_star, b_star) + 1e-6, "o-", ms=3, label=name)
axes[1].set_xlabel("epoch (one pass over the 64 samples)"); axes[1].set_ylabel("loss - minimum (log)")
axes[1].set_title("many small noisy steps get close fast, then jitter at a noise floor", fontsize=10)
axes[1].legend(fontsize=8); axes[1].grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# Read the left picture: full-batch steps follow the exact downhill direction (a smooth curve, but only 20 steps);
# single-sample steps each follow *one* point's opinion and wander — but there are 64 of them per epoch, and near the
# minimum they keep jittering at a scale set by the learning rate. Mini-batches sit in between: averaging $M$
# gradients divides the noise variance by $M$, and the $M$ samples are processed together (fast matrix code).
#
# ## 2. Shuffling
#
# Our samples are stored **sorted by x**. Without shuffling, each mini-batch of an epoch sees only a narrow slice
# of the data in the same order every time, and the parameters are dragged back and forth within each epoch.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
for ax, shuffle in zip(axes, [False, True]):
    path, el = run(8, 0.3, 6, shuffle=shuffle)
    nn.plots.plot_optimizer_paths(surface, {"mini-batch, M = 8": path}, ax=ax, minimum=(a_star, b_star),
                                  xlim=(-2.5, 3.8), ylim=(-2, 3), labels=("slope a", "intercept b"),
                                  title=f"{'shuffled every epoch' if shuffle else 'NOT shuffled (data sorted by x)'}")
    legend_below(ax)
plt.tight_layout(); plt.show()

# %% [markdown]
# ### With or without replacement
#
# The notes define stochastic gradient descent in two ways. 000 draws each step's sample $i_k$ **i.i.d. uniformly**
# from $\{1, \dots, N\}$: *with* replacement, so within $N$ steps some samples come twice and others not at all.
# 003 splits each epoch into **disjoint** minibatches: *without* replacement, every sample exactly once per epoch.
# `DataLoader(shuffle=True)` is the second; the first is `DataLoader(data, sampler=RandomSampler(data,
# replacement=True))` (PyTorch's names).

# %%
seen_iid = [len(np.unique(RandomSampler(data, replacement=True, generator=s).indices())) / m for s in range(200)]
print(f"with replacement: an 'epoch' of m = {m} draws visits {np.mean(seen_iid):.1%} of the samples on average "
      f"(theory 1 - (1 - 1/m)^m = {1 - (1 - 1 / m) ** m:.1%}); without: 100%")
fig, ax = plt.subplots(figsize=(7, 3.4))
for replacement, label in [(False, "without replacement (shuffle=True)"), (True, "with replacement (i.i.d.)")]:
    finals = []
    for seed in range(5):
        _, el = run(1, 0.05, 20, seed=seed, replacement=replacement)
        finals.append(el[-1] - surface(a_star, b_star))
        ax.semilogy(el - surface(a_star, b_star), color="C0" if not replacement else "C3", alpha=.6,
                    label=label if seed == 0 else None)
    print(f"{label:<38} loss above the minimum after 20 epochs (5 seeds): median {np.median(finals):.2e}")
ax.set_xlabel("epoch"); ax.set_ylabel("loss − minimum (log)"); ax.grid(alpha=.3, which="both")
ax.set_title("SGD (M = 1, lr 0.05): the two ways of drawing samples", fontsize=10); ax.legend(fontsize=8)
plt.tight_layout(); plt.show()

# %% [markdown]
# Each single step is an unbiased estimate of the full gradient either way, and on this problem the two train
# alike (the same order of magnitude after 20 epochs; which one ends lower changes with the seeds and the learning
# rate). Without replacement every sample is used once per epoch, which removes part of the noise over an epoch; it
# is what practice, and PyTorch's `shuffle=True`, do. With replacement is 000's definition: each step's sample is
# independent of all the previous ones, the simplest setting to reason about.

# %% [markdown]
# ### Online learning: a stream, each sample used once
#
# Among the features of SGD the notes (000) list "Can be used for online learning": when the data *arrive* one
# sample at a time (sensor readings, clicks, trades), there is no dataset to sweep and no epoch — each new sample
# gives one gradient step and is thrown away. Below, a Python generator plays the stream: $x \sim U(-2, 2)$,
# $y = a_t x + b + \text{noise}$, and halfway through **the world changes** (the true slope $a_t$ jumps from 2 to −1).
# A constant learning rate keeps following the data; a decaying one ($\eta_t = 1/(t + 20)$, the classic choice for
# a fixed target) converges on the old slope and then barely moves.

# %%
def stream(n, seed=0, change_at=1500):
    """An endless-in-spirit source of (x, y) pairs, one at a time (here n of them)."""
    rng = np.random.default_rng(seed)
    for t in range(n):
        x = rng.uniform(-2, 2)
        slope = 2.0 if t < change_at else -1.0
        yield t, slope, np.float32(x), np.float32(slope * x - 1 + 0.5 * rng.standard_normal())

def online(lr_at):
    model = nn.Linear(1, 1)
    model.weight.array[...] = 0.0; model.bias.array[...] = 0.0      # start at a = b = 0
    opt = optim.SGD(model.parameters(), lr=lr_at(0))
    slopes = []
    for t, _, x, y in stream(3000):
        opt.param_groups[0]["lr"] = lr_at(t)
        opt.zero_grad()
        (0.5 * (model(ag.tensor([[x]])) - y) ** 2).sum().backward()     # one sample, one step
        opt.step()
        slopes.append(model.weight.item())
    return np.array(slopes)

true_slope = np.array([s for _, s, _, _ in stream(3000)])
constant, decaying = online(lambda t: 0.02), online(lambda t: 1.0 / (t + 20))
fig, ax = plt.subplots(figsize=(8, 3.4))
ax.plot(true_slope, "k", lw=4, alpha=.25, label="true slope")
ax.plot(constant, lw=1.2, label="online SGD, constant η = 0.02")
ax.plot(decaying, lw=1.2, label="online SGD, η_t = 1/(t + 20)")
ax.set_xlabel("samples seen (each used once)"); ax.set_ylabel("learned slope a"); ax.grid(alpha=.3)
ax.set_title("a stream whose slope changes at t = 1500", fontsize=10); ax.legend(fontsize=8)
plt.tight_layout(); plt.show()
print(f"just before the change: constant η a = {constant[1499]:.2f}, decaying η a = {decaying[1499]:.2f}  (true 2)")
print(f"at the end:             constant η a = {constant[-1]:.2f}, decaying η a = {decaying[-1]:.2f}  (true -1)")
assert abs(constant[1499] - 2) < 0.3 and abs(constant[-1] + 1) < 0.3 and decaying[-1] > 0

# %% [markdown]
# ## 3. The learning rate
#
# On $L(\theta) = \tfrac12 h\,\theta^2$ a gradient step is $\theta \leftarrow \theta - \eta h \theta = (1 - \eta h)\theta$.
# So with $h = 1$: $\eta = 0.05$ creeps, $\eta = 0.5$ halves the distance each step, $\eta = 1.5$ overshoots and
# oscillates while shrinking, and any $\eta > 2/h = 2$ **diverges**. The engine and `optim.SGD` reproduce exactly
# $(1-\eta h)^t\,\theta_0$:

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
theta_grid = np.linspace(-3.2, 3.2, 200)
axes[0].plot(theta_grid, 0.5 * theta_grid ** 2, "k", lw=1)
for lr, c in [(0.05, "C0"), (0.5, "C2"), (1.5, "C1"), (2.1, "C3")]:
    theta = ag.tensor(2.5, dtype=ag.float64, requires_grad=True)
    opt = optim.SGD([theta], lr=lr)
    traj = [theta.item()]
    for _ in range(12):
        opt.zero_grad(); (0.5 * theta ** 2).backward(); opt.step()
        traj.append(theta.item())
    traj = np.array(traj)
    assert np.allclose(traj, 2.5 * (1 - lr) ** np.arange(13))
    axes[1].plot(traj, "o-", ms=3, color=c, label=f"η = {lr}")
    axes[0].plot(traj[:6], 0.5 * traj[:6] ** 2, "o-", ms=4, color=c, lw=1, alpha=.8)
axes[0].set_xlim(-3.3, 3.3); axes[0].set_ylim(-.2, 5.5); axes[0].set_xlabel("θ"); axes[0].set_ylabel("L(θ) = θ²/2")
axes[0].set_title("first steps on the curve", fontsize=10)
axes[1].set_ylim(-6, 6); axes[1].axhline(0, color="gray", lw=.5)
axes[1].set_xlabel("step"); axes[1].set_ylabel("θ"); axes[1].legend(fontsize=8)
axes[1].set_title("θ_t = (1 - η)^t θ_0: creep, converge, oscillate, diverge", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# The same on the line fit, full batch, 30 steps. The largest safe rate depends on the curvature of the surface
# (here the largest eigenvalue of the Hessian of the loss):

# %%
H = np.array([[np.mean(x_np ** 2), np.mean(x_np)], [np.mean(x_np), 1.0]])
lam_max = np.linalg.eigvalsh(H).max()
print(f"largest curvature {lam_max:.3f}  ->  gradient descent diverges for lr > 2 / {lam_max:.3f} = {2 / lam_max:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1.25, 1]})
paths = {}
for lr in [0.02, 0.3, 0.9 * 2 / lam_max, 1.05 * 2 / lam_max]:
    path, el = run(64, lr, 30)
    diverges = lr > 2 / lam_max
    paths[f"lr = {lr:.2f}" + (" (first 8 steps)" if diverges else "")] = path[:9] if diverges else path
    axes[1].semilogy(el, "o-", ms=3, label=f"lr = {lr:.2f}")
nn.plots.plot_optimizer_paths(surface, paths, ax=axes[0], minimum=(a_star, b_star), xlim=(-2.5, 5), ylim=(-2.5, 3),
                              labels=("slope a", "intercept b"), title="full-batch paths, four learning rates")
legend_below(axes[0])
axes[1].set_xlabel("step"); axes[1].set_ylabel("loss (log)"); axes[1].legend(fontsize=8); axes[1].grid(alpha=.3)
axes[1].set_title("too small: slow; too large: diverges", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# # 10 · Optimizers racing
#
# **What this notebook shows.** Every optimizer of the notes, in `optim`, run from the same start on two
# two-parameter surfaces so their paths can be drawn:
# 1. a **canyon** $f(x,y) = 0.05x^2 + 2y^2$ (40 times steeper across than along): plain gradient descent zig-zags
#    across it, **momentum** averages the zig-zag away, adaptive methods (AdaGrad, AdaDelta, RMSprop, Adam, AdamW)
#    rescale each coordinate, and **Newton's method** jumps to the minimum in one step;
# 2. a **saddle point** $f(x,y) = \tfrac12x^2 + \tfrac14y^4 - 0.05y^2$ (a minimum along $x$, a maximum along $y$ at the origin):
#    who escapes, and why plain Newton is *attracted* to the saddle;
# 3. the closed-form alternative for least squares, $\theta = (W^\top W)^{-1}W^\top y$, against gradient descent and Newton.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.plots
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

def race(f, make_optimizer, start, steps):
    """Run one optimizer on f(x, y) from `start`; return the path as a (steps+1, 2) array."""
    p = ag.tensor(start, dtype=ag.float64, requires_grad=True)
    opt = make_optimizer([p])
    closure = lambda: f(p[0], p[1])
    path = [p.numpy().copy()]
    for _ in range(steps):
        if isinstance(opt, optim.Newton):
            opt.step(closure)                      # Newton differentiates the closure twice itself
        else:
            opt.zero_grad()
            closure().backward()
            opt.step()
        path.append(p.numpy().copy())
    return np.array(path)

optimizers = {
    "SGD (lr 0.45)":                 lambda ps: optim.SGD(ps, lr=0.45),
    "SGD + momentum 0.9 (v ← a v − ε g)": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
    "Momentum, EMA form (β 0.9)":    lambda ps: optim.Momentum(ps, lr=0.5, beta=0.9),
    "Nesterov (β 0.9)":              lambda ps: optim.Nesterov(ps, lr=0.5, beta=0.9),
    "Newton":                        lambda ps: optim.Newton(ps),
    "Adagrad":                       lambda ps: optim.Adagrad(ps, lr=1.0),
    "Adadelta":                      lambda ps: optim.Adadelta(ps, lr=1.0, eps=1e-2),
    "RMSprop":                       lambda ps: optim.RMSprop(ps, lr=0.1),
    "Adam":                          lambda ps: optim.Adam(ps, lr=0.3),
    "AdamW (decay 0.01)":            lambda ps: optim.AdamW(ps, lr=0.3, weight_decay=0.01),
}

# %% [markdown]
# ## 1. The canyon
#
# Start at $(-4.5, 1.2)$, 60 steps each. Left: the gradient-descent family and Newton; right: the adaptive family.

# %%
def canyon(x, y):
    return 0.05 * x ** 2 + 2 * y ** 2

start, steps = [-4.5, 1.2], 60
paths = {name: race(canyon, make, start, steps) for name, make in optimizers.items()}
names = list(optimizers)

fig, axes = plt.subplots(1, 2, figsize=(15, 5.3))
for ax, group, title in [(axes[0], names[:5], "gradient descent, momentum, Nesterov, Newton"),
                         (axes[1], names[5:], "adaptive step sizes")]:
    nn.plots.plot_optimizer_paths(lambda x, y: canyon(x, y) + 1e-4, {n: paths[n] for n in group}, ax=ax,
                                  minimum=(0, 0), xlim=(-5, 2), ylim=(-1.6, 1.6), title=title, labels=("x", "y"))
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
plt.tight_layout(); plt.show()

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
for i, (name, P) in enumerate(paths.items()):
    ax.semilogy(np.maximum(canyon(P[:, 0], P[:, 1]), 1e-12), ls="-" if i < 5 else "--", lw=1.6, label=name)
ax.set_xlabel("step"); ax.set_ylabel("loss (log)"); ax.set_ylim(1e-10, 10); ax.grid(alpha=.3)
ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5)); ax.set_title("the race on the canyon", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# * **SGD** must keep its rate below $2/4$ (the steep direction) to stay stable, so along the shallow direction it
#   moves by only $0.45 \times 0.1 = 4.5\%$ of the distance per step — and the steep coordinate flips sign every step: the zig-zag.
# * **Momentum** in both of the notes' forms (PyTorch's $v \leftarrow a v - \varepsilon g$ and the exponential average
#   $V \leftarrow \beta V + (1-\beta) g$) traces the same path here: the two forms are the same recursion with a rescaled
#   rate ($\varepsilon = (1-\beta)\cdot$lr). Opposite-signed gradients across the canyon cancel in the average; the
#   consistent push along it accumulates.
# * **Nesterov** takes the gradient at the look-ahead point and overshoots less.
# * **AdaGrad / RMSprop / Adam** divide each coordinate by a running size of its own gradients, so both directions move
#   at similar speed — the path heads straight-ish for the minimum. AdaDelta starts with tiny steps (its step size is
#   itself learnt from past updates).
# * **Newton** uses the curvature $H = \text{diag}(0.1, 4)$: $\theta - H^{-1}g$ is the exact minimum of a quadratic —
#   one step.
#
# The two momentum forms, checked step by step:

# %%
P_sgd_m, P_ema = paths[names[1]], paths[names[2]]
print("max |SGD+momentum path − Momentum (EMA) path| =", np.abs(P_sgd_m - P_ema).max())
print("Newton after 1 step:", paths["Newton"][1], "  loss", canyon(*paths["Newton"][1]))

# %% [markdown]
# ## 2. A saddle point
#
# $f(x,y) = \tfrac12x^2 + \tfrac14y^4 - \tfrac12y^2$. At the origin the gradient is zero, the curvature is $+1$ along
# $x$ and $-1$ along $y$: a saddle. The minima are at $(0, \pm 1)$. Start just off the ridge at $(-1.5,\ 0.001)$,
# 50 steps, every method with a moderate learning rate (0.1 for the gradient-descent family, so the paths stay comparable).

# %%
def saddle(x, y):
    return 0.5 * x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2

saddle_optimizers = {
    "SGD (lr 0.1)":                lambda ps: optim.SGD(ps, lr=0.1),
    "SGD + momentum 0.9":          lambda ps: optim.SGD(ps, lr=0.01, momentum=0.9),
    "Nesterov (β 0.9)":            lambda ps: optim.Nesterov(ps, lr=0.1, beta=0.9),
    "Newton, damped (λ = 1.5)":    lambda ps: optim.Newton(ps, damping=1.5),
    "Adagrad":                     lambda ps: optim.Adagrad(ps, lr=0.3),
    "Adadelta":                    lambda ps: optim.Adadelta(ps, lr=1.0, eps=1e-2),
    "RMSprop":                     lambda ps: optim.RMSprop(ps, lr=0.03),
    "Adam":                        lambda ps: optim.Adam(ps, lr=0.1),
}
start_s = [-1.5, 1e-3]
spaths = {name: race(saddle, make, start_s, 50) for name, make in saddle_optimizers.items()}

# plain Newton, by hand: theta <- theta - H^{-1} g with the exact (indefinite) Hessian
theta = ag.tensor(start_s, dtype=ag.float64)
plain = [theta.numpy().copy()]
for _ in range(8):
    f = lambda t: saddle(t[0], t[1])
    th = theta.detach().requires_grad_()
    (g,) = ag.grad(f(th), th)
    H = ag.functional.hessian(f, theta)
    theta = ag.tensor(theta.numpy() - np.linalg.solve(H.numpy(), g.numpy()))
    plain.append(theta.numpy().copy())
spaths["plain Newton, undamped (by hand)"] = np.array(plain)

fig, axes = plt.subplots(1, 2, figsize=(15, 5.3))
sn = list(spaths)
for ax, group, title in [(axes[0], sn[:4] + sn[-1:], "gradient descent family and Newton"),
                         (axes[1], sn[4:-1], "adaptive step sizes")]:
    nn.plots.plot_optimizer_paths(saddle, {n: spaths[n] for n in group}, ax=ax, xlim=(-1.7, 0.7), ylim=(-1.4, 1.4),
                                  title=title, labels=("x", "y"))
    ax.plot(0, 0, "P", color="w", mec="k", ms=13, zorder=7)
    ax.annotate("saddle", (0, 0), xytext=(8, -14), textcoords="offset points", color="w", fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
plt.tight_layout(); plt.show()

print(f"{'optimizer':<36}{'|y| after 50 steps':>20}   (minima at |y| = 1)")
for name, P in spaths.items():
    print(f"{name:<36}{abs(P[-1, 1]):>20.4f}")

# %% [markdown]
# Near the saddle the gradient along $y$ is tiny ($\approx -y$), so **SGD and momentum crawl** off the ridge: each
# step multiplies the small $y$ by only about $1 + $lr. Adaptive methods divide by the size of that tiny gradient
# and leave at full speed. **Plain Newton** divides by the curvature, which is *negative* along $y$: its step points
# *uphill* in $y$, straight at the saddle, which it reaches and never leaves. Damping ($H + \lambda I$ with $\lambda$
# large enough to make it positive definite) turns the step back into a descent direction and it escapes.
# (`optim.Newton` without `damping` does this by itself: when $H$ is not positive definite it raises $\lambda$ until
# it is — `opt.last_damping` tells by how much.)
#
# ## 3. The closed form for least squares
#
# For a linear model with squared error the gradient is zero where $W^\top W\,\theta = W^\top y$: the **normal
# equations**, solvable in one line. Gradient descent approaches this point step by step; Newton's method — the
# loss is exactly quadratic — lands on it in one step.

# %%
m = 100
x = ag.rand(m, dtype=ag.float64).numpy() * 4 - 2
y = 1.5 * x - 0.7 + 0.3 * ag.randn(m, dtype=ag.float64).numpy()
Wd = np.c_[x, np.ones(m)]                         # design matrix: a column of x, a column of ones
theta_closed = np.linalg.solve(Wd.T @ Wd, Wd.T @ y)

def lsq(theta):
    r = ag.tensor(Wd) @ theta - ag.tensor(y)
    return 0.5 * (r ** 2).mean()

results = {}
for name, make, n in [("gradient descent, 100 steps", lambda ps: optim.SGD(ps, lr=0.3), 100),
                      ("Newton, 1 step", lambda ps: optim.Newton(ps), 1)]:
    th = ag.zeros(2, dtype=ag.float64, requires_grad=True)
    opt = make([th])
    for _ in range(n):
        if isinstance(opt, optim.Newton):
            opt.step(lambda: lsq(th))
        else:
            opt.zero_grad(); lsq(th).backward(); opt.step()
    results[name] = th.numpy()
print(f"{'closed form (W^T W)^-1 W^T y':<30}", theta_closed)
for k, v in results.items():
    print(f"{k:<30}", v, "  distance", f"{np.linalg.norm(v - theta_closed):.1e}")
assert np.allclose(results["Newton, 1 step"], theta_closed)

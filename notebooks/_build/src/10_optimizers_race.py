# %% [markdown]
# # 10 · Optimizers racing
#
# **What this notebook shows.** Every optimizer of the notes, in `optim`, run from the same start on two
# two-parameter surfaces so their paths can be drawn:
# 1. a **canyon** $f(x,y) = 0.05x^2 + 2y^2$ (40 times steeper across than along): plain gradient descent zig-zags
#    across it, **momentum** averages the zig-zag away, adaptive methods (AdaGrad, AdaDelta, RMSprop, Adam, AdamW)
#    rescale each coordinate, and **Newton's method** jumps to the minimum in one step;
# 2. a **saddle point** $f(x,y) = \tfrac12x^2 + \tfrac14y^4 - \tfrac12y^2$ (a minimum along $x$, a maximum along $y$ at the origin):
#    who escapes, and why plain Newton is *attracted* to the saddle;
# 3. the closed-form alternative for least squares, $\theta = (W^\top W)^{-1}W^\top y$, against gradient descent and Newton;
# 4. where the notes' formulas differ from PyTorch's — Adam (no bias correction, $\varepsilon$ inside the root),
#    "AdaDelta" (the notes' slide is RMSprop; `optim.Adadelta` is Zeiler's algorithm), Nesterov (which point is
#    stored) — with the notes' own numbers, and both versions of each available in `optim`.

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
    # log-spaced contours (the grid never hits the minimum exactly, so every value is > 0);
    # the legends' "final loss" is the real loss at each path's end
    nn.plots.plot_optimizer_paths(canyon, {n: paths[n] for n in group}, ax=ax, log_levels=True,
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
# * **Nesterov** takes the gradient at the look-ahead point and overshoots less. (`optim.Nesterov` stores that
#   look-ahead point $\varphi = \theta - \alpha\beta V$ as its parameter, so the path drawn is the notes' $\varphi$,
#   not their $\theta$; the two meet at the minimum, where $V \to 0$. See §4.)
# * **AdaGrad / RMSprop / Adam** divide each coordinate by a running size of its own gradients, so both directions move
#   at similar speed — the path heads straight-ish for the minimum. AdaDelta starts with tiny steps (its step size is
#   itself learnt from past updates). These are PyTorch's rules; §4 runs the notes' own Adam and AdaDelta formulas.
# * **Newton** uses the curvature $H = \text{diag}(0.1, 4)$: $\theta - H^{-1}g$ is the exact minimum of a quadratic —
#   one step.
#
# The two momentum forms, checked step by step:

# %%
P_sgd_m, P_ema = paths[names[1]], paths[names[2]]
print("max |SGD+momentum path − Momentum (EMA) path| =", np.abs(P_sgd_m - P_ema).max())
print("Newton after 1 step:", paths["Newton"][1], "  loss", canyon(*paths["Newton"][1]))
print(f"{'final loss after 60 steps':<40}")
for name, P in paths.items():
    print(f"  {name:<38}{canyon(*P[-1]):.3g}")

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

# %% [markdown]
# ## 4. The notes' formulas, next to PyTorch's
#
# `optim` follows PyTorch's update rules by default. Where the notes (004) print a different rule, it is a keyword
# option of the same class, so a hand calculation from the slides can be checked line by line.
#
# | the notes | formula on the slide | `optim` |
# |---|---|---|
# | **Adam** | $V = \beta_1V + (1-\beta_1)d\theta$, $S = \beta_2S + (1-\beta_2)d\theta^2$, $\theta \mathrel{-}= \alpha V/\sqrt{S+\varepsilon}$ | `Adam(ps, lr, bias_correction=False, eps_inside_sqrt=True)`; the default is PyTorch's: $\hat V = V/(1-\beta_1^t)$, $\hat S = S/(1-\beta_2^t)$, $\theta \mathrel{-}= \alpha\hat V/(\sqrt{\hat S}+\varepsilon)$ |
# | **RMSprop** | $S = \gamma S + (1-\gamma)d\theta^2$, $\theta \mathrel{-}= \alpha\,d\theta/\sqrt{S+\varepsilon}$ | `RMSprop(ps, lr, alpha=γ, eps_inside_sqrt=True)`; default $\sqrt S + \varepsilon$ |
# | **AdaDelta** | the same formula as RMSprop (a window of squared gradients instead of AdaGrad's full sum) | `RMSprop(..., eps_inside_sqrt=True)`; `Adadelta` is Zeiler's full algorithm (a second running average, of the updates, replaces $\alpha$) |
# | **NAG** | $V = \beta V + (1-\beta)\nabla L(\theta - \alpha\beta V)$, $\theta \mathrel{-}= \alpha V$ | `Nesterov` holds $\varphi = \theta - \alpha\beta V$ (one gradient per step, at the parameter) |
#
# The notes' setting: learning rate 0.1, a constant gradient $d\theta = 0.5$, $\theta_0 = 1$, three steps.

# %%
def three_steps(make, g=0.5):
    p = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    opt, out = make([p]), []
    for _ in range(3):
        opt.zero_grad(); (g * p).sum().backward(); opt.step()
        out.append(p.item())
    return np.array(out)

rows = {
    "Adam, the notes' rule":              lambda ps: optim.Adam(ps, lr=0.1, bias_correction=False, eps_inside_sqrt=True),
    "Adam, PyTorch's rule (default)":     lambda ps: optim.Adam(ps, lr=0.1),
    "AdaDelta/RMSprop, the notes' rule":  lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9, eps_inside_sqrt=True),
    "RMSprop, PyTorch's rule (default)":  lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9),
    "Adadelta (Zeiler, default lr 1.0)":  lambda ps: optim.Adadelta(ps),
}
seqs = {name: three_steps(make) for name, make in rows.items()}
print(f"{'':<38}{'θ1':>10}{'θ2':>10}{'θ3':>10}")
for name, th in seqs.items():
    print(f"{name:<38}" + "".join(f"{v:>10.5f}" for v in th))
assert np.allclose(seqs["Adam, the notes' rule"], [0.68378, 0.25882, -0.23620], atol=1e-5)
assert np.allclose(seqs["Adam, PyTorch's rule (default)"], [0.9, 0.8, 0.7], atol=1e-6)
assert np.allclose(seqs["AdaDelta/RMSprop, the notes' rule"], [0.68377, 0.45436, 0.26226], atol=1e-5)

# %% [markdown]
# * **Adam.** Both moments start at 0, so after one step $V = 0.05$ and $S = 0.00025$: the notes' rule steps by
#   $0.1 \times 0.05/\sqrt{0.00025} = 0.1\sqrt{10} \approx 0.316$, and keeps accelerating while $V$ catches up with
#   the gradient faster than $\sqrt S$ does. Bias correction divides $V$ by $1-\beta_1^t$ and $S$ by $1-\beta_2^t$,
#   which undoes the start at zero: with a constant gradient every step is exactly the learning rate. The two rules
#   converge to each other once $\beta_1^t$ and $\beta_2^t$ are small, i.e. after a few thousand steps for
#   $\beta_2 = 0.999$.
# * **AdaDelta.** The notes' slide is RMSprop's formula (same numbers). Zeiler's AdaDelta, which PyTorch and
#   `optim.Adadelta` implement, replaces the learning rate by the running size of the past updates, which starts
#   at $\sqrt{\varepsilon}$: hence its tiny first steps.
# * **$\varepsilon$ inside or outside the root** changes nothing visible with $\varepsilon = 10^{-8}$ unless the
#   squared-gradient average is itself tiny (RMSprop's two rows agree to 6 digits).
#
# The notes' Adam on the canyon, against PyTorch's (same learning rate 0.3, 60 steps):

# %%
adam_paths = {
    "Adam, PyTorch's rule": race(canyon, lambda ps: optim.Adam(ps, lr=0.3), start, steps),
    "Adam, the notes' rule": race(canyon, lambda ps: optim.Adam(ps, lr=0.3, bias_correction=False,
                                                                eps_inside_sqrt=True), start, steps),
    "AdaDelta, the notes' rule (RMSprop, ε inside)": race(
        canyon, lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9, eps_inside_sqrt=True), start, steps),
}
fig, ax = plt.subplots(figsize=(9, 5.3))
nn.plots.plot_optimizer_paths(canyon, adam_paths, ax=ax, log_levels=True, minimum=(0, 0), xlim=(-5, 2),
                              ylim=(-1.6, 1.6), title="the notes' Adam and AdaDelta vs PyTorch's Adam", labels=("x", "y"))
ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
plt.tight_layout(); plt.show()
for name, P in adam_paths.items():
    print(f"{name:<48} first step {np.linalg.norm(P[1] - P[0]):.3f}   final loss {canyon(*P[-1]):.3g}")

# %% [markdown]
# Without bias correction the first step is $\sqrt{10} \approx 3.2$ times longer per coordinate
# ($\alpha(1-\beta_1)/\sqrt{1-\beta_2}$ instead of $\alpha$), and the following ones grow further while $V$ builds up:
# the notes' Adam flies past the minimum (out of the window beyond $x = 2$) before it settles. That it ends lower
# here is luck of the 60-step cut, not a general advantage; the learning rate tuned for one rule is not the one
# for the other.
#
# **Nesterov.** The notes evaluate the gradient at $\theta - \alpha\beta V$ and update $\theta$; `optim.Nesterov`
# stores that look-ahead point $\varphi$ instead (one gradient per step, taken at the parameter). On
# $f(\theta) = \tfrac12\theta^2$ with $\alpha = 0.1$, $\beta = 0.9$, from $\theta = 1$:

# %%
theta, V, notes_theta, notes_phi = 1.0, 0.0, [], []
for _ in range(3):
    V = 0.9 * V + 0.1 * (theta - 0.1 * 0.9 * V)          # gradient of θ²/2 at the look-ahead point
    theta = theta - 0.1 * V
    notes_theta.append(theta); notes_phi.append(theta - 0.1 * 0.9 * V)
p = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
opt, lib = optim.Nesterov([p], lr=0.1, beta=0.9), []
for _ in range(3):
    opt.zero_grad(); (0.5 * p ** 2).sum().backward(); opt.step(); lib.append(p.item())
print("the notes' θ          ", np.round(notes_theta, 5))
print("the notes' φ = θ − αβV", np.round(notes_phi, 5))
print("optim.Nesterov holds   ", np.round(lib, 5))
assert np.allclose(lib, notes_phi) and np.allclose(notes_theta, [0.99, 0.97119, 0.94472], atol=1e-5)

# %% [markdown]
# # 17 · Ways to minimise a function, with and without gradients
#
# **What this notebook shows.** The five families of the notes' "How to minimize a function?" (003), each run on
# **one** problem — the notes' exercise "Fitting an affine model via least squares" — so they can be compared:
# 1. **Directly finding zeroes of the gradient**: the closed form $\boldsymbol\theta_0 = \mathbf W^\dagger\mathbf y$.
# 2. **Brute force / random / grid search** over a box of parameters, and why it "quickly explodes in complexity";
#    grid search used where the notes recommend it, on a *discrete* hyper-parameter (gradient descent's learning rate).
# 3. A **population-based** algorithm: a simple evolution strategy.
# 4. **Alternate minimisation**: coordinate descent (exact minimisation in $a$, then in $b$, ...), then the variant
#    "alternate between minimization and projection onto constraints (e.g.: $\theta \ge 0$)" and ADMM ("introducing
#    new variables and then performing AM"), all three agreeing on the constrained minimum.
# 5. **Gradient descent**, stopped "when things look flat" (gradient norm below a tolerance).
#
# Then one table: loss reached, evaluations of $g$, gradients, time — and the notes' summary next to it.

# %%
import time
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from nn.search import grid_search
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## The problem
#
# The notes (003): "Training set: $\mathcal{T} = \{(x_t, y_t)\}_{t=1}^T$ — Models: $f_{\theta}(x) = ax + b$ — Parameters:
# $\boldsymbol{\theta} = [a, b]^{\top} \in \mathbb{R}^2$ — Total Loss:
# $g(\boldsymbol\theta) = \frac{1}{T} \sum_{t=1}^{T} (ax_{t} + b - y_{t})^{2} = \frac{1}{T} \| \mathbf{W} \boldsymbol{\theta} - \boldsymbol{y} \|_{2}^{2}$,
# where $\mathbf{W} = [\boldsymbol{w}_{1}^{\top}, \dots, \boldsymbol{w}_{T}^{\top}]^{\top} \in \mathbb{R}^{T \times 2}$", with
# $\boldsymbol w_t = [x_t, 1]^\top$.
#
# $T = 50$ points around $y = 1.5x - 0.7$, $x \in [1, 5]$ (away from 0, so $a$ and $b$ are strongly coupled: the
# contours of $g$ are long, thin, tilted ellipses). Every method below calls the same `g`, which counts its calls.

# %%
T = 50
x = np.sort(ag.rand(T, dtype=ag.float64).numpy()) * 4 + 1
y = 1.5 * x - 0.7 + 0.4 * ag.randn(T, dtype=ag.float64).numpy()
W = np.c_[x, np.ones(T)]
W_t, y_t = ag.tensor(W), ag.tensor(y)
calls = {"g": 0, "grad": 0}

def g(theta):
    """The notes' total loss for one theta (2,) or a batch of thetas (k, 2); counts evaluations."""
    th = theta if isinstance(theta, ag.Tensor) else ag.tensor(np.asarray(theta, dtype=np.float64))
    batch = th.reshape(-1, 2)
    calls["g"] += batch.shape[0]
    r = batch @ W_t.T - y_t                      # (k, T) residuals
    out = (r ** 2).mean(1)
    return out if th.ndim == 2 else out.reshape(())

def grad_g(theta_np):
    """Gradient of g by the engine (one forward + one backward pass)."""
    th = ag.tensor(theta_np, requires_grad=True)
    g(th).backward()
    calls["g"] -= 1                              # that forward pass belongs to the gradient
    calls["grad"] += 1
    return th.grad.numpy()

def reset():
    calls.update(g=0, grad=0)

results = {}          # method -> dict(theta, g_evals, grads, time)

def record(name, theta, t0, path=None):
    results[name] = dict(theta=np.asarray(theta, dtype=float), g_evals=calls["g"], grads=calls["grad"],
                         time=time.perf_counter() - t0, path=path)

# %% [markdown]
# ## 1. Directly finding the zero of the gradient
#
# The notes: "Find $\boldsymbol{\theta}_{0}$ such that $\nabla_{\boldsymbol{\theta}} g(\boldsymbol{\theta}_{0}) = \mathbf{0}_{2}$ [...]
# $\nabla_{\boldsymbol{\theta}} g(\boldsymbol{\theta}_{0}) = 2 \mathbf{W}^{\top} (\mathbf{W} \boldsymbol{\theta}_{0} - \boldsymbol{y}) = \mathbf{0}_{2} \Rightarrow
# \boldsymbol{\theta}_{0} = (\mathbf{W}^{\top} \mathbf{W})^{-1} \mathbf{W}^{\top} \boldsymbol{y} = \mathbf{W}^{\dagger} \boldsymbol{y}$".
#
# The slide's gradient has lost the factor $\frac1T$ of $g$: the engine's gradient is $\frac2T\mathbf W^\top(\mathbf W\boldsymbol\theta - \mathbf y)$
# (checked below at $\boldsymbol\theta = 0$). The zero is the same either way.

# %%
reset(); t0 = time.perf_counter()
theta_star = np.linalg.pinv(W) @ y                       # W^dagger y
record("closed form W†y", theta_star, t0)
g_star = g(theta_star).item()
reset()
engine = grad_g(np.zeros(2))
assert np.allclose(engine, 2 / T * W.T @ (W @ np.zeros(2) - y))
print("engine gradient at 0:           ", engine.round(4))
print("the slide's 2 W^T (W theta - y):", (2 * W.T @ (W @ np.zeros(2) - y)).round(2), f"(= T = {T} times larger)")
print("theta_0 = W^+ y =", theta_star.round(5), f"  g(theta_0) = {g_star:.6f}")
print("gradient at theta_0:", grad_g(theta_star))
assert np.abs(grad_g(theta_star)).max() < 1e-12

# %% [markdown]
# ## 2. Grid search and random search
#
# The notes: "1. Brute Force / Random / Grid Search — Sometimes best when optimizing on a small discrete set of
# parameters — Ex: DNN architectures or hyperparameters". Here on the continuous box $[-3, 3]^2$: a 61×61 grid
# (spacing 0.1, 3721 evaluations of $g$), and 3721 points drawn uniformly in the same box.

# %%
reset(); t0 = time.perf_counter()
ga, gb = np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-3, 3, 61))
grid_pts = np.c_[ga.ravel(), gb.ravel()]
grid_vals = g(grid_pts).numpy()
record("grid search 61×61", grid_pts[grid_vals.argmin()], t0, path=grid_pts)

reset(); t0 = time.perf_counter()
rand_pts = ag.rand(len(grid_pts), 2, dtype=ag.float64).numpy() * 6 - 3
rand_vals = g(rand_pts).numpy()
record("random search (3721 draws)", rand_pts[rand_vals.argmin()], t0, path=rand_pts)
for name in ["grid search 61×61", "random search (3721 draws)"]:
    r = results[name]
    print(f"{name:<28} best theta {r['theta'].round(3)}, g - g* = {g(r['theta']).item() - g_star:.2e}, {r['g_evals']} evaluations")

# %% [markdown]
# "Quickly explodes in complexity": a grid with spacing $h$ on $[-3,3]^P$ costs $(6/h + 1)^P$ evaluations. A network's $P$ is
# thousands to billions; even $P = 10$ is out of reach at the spacing used above.

# %%
for P in [1, 2, 3, 5, 10, 100]:
    print(f"P = {P:>3}: spacing 0.1 needs {61.0 ** P:.3g} evaluations of g")

# %% [markdown]
# Where grid search *is* the right tool — a small discrete set of settings — it is `nn.search.grid_search`. Gradient
# descent's learning rate is such a hyper-parameter (the notes' summary: "The learning rate is a critical
# hyperparameter"). For each learning rate: run gradient descent from $\boldsymbol\theta = 0$ until the gradient norm is below
# $10^{-6}$ ("stop when things look flat") or 20000 steps.

# %%
def gradient_descent(lr, tol=1e-6, max_steps=20000, theta0=(0.0, 0.0)):
    theta = np.array(theta0, dtype=np.float64)
    path = [theta.copy()]
    for step in range(max_steps):
        gr = grad_g(theta)
        if not np.all(np.isfinite(gr)) or np.linalg.norm(gr) > 1e12:
            return theta, step, path, "diverged"
        if np.linalg.norm(gr) < tol:
            return theta, step, path, "flat"
        theta = theta - lr * gr
        path.append(theta.copy())
    return theta, max_steps, path, "max steps"

def run_gd(lr):
    reset()
    theta, steps, _, why = gradient_descent(lr)
    loss = g(theta).item() if np.all(np.isfinite(theta)) else float("inf")
    return {"steps": steps, "g - g*": loss - g_star, "stopped": why}

table = grid_search(run_gd, {"lr": [0.01, 0.03, 0.06, 0.1]})
print(table)
best_lr = min((row for row in table.rows if row["stopped"] == "flat"), key=lambda row: row["steps"])["lr"]
print("fastest learning rate that converged:", best_lr)

# %% [markdown]
# The Hessian of $g$ is $\frac2T\mathbf W^\top\mathbf W$; gradient descent converges only when $\epsilon < 2/\lambda_{\max}$, and it crawls along the
# flat direction at a speed set by $\lambda_{\min}/\lambda_{\max}$:

# %%
eig = np.linalg.eigvalsh(2 / T * W.T @ W)
print(f"Hessian eigenvalues {eig.round(4)}: 2/lambda_max = {2 / eig[-1]:.4f}, condition number {eig[-1] / eig[0]:.0f}")
assert 0.06 < 2 / eig[-1] < 0.1        # 0.06 converges, 0.1 diverges (table above)

# %% [markdown]
# ## 3. A population-based search: an evolution strategy
#
# The notes: "2. 'Population-Based' Algorithms — Evolutionary/Genetic algorithms — Particle Swarms — Ant Colonies
# [...] Principle = Evolve a population. Strongly inspired by nature or physics. Can be powerful and work on very
# general functions, but *heuristic*".
#
# A $(1+\lambda)$ evolution strategy, about the simplest there is: each generation, $\lambda = 20$ children are drawn
# around the best point found so far, $\boldsymbol\theta_{\text{child}} = \boldsymbol\theta_{\text{best}} + s\,\mathcal N(0, I)$; the best child replaces the parent
# if it is better ("survival of the fittest"). The mutation size $s$ adapts: $\times 1.2$ after a successful
# generation, $\times 0.8$ after a failed one. Only values of $g$ are used, never a gradient.

# %%
def evolution_strategy(theta0, s=1.0, lam=20, generations=150, seed=0):
    rng = np.random.default_rng(seed)
    best, best_val = np.array(theta0, dtype=float), g(theta0).item()
    history = []
    for _ in range(generations):
        children = best + s * rng.standard_normal((lam, 2))
        vals = g(children).numpy()
        k = vals.argmin()
        if vals[k] < best_val:
            best_val, best = vals[k], children[k].copy()
            s *= 1.2
        else:
            s *= 0.8
        history.append((children, best.copy(), best_val, calls["g"], s))
    return best, history

reset(); t0 = time.perf_counter()
es_best, es_hist = evolution_strategy([0.0, 0.0])
ES = "evolution strategy (150 gen. × 20)"
record(ES, es_best, t0, path=np.array([h[1] for h in es_hist]))
print(f"best theta {es_best.round(6)}, g - g* = {g(es_best).item() - g_star:.1e}, {results[ES]['g_evals']} evaluations")
assert g(es_best).item() - g_star < 1e-8

# %% [markdown]
# "Heuristic": nothing guarantees the result, and the rule that adapts $s$ is what makes it work. The same
# strategy with five other random seeds, then with a fixed mutation size $s = 1$:

# %%
for up, down in [(1.2, 0.8), (1.0, 1.0)]:
    gaps = []
    for seed in range(1, 6):
        rng_es = np.random.default_rng(seed)
        best, best_val, s_ = np.zeros(2), g(np.zeros(2)).item(), 1.0
        for _ in range(150):
            ch = best + s_ * rng_es.standard_normal((20, 2)); v = g(ch).numpy(); k = v.argmin()
            if v[k] < best_val:
                best_val, best, s_ = v[k], ch[k], s_ * up
            else:
                s_ *= down
        gaps.append(best_val - g_star)
    label = "fixed s = 1" if up == down else f"s x{up} on success, x{down} on failure"
    print(f"{label:<38}: g - g* over 5 seeds = {np.array(gaps).round(10)}")

# %% [markdown]
# ## 4. Alternate minimisation: coordinate descent
#
# The notes: $\theta_1^{(i+1)} = \operatorname{argmin}_{\theta_1} g(\theta_1, \theta_2^{(i)}, \dots, \theta_P^{(i)})$,
# $\theta_2^{(i+1)} = \operatorname{argmin}_{\theta_2} g(\theta_1^{(i+1)}, \theta_2, \dots, \theta_P^{(i)})$, ... "For $\theta_p$ scalar:
# *coordinate descent*" — "Convenient when [...] There are direct solutions wrt. each variable"; "Converges, but not
# necessarily to the global minimum".
#
# Here each one-variable problem has a direct solution: $\operatorname{argmin}_a g = \frac{\sum_t x_t(y_t - b)}{\sum_t x_t^2}$,
# $\operatorname{argmin}_b g = \frac1T\sum_t (y_t - a x_t)$. Each sweep updates $a$ then $b$; stop when a sweep moves $\boldsymbol\theta$ by less than $10^{-10}$.

# %%
def argmin_a(b):
    return (x * (y - b)).sum() / (x * x).sum()

def argmin_b(a):
    return (y - a * x).mean()

def coordinate_descent(theta0, project=lambda v: v, tol=1e-10, max_sweeps=10000):
    a, b = theta0
    path = [(a, b)]
    for sweep in range(max_sweeps):
        a_new = project(argmin_a(b)); path.append((a_new, b))
        b_new = project(argmin_b(a_new)); path.append((a_new, b_new))
        g(np.array([a_new, b_new]))                       # one evaluation per sweep, to watch the loss
        done = abs(a_new - a) + abs(b_new - b) < tol
        a, b = a_new, b_new
        if done:
            break
    return np.array([a, b]), sweep + 1, np.array(path)

reset(); t0 = time.perf_counter()
cd_theta, cd_sweeps, cd_path = coordinate_descent((0.0, 0.0))
record("coordinate descent", cd_theta, t0, path=cd_path)
print(f"coordinate descent: {cd_sweeps} sweeps, theta {cd_theta.round(6)}, distance to W+y {np.linalg.norm(cd_theta - theta_star):.1e}")
assert np.allclose(cd_theta, theta_star, atol=1e-6)

# %% [markdown]
# ## 5. Gradient descent, stopped when things look flat
#
# The notes: "Start from an initial parameter vector $\boldsymbol{\theta}^{(0)} \in \mathbb{R}^{P}$ — From here, follow the
# direction of steepest descent $-\nabla_{\boldsymbol{\theta}}g(\boldsymbol{\theta}^{(0)})$ — Stop when things look *flat*",
# $\boldsymbol{\theta}^{(i+1)} \leftarrow \boldsymbol{\theta}^{(i)} - \epsilon \nabla_{\boldsymbol{\theta}} g(\boldsymbol{\theta}^{(i)})$,
# with the learning rate chosen by the grid search above. For comparison, `optim.Newton`: one step, since $g$ is quadratic.

# %%
# **Why the negative gradient.** The notes (002): "Let λ be a perturbation along direction v:
# $\left. \frac{d}{d\lambda} \mathcal{L}(\theta + \lambda v) \right|_{\lambda=0} = v \cdot \nabla_{\theta} \mathcal{L}(\theta)$ — Then Steepest
# Descent direction is: $v = -\nabla_{\theta} \mathcal{L}(\theta)$". The directional derivative along every unit direction
# $v = (\cos\varphi, \sin\varphi)$ at $\boldsymbol\theta = (0, 0)$, by forward mode (`ag.functional.jvp`), against $v\cdot\nabla g$:

# %%
phis = np.linspace(0, 2 * np.pi, 721)
theta_here = ag.tensor(np.zeros(2))
slopes = np.array([ag.functional.jvp(g, theta_here, ag.tensor(np.array([np.cos(f), np.sin(f)])))[1].item() for f in phis])
gr0 = grad_g(np.zeros(2))
assert np.allclose(slopes, np.cos(phis) * gr0[0] + np.sin(phis) * gr0[1])
steepest = phis[slopes.argmin()]
print(f"steepest descent at phi = {np.degrees(steepest):.1f} deg, slope {slopes.min():.4f}; "
      f"-grad/|grad| points at {np.degrees(np.arctan2(-gr0[1], -gr0[0]) % (2 * np.pi)):.1f} deg, -|grad| = {-np.linalg.norm(gr0):.4f}")
assert abs(slopes.min() + np.linalg.norm(gr0)) < 1e-3
fig, ax = plt.subplots(figsize=(6.5, 3))
ax.plot(np.degrees(phis), slopes); ax.axvline(np.degrees(steepest), color="tab:red", ls=":", label="steepest descent = direction of $-\\nabla g$")
ax.axhline(0, color="k", lw=.5); ax.set_xlabel("direction φ (degrees)"); ax.set_ylabel("$d g(\\theta + \\lambda v)/d\\lambda$ at 0")
ax.legend(fontsize=8); ax.grid(alpha=.3); plt.tight_layout(); plt.show()

# %% [markdown]
# Gradient descent with the learning rate the grid search chose, stopped when $\|\nabla g\| < 10^{-6}$:

# %%
reset(); t0 = time.perf_counter()
gd_theta, gd_steps, gd_path, why = gradient_descent(best_lr)
record(f"gradient descent (ε = {best_lr}, ‖∇g‖ < 1e-6)", gd_theta, t0, path=np.array(gd_path))
print(f"gradient descent: {gd_steps} steps, stopped: {why}, theta {gd_theta.round(6)}")

# %% [markdown]
# The same rule in the library's training loop: `nn.train.fit(..., grad_tol=1e-6)` stops when the gradient norm of an
# epoch falls below the tolerance. The model $f_\theta(x) = ax + b$ is `nn.Linear(1, 1)` and `F.mse_loss` is exactly
# $g$; one full batch per epoch, so an epoch is one step.

# %%
ag.manual_seed(0)
affine = nn.Linear(1, 1).to(ag.float64)
nn.init.zeros_(affine.weight); nn.init.zeros_(affine.bias)          # start at theta = 0, as above
loader = nn.data.DataLoader(nn.data.TensorDataset(ag.tensor(x).reshape(-1, 1), ag.tensor(y).reshape(-1, 1)), batch_size=T)
history = nn.train.fit(affine, nn.functional.mse_loss, optim.SGD(affine.parameters(), lr=best_lr), loader,
                       epochs=20000, metrics=None, progress=False, grad_tol=1e-6)
fit_theta = np.array([affine.weight.item(), affine.bias.item()])
print(f"fit stopped after {history.epochs} epochs: {history.stop_reason}; theta = {fit_theta.round(6)}")
assert np.allclose(fit_theta, theta_star, atol=1e-5) and abs(history.epochs - gd_steps) <= 1

# %%

reset(); t0 = time.perf_counter()
th = ag.zeros(2, dtype=ag.float64, requires_grad=True)
newton = optim.Newton([th])
newton.step(lambda: g(th))
record("Newton (optim.Newton, 1 step)", th.numpy(), t0)
results["Newton (optim.Newton, 1 step)"].update(grads=1, hessians=1)   # its closure is differentiated twice
assert np.allclose(th.numpy(), theta_star, atol=1e-10)

# %% [markdown]
# ## Alternating minimisation and projection onto constraints; ADMM
#
# Suppose the parameters must satisfy $\boldsymbol\theta \ge 0$ (here $b \ge 0$ binds: the unconstrained $b$ is negative).
# The notes: "Variant: Alternate between **minimization** and **projection** onto *constraints* (e.g.: $\theta \ge 0$)".
# Three ways, each alternating two simple steps:
# - **projected coordinate descent**: each coordinate's exact minimiser, clipped at 0 (exact for one variable, since $g$ is a convex parabola in it);
# - **projected gradient descent**: a gradient step, then the projection $\max(\boldsymbol\theta, 0)$;
# - **ADMM** (the notes: "introducing **new variables** and **then** performing AM yields efficient algorithms, e.g.,
#   EM or ADMM"): a copy $\mathbf z = \boldsymbol\theta$ carries the constraint; alternate the unconstrained least squares in
#   $\boldsymbol\theta$ (closed form), the projection for $\mathbf z$, and a running sum $\mathbf u$ of the disagreement $\boldsymbol\theta - \mathbf z$.
#
# With $b = 0$ at the solution, $a = \sum x_ty_t / \sum x_t^2$; the KKT condition $\partial g/\partial b \ge 0$ there confirms it.

# %%
relu = lambda v: np.maximum(v, 0.0)
a_c = (x * y).sum() / (x * x).sum()
theta_c = np.array([a_c, 0.0])
assert grad_g(theta_c)[1] > 0 and abs(grad_g(theta_c)[0]) < 1e-12     # KKT: the constraint b >= 0 is active

reset(); t0 = time.perf_counter()
pcd_theta, pcd_sweeps, pcd_path = coordinate_descent((0.0, 0.0), project=relu)
record("projected coordinate descent (θ ≥ 0)", pcd_theta, t0, path=pcd_path)

reset(); t0 = time.perf_counter()
theta = np.zeros(2)
pgd_path = [theta]
for pgd_steps in range(20000):
    new = relu(theta - best_lr * grad_g(theta))
    pgd_path.append(new)
    if np.linalg.norm(new - theta) < 1e-12:
        break
    theta = new
record("projected gradient descent (θ ≥ 0)", theta, t0, path=np.array(pgd_path))

reset(); t0 = time.perf_counter()
rho = 1.0
A = 2 / T * W.T @ W + rho * np.eye(2)
z, u = np.zeros(2), np.zeros(2)
for admm_iters in range(1, 5000):
    th_admm = np.linalg.solve(A, 2 / T * W.T @ y + rho * (z - u))   # argmin_theta g(theta) + rho/2 |theta - z + u|^2
    z_old, z = z, relu(th_admm + u)                                    # projection onto z >= 0
    u = u + th_admm - z                                                # running disagreement
    if np.linalg.norm(th_admm - z) < 1e-10 and np.linalg.norm(z - z_old) < 1e-10:
        break
g(z)
record("ADMM (θ ≥ 0)", z, t0)

print(f"constrained minimum (b = 0, a = sum xy / sum x^2): {theta_c.round(8)}")
for name, n_it in [("projected coordinate descent (θ ≥ 0)", pcd_sweeps), ("projected gradient descent (θ ≥ 0)", pgd_steps),
                   ("ADMM (θ ≥ 0)", admm_iters)]:
    print(f"{name:<38} {results[name]['theta'].round(8)}  after {n_it} iterations")
    assert np.allclose(results[name]["theta"], theta_c, atol=1e-6)

# %% [markdown]
# ## The paths
#
# On the contours of $g$ (log-spaced levels). Left: grid and random search only sample the box; the evolution
# strategy's best point walks in with shrinking steps. Middle: coordinate descent moves parallel to the axes and
# zig-zags down the tilted valley; gradient descent first falls across the valley, then crawls along it. Right: the
# constrained problem.

# %%
A_, B_ = np.meshgrid(np.linspace(-3, 3, 300), np.linspace(-3, 3, 300))
G = g(np.c_[A_.ravel(), B_.ravel()]).numpy().reshape(A_.shape)
levels = g_star + np.geomspace(1e-3, G.max() - g_star, 18)
fig, axes = plt.subplots(1, 3, figsize=(17, 5.8))
zoom = dict(xlim=(-0.2, 2.2), ylim=(-1.5, 1.0))
for ax, lim in zip(axes, [dict(xlim=(-3, 3), ylim=(-3, 3)), zoom, zoom]):
    ax.contour(A_, B_, G, levels=levels, colors="0.6", linewidths=.7)
    ax.set_xlabel("$a$"); ax.set_ylabel("$b$"); ax.set(**lim)
ax = axes[0]
ax.scatter(*results["random search (3721 draws)"]["path"][::3].T, s=3, color="tab:green", alpha=.5, label="random search (every 3rd draw)")
ax.scatter(*grid_pts[::2].T, s=2, color="0.3", label="grid (every 2nd point)")
es_path = results[ES]["path"]
ax.scatter(*es_hist[3][0].T, s=22, color="tab:orange", marker="x", label="evolution strategy: generation 4 (20 children)")
ax.plot(*es_path.T, ".-", color="tab:orange", ms=5, lw=1.2, label="evolution strategy: best so far")
ax.plot(*theta_star, "k*", ms=14, label="$W^\\dagger y$")
ax.legend(fontsize=8, loc="upper left", framealpha=.9); ax.set_title("search and population: only values of g", fontsize=10)
ax = axes[1]
ax.plot(*cd_path.T, "-", color="tab:red", lw=1.5, label=f"coordinate descent ({cd_sweeps} sweeps)")
gp = np.array(gd_path)
ax.plot(*gp.T, ".-", color="tab:blue", ms=3, lw=1, label=f"gradient descent, ε = {best_lr} ({gd_steps} steps)")
ax.plot(*theta_star, "k*", ms=14, label="$W^\\dagger y$")
ax.legend(fontsize=8, loc="upper left"); ax.set_title("alternate minimisation and gradient descent (zoom)", fontsize=10)
ax = axes[2]
ax.axhspan(-3, 0, color="0.88", zorder=0); ax.text(1.2, -1.3, "forbidden: b < 0", color="0.4")
ax.plot(*pcd_path.T, "-o", color="tab:red", ms=4, lw=1.5, label=f"projected coordinate descent ({pcd_sweeps} sweeps)")
ax.plot(*np.array(pgd_path).T, ".-", color="tab:blue", ms=3, lw=1, label=f"projected gradient descent ({pgd_steps} steps)")
ax.plot(*theta_star, "k*", ms=14, label="unconstrained minimum")
ax.plot(*theta_c, "*", color="gold", mec="k", ms=16, label="constrained minimum (b = 0)")
ax.legend(fontsize=8, loc="upper left"); ax.set_title("with the constraint θ ≥ 0 (zoom)", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# Loss against the number of evaluations of $g$ (a gradient counted as one evaluation: the engine's backward
# pass costs a small constant times a forward pass):

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.2))
best_rand = np.minimum.accumulate(rand_vals) - g_star
ax.loglog(np.arange(1, len(best_rand) + 1), best_rand, color="0.5", label="random search: best so far")
ax.loglog([h[3] for h in es_hist], [h[2] - g_star for h in es_hist], color="tab:orange", label="evolution strategy: best so far")
ax.loglog(np.arange(1, len(gd_path) + 1), g(np.array(gd_path)).numpy() - g_star + 1e-16, color="tab:blue",
          label=f"gradient descent (ε = {best_lr})")
ax.loglog(np.arange(1, len(cd_path) // 2 + 1), g(cd_path[2::2]).numpy() - g_star + 1e-16, color="tab:red",
          label="coordinate descent (per sweep)")
ax.axhline(g(grid_pts[grid_vals.argmin()]).item() - g_star, color="0.3", ls=":", label="grid search 61×61 (3721 evaluations)")
ax.set_xlabel("evaluations of g (or of its gradient)"); ax.set_ylabel("$g(\\theta) - g(\\theta_0)$")
ax.set_ylim(1e-14, 1e2); ax.legend(fontsize=8); ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## One table
#
# Evaluations of $g$ and of its gradient; the closed form and coordinate descent's exact line solutions use
# $\mathbf W$ and $\mathbf y$ directly (linear algebra, counted as no evaluation). Times are wall-clock on this machine
# (small numbers, noisy).

# %%
print(f"{'method':<40} {'a':>9} {'b':>9} {'g - g*':>9} {'g evals':>8} {'gradients':>9} {'Hessians':>8} {'time ms':>8}")
for name, r in results.items():
    th = r["theta"]
    gap = g(th).item() - (g(theta_c).item() if "θ ≥ 0" in name else g_star)
    print(f"{name:<40} {th[0]:9.5f} {th[1]:9.5f} {gap:9.1e} {r['g_evals']:8d} {r['grads']:9d} {r.get('hessians', 0):8d} {1e3 * r['time']:8.2f}")
    if "search" not in name:
        assert abs(gap) < 1e-8, name

# %% [markdown]
# (For the constrained rows, the gap is to the constrained minimum.) The notes' "Summary of optimization
# techniques", which the table illustrates:
#
# > 1. Brute Force / Random / Grid Search : Useful when searching among discrete parameters. Quickly explodes in complexity.
# > 2. Population-Based algorithms : Versatile but heuristic.
# > **3.** Directly finding zeroes of the gradient : Very efficient (not iterative) but only possible with a limited number of functions.
# > 4. Alternate minimization : A very general family of principled methods. Allows combining multiple techniques. Often no hyperparameters. Needs to be designed on a case-by-case basis. Global convergence is generally not guaranteed.
# > - Gradient descent : Works on any differentiable functions. Convergence to local minima. The learning rate is a critical hyperparameter.
#
# On this two-parameter problem: the closed form is exact and instant; coordinate descent and ADMM need no learning
# rate but had to be derived for this $g$; gradient descent needed its learning rate searched for and about 900
# gradients because the valley is thin (condition number 104); the evolution strategy reached the minimum with 3000
# values of $g$ and no gradient, but only thanks to its step-size rule (with a fixed step it stalled near
# $g - g^* \approx 5\cdot10^{-4}$); grid and random search were limited by their resolution after thousands of
# evaluations, in only two dimensions. In two
# dimensions everything works; the table's columns that grow with the number of parameters $P$ decide what is left
# for a network: a grid costs $k^P$, the closed form exists only for special $g$, alternating minimisation must be
# designed for each $g$, and a population needs more and more children to find a descent direction that a
# gradient gives in one backward pass.

# %% [markdown]
# # 05 · XOR and the universal approximator
#
# **What this notebook shows.**
# 1. XOR is **not linearly separable**: logistic regression trained on the four points stalls at loss $\log 2$,
#    predicting 0.5 everywhere.
# 2. **One hidden layer** solves it — and the picture of the hidden layer shows how: it moves the four points to
#    a space where one straight line separates them.
# 3. The **universal approximation** idea: a single hidden layer of tanh units fits a 1-D function better and better
#    as it gets wider; the fit is literally a sum of shifted, scaled tanh "steps".
#    The notes' own picture, a 3-unit network of **step** functions, built by hand: a staircase that refines as units
#    are added.
# 4. **Depth versus width**: composing a ReLU "tent" layer $k$ times gives $2^k$ linear pieces with $2k$ units; one
#    hidden layer needs about $2^k$ units for the same function.

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

def train(model, X, y, loss_fn, steps, lr, opt_cls=optim.Adam):
    opt = opt_cls(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses

# %% [markdown]
# ## 1. A straight line cannot do XOR

# %%
X_np, y_np = nn.datasets.xor()
X, y = ag.tensor(X_np), ag.tensor(y_np.astype(np.float32)).reshape(-1, 1)
print(np.c_[X_np, y_np])

linear = nn.Linear(2, 1)
lin_losses = train(linear, X, y, F.binary_cross_entropy_with_logits, 500, 0.1)
with ag.no_grad():
    print("logistic regression's P(y=1) on the four corners:", ag.sigmoid(linear(X)).numpy().ravel().round(3))
print(f"final loss {lin_losses[-1]:.4f}   (log 2 = {np.log(2):.4f}: a coin flip)")

# %% [markdown]
# ## 2. One hidden layer does
#
# Two inputs → **2** tanh units → one output, the smallest network that can do it. Trained on the same four
# points with the same loss.

# %%
ag.manual_seed(1)
mlp = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
mlp_losses = train(mlp, X, y, F.binary_cross_entropy_with_logits, 500, 0.1)
with ag.no_grad():
    print("MLP's P(y=1) on the four corners:", ag.sigmoid(mlp(X)).numpy().ravel().round(3))

# %%
fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.4))
nn.plots.plot_decision_boundary(linear, X_np, y_np, ax=axes[0], title="logistic regression (linear)", margin=0.4)
nn.plots.plot_decision_boundary(mlp, X_np, y_np, ax=axes[1], title="one hidden layer, 2 tanh units", margin=0.4)
plt.tight_layout(); plt.show()

# %%
fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(lin_losses, label="logistic regression"); ax.plot(mlp_losses, label="1 hidden layer (2 units)")
ax.axhline(np.log(2), color="gray", ls=":"); ax.text(300, np.log(2) + .03, "log 2", color="gray")
ax.set_xlabel("step (Adam)"); ax.set_ylabel("cross-entropy"); ax.legend(); ax.grid(alpha=.3)
plt.tight_layout(); plt.show()

# %% [markdown]
# **How?** Look at the four points *after* the hidden layer, at coordinates $(h_1, h_2)$. The hidden layer has
# folded the input plane: two corners of the same class land on (almost) the same spot, and now the output layer — which is just a
# logistic regression on $h$ — separates the classes with the straight line $w\cdot h + b = 0$.

# %%
with ag.no_grad():
    H = mlp[1](mlp[0](X)).numpy()          # hidden activations, one row per corner
W_out, b_out = mlp[2].weight.numpy().ravel(), mlp[2].bias.item()
fig, axes = plt.subplots(1, 2, figsize=(9.5, 4))
for ax, P, title in [(axes[0], X_np, "input space x: no line separates the classes"),
                     (axes[1], H, "hidden space h = tanh(W x + b): one line does")]:
    spots = {}                                   # corners that land on the same spot share one label
    for k, (p, lab) in enumerate(zip(P, y_np)):
        ax.scatter(*p, c="tab:red" if lab else "tab:blue", marker="^" if lab else "o", s=140, edgecolors="k", zorder=3)
        spots.setdefault(tuple(np.round(p, 1)), []).append(f"({X_np[k, 0]:.0f},{X_np[k, 1]:.0f})")
    for spot, names in spots.items():
        ax.annotate(" & ".join(names), spot, xytext=(9, 7), textcoords="offset points")
    ax.set_title(title, fontsize=10); ax.grid(alpha=.3)
axes[0].set_xlim(-.3, 1.5); axes[0].set_ylim(-.3, 1.3); axes[0].set_xlabel("$x_1$"); axes[0].set_ylabel("$x_2$")
hx = np.linspace(-1.3, 1.3, 2)
axes[1].plot(hx, -(W_out[0] * hx + b_out) / W_out[1], "k", lw=2, label="output layer: w·h + b = 0")
axes[1].set_xlim(-1.3, 1.5); axes[1].set_ylim(-1.3, 1.3); axes[1].set_xlabel("$h_1$"); axes[1].set_ylabel("$h_2$")
axes[1].legend(fontsize=8, loc="lower right")
plt.tight_layout(); plt.show()

# %% [markdown]
# With only two hidden units the loss surface has poor local minima: from some random starts training gets stuck
# with two corners left at probability 0.5, a loss of $\tfrac12\log 2 \approx 0.347$. Eight random starts:

# %%
finals = []
for seed in range(8):
    ag.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    finals.append(train(net, X, y, F.binary_cross_entropy_with_logits, 300, 0.1)[-1])
print("final loss per seed:", np.round(finals, 3))
print("solved:", sum(f < 0.05 for f in finals), "of 8")

# %% [markdown]
# ## 3. One hidden layer can approximate a curve — given enough units
#
# Fit $f(x) = \sin(3x) + 0.3x^2$ on $[-2, 2]$ with a single hidden layer of $n$ tanh units, for $n = 2, 4, 16$.

# %%
xs = np.linspace(-2, 2, 200, dtype=np.float32).reshape(-1, 1)
target = np.sin(3 * xs) + 0.3 * xs ** 2
Xc, Yc = ag.tensor(xs), ag.tensor(target)
fits = {}
for width in [2, 4, 16]:
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, 1))
    losses = train(net, Xc, Yc, F.mse_loss, 800, 0.05)
    fits[width] = net
    print(f"width {width:>2}: final mean squared error {losses[-1]:.5f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(xs, target, "k", lw=5, alpha=.25, label="target")
for width, net in fits.items():
    with ag.no_grad():
        axes[0].plot(xs, net(Xc).numpy(), lw=1.8, label=f"{width} hidden units")
axes[0].legend(fontsize=8); axes[0].set_title("wider hidden layer, better fit", fontsize=10); axes[0].grid(alpha=.3)

net = fits[16]
with ag.no_grad():
    h = net[1](net[0](Xc)).numpy()                 # (200, 16) tanh unit outputs
contrib = h * net[2].weight.numpy().ravel()         # each unit's term in the output sum
for k in range(contrib.shape[1]):
    axes[1].plot(xs, contrib[:, k], lw=1, alpha=.7)
axes[1].plot(xs, contrib.sum(1) + net[2].bias.item(), "k", lw=2.5, label="sum + bias = network output")
axes[1].set_title("the 16-unit fit, unit by unit: scaled, shifted tanh steps", fontsize=10)
axes[1].legend(fontsize=8); axes[1].grid(alpha=.3)
plt.tight_layout(); plt.show()

# %% [markdown]
# ### The notes' picture: a 3-unit MLP with step functions
#
# The notes (004, "Neural Network as Universal Function Approximator") illustrate "A Neural Network with only one
# hidden layer can **approximate any function** (with enough hidden neurons)" with a "3 unit Multi Layer Perceptron
# using Step function to approximate a continuous function". Built explicitly: hidden unit $k$ is
# $\text{Threshold}(x - t_k)$ (weight 1, bias $-t_k$), switching on at $t_k$; the output layer starts from the first
# level $c_0$ and adds each unit's jump $c_k - c_{k-1}$. With $n$ units the output is a staircase of $n + 1$ levels
# $c_j = f(\text{centre of piece } j)$; more units, finer stairs, and the largest error shrinks like $1/n$. The
# weights are set by hand, not trained: the step's gradient is zero (section 2 of notebook 04), and the smooth
# sigmoid/tanh units above are what makes training possible.

# %%
class Step(nn.Module):
    """Threshold(z) = 1 if z >= 0 else 0, as a layer."""
    def forward(self, z):
        return F.binary_step(z)

f = lambda x: np.sin(3 * x) + 0.3 * x ** 2

def step_mlp(n, lo=-2.0, hi=2.0):
    edges = np.linspace(lo, hi, n + 2)                       # n + 1 equal pieces, n inner thresholds
    levels = f((edges[:-1] + edges[1:]) / 2)                  # c_0 .. c_n
    net = nn.Sequential(nn.Linear(1, n), Step(), nn.Linear(n, 1)).double()
    net[0].weight.array[...] = 1.0;  net[0].bias.array[...] = -edges[1:-1]              # t_k
    net[2].weight.array[...] = np.diff(levels);  net[2].bias.array[...] = levels[0]    # jumps, c_0
    return net

xs64 = np.linspace(-2, 2, 801).reshape(-1, 1)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
axes[0].plot(xs64, f(xs64), "k", lw=5, alpha=.25, label="target")
max_err = {}
for n in [3, 10, 30]:
    net = step_mlp(n)
    with ag.no_grad():
        out = net(ag.tensor(xs64)).numpy()
    max_err[n] = np.abs(out - f(xs64)).max()
    axes[0].plot(xs64, out, lw=1.6 if n > 3 else 2.5, label=f"{n} step units")
    print(f"{n:>2} step units: {n + 1} levels, largest error {max_err[n]:.3f}")
assert max_err[3] > max_err[10] > max_err[30]
axes[0].legend(fontsize=8); axes[0].grid(alpha=.3); axes[0].set_title("one hidden layer of step units", fontsize=10)
net = step_mlp(3)
with ag.no_grad():
    h = net[1](net[0](ag.tensor(xs64))).numpy()
for k in range(3):
    axes[1].plot(xs64, h[:, k] * net[2].weight.numpy()[0, k], lw=1.5, label=f"unit {k + 1}: jump × Threshold(x − t{k + 1})")
axes[1].plot(xs64, h @ net[2].weight.numpy().T + net[2].bias.numpy(), "k", lw=2.5, label="sum + bias (c₀)")
axes[1].legend(fontsize=7); axes[1].grid(alpha=.3); axes[1].set_title("the 3-unit net, unit by unit", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 4. Depth versus width
#
# The notes: one hidden layer suffices *in principle*, but the number of units may have to grow exponentially;
# deep networks can factorise the function instead. A clean example uses ReLU. The "tent" layer
# $t(x) = 2\,\text{relu}(x) - 4\,\text{relu}(x - \tfrac12)$ maps $[0,1]$ onto $[0,1]$ with two linear pieces and uses
# **2 units**. Composing it $k$ times — a network $k$ layers deep — doubles the pieces every time: $2^k$ pieces
# from $2k$ units. A one-hidden-layer ReLU network with $n$ units is piecewise linear with at most $n + 1$ pieces,
# so it needs at least $2^k - 1$ units.

# %%
tent = nn.Linear(1, 2)
with ag.no_grad():
    tent.weight.data[:] = [[1.0], [1.0]]
    tent.bias.data[:] = [0.0, -0.5]
mix = ag.tensor([[2.0], [-4.0]])

def deep_tents(x, k):
    for _ in range(k):
        x = F.relu(tent(x)) @ mix                 # 2 ReLU units per layer
    return x

def count_pieces(y, x):
    slope = np.diff(y.ravel()) / np.diff(x.ravel())
    return 1 + int(np.sum(np.abs(np.diff(slope)) > 1e-3))

xg = np.linspace(0, 1, 4097, dtype=np.float64).reshape(-1, 1)
fig, axes = plt.subplots(1, 4, figsize=(13, 2.8), sharey=True)
for ax, k in zip(axes, [1, 2, 3, 5]):
    with ag.no_grad():
        yk = deep_tents(ag.tensor(xg, dtype=ag.float32), k).numpy()
    ax.plot(xg, yk, lw=1.2)
    ax.set_title(f"depth {k}: {2 * k} ReLU units, {count_pieces(yk, xg)} pieces", fontsize=9)
    ax.set_xlabel("x")
plt.tight_layout(); plt.show()

print(f"{'depth k':>8}{'units (deep)':>14}{'pieces':>8}{'units needed, 1 hidden layer':>31}")
for k in range(1, 9):
    print(f"{k:>8}{2 * k:>14}{2 ** k:>8}{2 ** k - 1:>31}")

# %% [markdown]
# # 06 · Back-propagation by hand versus the engine
#
# **What this notebook shows.** A three-layer perceptron on the two-moons data, written the way the notes write it —
# samples in rows, $Z^{[l]} = A^{[l-1]} W^{[l]} + b^{[l]}$, $A^{[l]} = g(Z^{[l]})$ — and its gradients computed twice:
# * **by hand**, with the notes' four per-layer formulas
#   $dZ = dA \odot g'(Z)$, $\;dW = A_{\text{prev}}^\top dZ / m$, $\;db = \text{mean of } dZ$ over samples, $\;dA_{\text{prev}} = dZ\, W^\top$,
#   using only what the forward pass stored: $A_{\text{prev}}$, $Z$ and $W$;
# * **by the engine**, with one call to `loss.backward()`.
#
# The two agree to the last few bits (asserted), a picture shows the matrices side by side, and two training runs
# — one with each gradient — trace the same loss curve.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

X_np, y_np = nn.datasets.moons(200, noise=0.15, seed=0)
X = ag.tensor(X_np, dtype=ag.float64)
Y = ag.tensor(y_np.reshape(-1, 1), dtype=ag.float64)
m = X.shape[0]
print("X:", X.shape, " Y:", Y.shape, " (samples in rows)")

# %% [markdown]
# ## The network: 2 → 8 (tanh) → 6 (ReLU) → 1 (sigmoid), binary cross-entropy
#
# In the notes' layout $W^{[l]}$ has shape (inputs, outputs), so a layer is `A_prev @ W + b`.
# (The `nn.Linear` layer stores PyTorch's transpose, (outputs, inputs), and computes `x @ W.T + b` — the same thing.)

# %%
sizes = [2, 8, 6, 1]
acts = ["tanh", "relu", "sigmoid"]

def init_params():
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = ag.randn(n_in, n_out, dtype=ag.float64) * np.sqrt(1.0 / n_in)
        params.append([W.detach().requires_grad_(), ag.zeros(n_out, dtype=ag.float64, requires_grad=True)])
    return params

g = {"tanh": ag.tanh, "relu": ag.relu, "sigmoid": ag.sigmoid}
g_prime = {                                    # derivative of each activation, written from Z
    "tanh": lambda Z: 1 - np.tanh(Z) ** 2,
    "relu": lambda Z: (Z > 0).astype(Z.dtype),
    "sigmoid": lambda Z: (1 / (1 + np.exp(-Z))) * (1 - 1 / (1 + np.exp(-Z))),
}

def forward(params, X):
    """Returns the prediction and, per layer, the cache the notes keep: (A_prev, Z, W)."""
    A, cache = X, []
    for (W, b), act in zip(params, acts):
        Z = A @ W + b
        cache.append((A, Z, W))
        A = g[act](Z)
    return A, cache

def bce(Yhat, Y):
    return -(Y * ag.log(Yhat) + (1 - Y) * ag.log(1 - Yhat)).mean()

params = init_params()
Yhat, cache = forward(params, X)
loss = bce(Yhat, Y)
for l, (A_prev, Z, W) in enumerate(cache, 1):
    print(f"layer {l}: A_prev {A_prev.shape}  Z {Z.shape}  W {W.shape}  ({acts[l - 1]})")
print("loss =", round(loss.item(), 5))

# %% [markdown]
# ## Backward by hand
#
# For a per-sample loss $\ell = -[y\log\hat y + (1-y)\log(1-\hat y)]$ the output derivative is
# $dA^{[3]} = \dfrac{\hat y - y}{\hat y (1-\hat y)}$. Then, from the last layer down, the four formulas — nothing else.
# The $1/m$ of the cost appears once, in $dW$ and $db$.

# %%
def backward_by_hand(cache, Yhat, Y):
    Yhat, Y = Yhat.numpy(), Y.numpy()
    dA = (Yhat - Y) / (Yhat * (1 - Yhat))
    grads = []
    for (A_prev, Z, W), act in reversed(list(zip(cache, acts))):
        A_prev, Z, W = A_prev.numpy(), Z.numpy(), W.numpy()
        dZ = dA * g_prime[act](Z)               # dZ = dA * g'(Z)
        dW = A_prev.T @ dZ / m                  # dW = A_prev^T dZ / m
        db = dZ.mean(axis=0)                    # db = mean of dZ over the samples
        dA = dZ @ W.T                           # dA_prev = dZ W^T
        grads.append((dW, db, dZ))
    return grads[::-1]

hand = backward_by_hand(cache, Yhat, Y)
print("output layer: dZ = yhat - y?", np.allclose(hand[-1][2], Yhat.numpy() - Y.numpy()))

# %% [markdown]
# That last line is the notes' shortcut: for a sigmoid output with cross-entropy the $\hat y(1-\hat y)$ cancels and
# $dZ^{[3]} = \hat y - y$.
#
# ## Backward by the engine, and the comparison

# %%
for _, Z, _ in cache:
    Z.retain_grad()                              # keep d loss / d Z of the intermediates too
loss.backward()

print(f"{'layer':<7}{'tensor':<8}{'shape':<10}{'max |hand - engine|':>22}")
worst = 0.0
for l, ((W, b), (dW, db, dZ), (_, Z, _)) in enumerate(zip(params, hand, cache), 1):
    for name, mine, engine in [("dW", dW, W.grad.numpy()), ("db", db, b.grad.numpy()),
                               ("dZ/m", dZ / m, Z.grad.numpy())]:
        err = np.abs(mine - engine).max()
        worst = max(worst, err)
        print(f"{l:<7}{name:<8}{str(mine.shape):<10}{err:>22.2e}")
assert worst < 1e-12
print("\nhand-written back-propagation == engine, to", f"{worst:.0e}")

# %% [markdown]
# The engine's `Z.grad` is $\partial(\text{cost})/\partial Z$ where the cost is the **mean** over samples, so it is
# the notes' $dZ$ divided by $m$. Seen as pictures — the first layer's $dW$ (2×8) and the second's (8×6):

# %%
fig, axes = plt.subplots(2, 3, figsize=(9, 4.2))
for row, l in enumerate([0, 1]):
    mine, engine = hand[l][0], params[l][0].grad.numpy()
    vmax = np.abs(engine).max()
    for ax, mat, title, kw in [(axes[row, 0], mine, f"layer {l + 1}: dW by hand", dict(vmin=-vmax, vmax=vmax)),
                               (axes[row, 1], engine, f"layer {l + 1}: W.grad (engine)", dict(vmin=-vmax, vmax=vmax)),
                               (axes[row, 2], np.abs(mine - engine), "|difference|", dict(vmin=0, vmax=vmax))]:
        im = ax.imshow(mat, cmap="coolwarm" if "diff" not in title else "Greys", aspect="auto", **kw)
        ax.set_title(title, fontsize=9); ax.set_xticks([]); ax.set_yticks([])
    axes[row, 2].text(0.5, 0.5, f"max {np.abs(mine - engine).max():.0e}", transform=axes[row, 2].transAxes,
                      ha="center", va="center", color="C3", fontsize=11)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Training with either gradient gives the same run
#
# Plain gradient descent, 300 steps, learning rate 0.5, from the **same** initial weights: once with the hand
# gradients, once with `backward()`. The curves lie on top of each other.

# %%
def train(use_engine, steps=300, lr=0.5):
    ag.manual_seed(1)
    params = init_params()
    losses = []
    for _ in range(steps):
        Yhat, cache = forward(params, X)
        loss = bce(Yhat, Y)
        losses.append(loss.item())
        if use_engine:
            loss.backward()
            grads = [(W.grad.numpy(), b.grad.numpy()) for W, b in params]
        else:
            grads = [(dW, db) for dW, db, _ in backward_by_hand(cache, Yhat, Y)]
        with ag.no_grad():
            for (W, b), (dW, db) in zip(params, grads):
                W.data -= lr * dW
                b.data -= lr * db
                W.grad = b.grad = None
    return np.array(losses), params

loss_hand, p_hand = train(use_engine=False)
loss_engine, p_engine = train(use_engine=True)
print("largest difference between the two loss curves:", np.abs(loss_hand - loss_engine).max())

fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
axes[0].plot(loss_hand, lw=4, alpha=.4, label="hand-written backprop")
axes[0].plot(loss_engine, "k--", lw=1, label="engine: loss.backward()")
axes[0].set_xlabel("gradient step"); axes[0].set_ylabel("cross-entropy"); axes[0].legend(); axes[0].grid(alpha=.3)
gx, gy = np.meshgrid(np.linspace(-1.5, 2.5, 150), np.linspace(-1.2, 1.7, 120))
with ag.no_grad():
    P = forward(p_engine, ag.tensor(np.c_[gx.ravel(), gy.ravel()]))[0].numpy().reshape(gx.shape)
axes[1].contourf(gx, gy, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=.35)
axes[1].contour(gx, gy, P, levels=[0.5], colors="k")
for c, col, mk in [(0, "tab:blue", "o"), (1, "tab:red", "^")]:
    axes[1].scatter(*X_np[y_np == c].T, c=col, marker=mk, edgecolors="w", lw=.5, s=22, label=f"class {c}")
axes[1].legend(fontsize=8, loc="lower left")
axes[1].set_title("the trained network: P(class 1) and the 0.5 boundary", fontsize=9)
plt.tight_layout(); plt.show()

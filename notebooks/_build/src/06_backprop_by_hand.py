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
#
# Then the notes' other hand derivations, each checked against the engine: **one layer's three Jacobians**
# $\partial f/\partial a$, $\partial f/\partial w_k$, $\partial f/\partial b = \text{diag}(\Phi'(\zeta))$ (notes 000) and the
# "effective computations" that avoid forming them; the **one-hidden-layer example with weight decay** (notes 001);
# and the two-layer classifier $h = \mathbf w^T\sigma(\mathbf U\mathbf x)$ with cross-entropy (notes 002), whose printed
# $\partial L/\partial\mathbf w$ has a **sign slip** that we point out and correct.

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

# %% [markdown]
# ## One layer's three Jacobians (the notes' formal back-propagation)
#
# Notes 000 ("Partial derivatives for a single layer") write a layer with $n$ inputs and $m$ neurons as
# $f: a, W, b \mapsto [h(a, w_1, b_1), \dots, h(a, w_m, b_m)]^T$ with $h = \Phi\circ\Psi$, $\zeta = \omega^T\alpha + \beta$,
# and the weights stored by **columns**, $\Omega = (\omega_1, \dots, \omega_m) \in \mathbb R^{n\times m}$. Their three
# Jacobians ("Back to partial derivatives for a layer"):
# $$\frac{\partial f}{\partial a} = \begin{pmatrix} \Phi'(\zeta_1) \cdot \omega_1^T \\ \vdots \\ \Phi'(\zeta_m) \cdot \omega_m^T \end{pmatrix},\qquad
# \frac{\partial f}{\partial w_k} = \begin{pmatrix} 0 \\ \vdots \\ \Phi'(\zeta_k) \cdot \alpha^T \\ \vdots \\ 0 \end{pmatrix} \leftarrow \text{line } k,\qquad
# \frac{\partial f}{\partial b} = \text{diag}(\Phi'(\zeta_1), \dots, \Phi'(\zeta_m)).$$
# `ag.functional.jacobian` builds each one, row by row, from the engine; here for $n = 3$, $m = 4$, $\Phi = \tanh$:

# %%
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
alpha = rng.standard_normal(3)                        # the layer's input a
Omega = rng.standard_normal((3, 4))                   # columns omega_1 .. omega_4
beta = rng.standard_normal(4)
layer = lambda a, W, b: ag.tanh(W.T @ a + b)          # f(a, W, b) = Phi(Omega^T alpha + beta)
J_a, J_W, J_b = ag.functional.jacobian(layer, (ag.tensor(alpha), ag.tensor(Omega), ag.tensor(beta)))
zeta = Omega.T @ alpha + beta
dPhi = 1 - np.tanh(zeta) ** 2                          # Phi'(zeta) for tanh
print("df/da (4 x 3): rows Phi'(zeta_k) omega_k^T\n", J_a.numpy())
k = 2
print(f"df/dw_{k + 1} (4 x 3): only line {k + 1} is not zero, and it is Phi'(zeta_{k + 1}) alpha^T\n", J_W.numpy()[:, :, k])
print("df/db (4 x 4) = diag(Phi'(zeta)):\n", J_b.numpy())
assert np.allclose(J_a.numpy(), dPhi[:, None] * Omega.T)
for k in range(4):
    expected = np.zeros((4, 3)); expected[k] = dPhi[k] * alpha
    assert np.allclose(J_W.numpy()[:, :, k], expected)
assert np.allclose(J_b.numpy(), np.diag(dPhi))

# %% [markdown]
# Nobody builds these matrices in practice: they are mostly zeros. The notes' "Effective computations" multiply the
# incoming row $\mathcal P^{j+1} = \partial\mathcal C/\partial f$ through them without forming them,
# $\mathcal{P}^j = [\Phi'(\zeta^j) \odot [\mathcal{P}^{j+1}]^T]^T \cdot [\Omega^j]^T$,
# $\nabla_{W^j} \mathcal{E} = \alpha^{j-1} \cdot [\Phi'(\zeta^j) \odot [\mathcal{P}^{j+1}]^T]^T$,
# $\nabla_{b^j} \mathcal{E} = \Phi'(\zeta^j) \odot [\mathcal{P}^{j+1}]^T$ — which is what `backward()` does
# (a vector-Jacobian product). Both agree with the full Jacobians:

# %%
P_next = rng.standard_normal(4)                       # P^{j+1}, the gradient arriving from above
a_t, W_t, b_t = (ag.tensor(v, requires_grad=True) for v in (alpha, Omega, beta))
layer(a_t, W_t, b_t).backward(ag.tensor(P_next))
delta = dPhi * P_next                                  # Phi'(zeta) ⊙ P^{j+1}
checks = {"P^j": (a_t.grad.numpy(), delta @ Omega.T, P_next @ J_a.numpy()),
          "grad_W": (W_t.grad.numpy(), np.outer(alpha, delta), np.einsum("i,inm->nm", P_next, J_W.numpy())),
          "grad_b": (b_t.grad.numpy(), delta, P_next @ J_b.numpy())}
for name, (engine, effective, via_jacobian) in checks.items():
    assert np.allclose(engine, effective) and np.allclose(engine, via_jacobian)
    print(f"{name:>6}: backward() = effective formula = P^(j+1) · Jacobian   (max diff {np.abs(engine - effective).max():.0e})")

# %% [markdown]
# ## The notes' worked example: one hidden layer with weight decay
#
# Notes 001 ("Example"): forward $\mathbf{a} \leftarrow \mathbf{W}\mathbf{x}$, $\mathbf{h} \leftarrow \sigma(\mathbf{a})$,
# $\hat{\mathbf{y}} \leftarrow \mathbf{v}^T \mathbf{h}$,
# $J = (\hat{\mathbf{y}} - \mathbf{y})^2 + \lambda(|\mathbf{W}|_F^2 + |\mathbf{v}|_2^2)$; backward
# $g \leftarrow \nabla_{\hat{y}} J = 2(\hat{y} - y)$, $\nabla_{\mathbf{v}} J = g\mathbf{h} + 2\lambda\mathbf{v}$,
# $\mathbf{g} \leftarrow \nabla_{\mathbf{h}} J = g\mathbf{v}$, $\mathbf{g} \leftarrow \nabla_{\mathbf{a}} J = \mathbf{g} \odot \sigma'(\mathbf{a})$,
# $\nabla_{\mathbf{W}} J = \mathbf{g}\mathbf{x}^T + 2\lambda\mathbf{W}$. The notes give no numbers; we take $y = 0.7$,
# $\lambda = 0.1$, a 3-input, 4-unit hidden layer, and run those five lines next to `backward()`:

# %%
rng = np.random.default_rng(37)
x, W1, v, y, lam = rng.standard_normal(3), rng.standard_normal((4, 3)), rng.standard_normal(4), 0.7, 0.1
sigma = lambda t: 1 / (1 + np.exp(-t))
# forward, as the notes
a = W1 @ x; h = sigma(a); y_hat = v @ h
J = (y_hat - y) ** 2 + lam * ((W1 ** 2).sum() + (v ** 2).sum())
# backward, the notes' five lines
g = 2 * (y_hat - y)
grad_v = g * h + 2 * lam * v
g_h = g * v
g_a = g_h * sigma(a) * (1 - sigma(a))
grad_W = np.outer(g_a, x) + 2 * lam * W1
# the engine
W_t, v_t = ag.tensor(W1, requires_grad=True), ag.tensor(v, requires_grad=True)
J_t = (v_t @ ag.sigmoid(W_t @ ag.tensor(x)) - y) ** 2 + lam * ((W_t ** 2).sum() + (v_t ** 2).sum())
J_t.backward()
print(f"J = {J:.6f} (engine {J_t.item():.6f}),  y_hat = {y_hat:.6f},  g = 2(y_hat - y) = {g:.6f}")
print("grad_v J, the notes' g h + 2 lambda v:", grad_v.round(6))
print("grad_v J, backward():                 ", v_t.grad.numpy().round(6))
print("grad_W J, the notes' g x^T + 2 lambda W:\n", grad_W.round(6))
assert np.isclose(J, J_t.item())
assert np.allclose(grad_v, v_t.grad.numpy()) and np.allclose(grad_W, W_t.grad.numpy())

# %% [markdown]
# ## The notes' two-layer classifier $h = \mathbf w^T\sigma(\mathbf U\mathbf x)$ — and a sign slip
#
# Notes 002 ("How to compute gradients?") take $h(\mathbf{x}) = \mathbf{w}^T \sigma(\mathbf{U}\mathbf{x})$,
# $p_i = \sigma(h(\mathbf{x}_i))$, $L(\mathbf{w}, \mathbf{U}) = - \sum_i y_i \ln(p_i) + (1 - y_i) \ln(1 - p_i)$ and
# $\frac{\partial \sigma(x)}{\partial x} = \sigma(x)(1 - \sigma(x))$, and print
# $$\frac{\partial L}{\partial \mathbf{w}} = \sum_i y_i (1 - \sigma(h(\mathbf{x}_i))) \sigma(\mathbf{U}\mathbf{x}_i) + (1 - y_i) \sigma(h(\mathbf{x}_i)) \sigma(\mathbf{U}\mathbf{x}_i).$$
# The chain rule gives $\partial L/\partial h_i = -y_i(1 - p_i) + (1 - y_i)p_i = p_i - y_i$: the **first term needs a
# minus sign** (the printed version is not the derivative of $L$; it would make gradient descent *raise* $p_i$'s
# error on the positive samples). The same slip is in their $\partial L/\partial\mathbf u_j$; corrected,
# $$\frac{\partial L}{\partial \mathbf w} = \sum_i (p_i - y_i)\,\sigma(\mathbf U\mathbf x_i),\qquad
# \frac{\partial L}{\partial \mathbf u_j} = \sum_i (p_i - y_i)\, w_j\, \sigma(\mathbf u_j \mathbf x_i)(1 - \sigma(\mathbf u_j \mathbf x_i))\,\mathbf x_i .$$
# On five samples, $\mathbf U \in \mathbb R^{4\times 3}$:

# %%
rng = np.random.default_rng(56)
Xs, ys = rng.standard_normal((5, 3)), np.array([1.0, 0.0, 1.0, 1.0, 0.0])
U, w = rng.standard_normal((4, 3)), rng.standard_normal(4)
S = sigma(Xs @ U.T)                                   # sigma(U x_i), one row per sample
p = sigma(S @ w)
dw_correct = ((p - ys)[:, None] * S).sum(0)
dw_printed = ((ys * (1 - p))[:, None] * S + ((1 - ys) * p)[:, None] * S).sum(0)
dU_correct = ((p - ys)[:, None, None] * (w * S * (1 - S))[:, :, None] * Xs[:, None, :]).sum(0)   # row j = dL/du_j
U_t, w_t = ag.tensor(U, requires_grad=True), ag.tensor(w, requires_grad=True)
p_t = ag.sigmoid(ag.sigmoid(ag.tensor(Xs) @ U_t.T) @ w_t)
L = -(ag.tensor(ys) * ag.log(p_t) + (1 - ag.tensor(ys)) * ag.log(1 - p_t)).sum()
L.backward()
print("dL/dw  backward():              ", w_t.grad.numpy().round(4))
print("dL/dw  sum (p_i - y_i) sigma(Ux):", dw_correct.round(4))
print("dL/dw  as printed in the notes:  ", dw_printed.round(4), " <- not the gradient")
assert np.allclose(w_t.grad.numpy(), dw_correct) and not np.allclose(dw_printed, dw_correct)
assert np.allclose(U_t.grad.numpy(), dU_correct)
print("dL/du_j (rows) from backward() equal the corrected formula: max diff",
      f"{np.abs(U_t.grad.numpy() - dU_correct).max():.0e}")

# %% [markdown]
# # 07 · Activations, and vanishing / exploding gradients
#
# **What this notebook shows.**
# 1. The notes' table of activation functions, drawn: each function's value **and** its derivative — the derivative
#    computed by the engine (`backward()`), not typed in — with the identities the notes state checked numerically
#    ($\sigma' = \sigma(1-\sigma) \le 1/4$, $\tanh z = 2\sigma(2z) - 1$, softplus$' = \sigma$, ELU$' = f + \alpha$ below zero…).
# 2. The binary step's derivative is zero everywhere it exists — no signal for learning.
# 3. Why depth hurts: a gradient is a **product** of per-layer factors. Factors of 1.5 explode, factors of 0.5 vanish.
# 4. Gradient norms layer by layer through a 20-layer network: sigmoid fades by orders of magnitude, ReLU (with He
#    initialisation) keeps them level.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.functional as F

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. The table, drawn
#
# For each activation $f$ we evaluate it on a grid $z$, call `f(z).sum().backward()` and read $f'(z)$ from `z.grad`
# (because $\partial \sum_i f(z_i) / \partial z_j = f'(z_j)$).

# %%
prelu = nn.PReLU(init=0.25)
table = [
    ("identity", F.identity, "f = z,  f' = 1"),
    ("binary step", F.binary_step, "f' = 0 (no signal!)"),
    ("logistic sigmoid", F.sigmoid, "f' = f(1-f) ≤ 1/4"),
    ("tanh", F.tanh, "f' = 1 - f²"),
    ("arctan", F.arctan, "f' = 1/(1+z²)"),
    ("ReLU", F.relu, "f' = 1 if z>0 else 0"),
    ("leaky ReLU", F.leaky_relu, "slope 0.01 below 0"),
    ("PReLU (a = 0.25, learned)", prelu, "slope a below 0"),
    ("ELU (α = 1)", F.elu, "f' = f + α below 0"),
    ("softplus", F.softplus, "f' = sigmoid(z)"),
]

z_np = np.linspace(-4, 4, 401)
values, derivs = {}, {}
for name, f, _ in table:
    z = ag.tensor(z_np, requires_grad=True)
    out = f(z)
    out.sum().backward()
    values[name], derivs[name] = out.detach().numpy(), z.grad.numpy()

fig, axes = plt.subplots(2, 5, figsize=(13, 5.2), sharex=True)
for ax, (name, _, note) in zip(axes.ravel(), table):
    ax.axhline(0, color="gray", lw=.5); ax.axvline(0, color="gray", lw=.5)
    ax.plot(z_np, values[name], lw=2, label="f(z)")
    ax.plot(z_np, derivs[name], lw=2, ls="--", label="f'(z) from backward()")
    ax.set_title(name, fontsize=10); ax.set_ylim(-1.6, 2.6)
    ax.text(0.03, 0.95, note, transform=ax.transAxes, fontsize=8, va="top")
axes[0, 0].legend(fontsize=7, loc="lower right")
for ax in axes[1]: ax.set_xlabel("z")
plt.tight_layout(); plt.show()

# %% [markdown]
# The identities from the notes, checked on the same grid:

# %%
s = values["logistic sigmoid"]
checks = {
    "sigmoid' = s(1-s)":                 np.allclose(derivs["logistic sigmoid"], s * (1 - s)),
    "max sigmoid' = 1/4 (at z=0)":       np.isclose(derivs["logistic sigmoid"].max(), 0.25),
    "tanh' = 1 - tanh^2":                np.allclose(derivs["tanh"], 1 - values["tanh"] ** 2),
    "tanh(z) = 2 s(2z) - 1":             np.allclose(values["tanh"], 2 / (1 + np.exp(-2 * z_np)) - 1, atol=1e-6),
    "arctan' = 1/(1+z^2)":               np.allclose(derivs["arctan"], 1 / (1 + z_np ** 2)),
    "softplus' = sigmoid":               np.allclose(derivs["softplus"], s, atol=1e-6),
    "ELU' = f + 1 for z<0":              np.allclose(derivs["ELU (α = 1)"][z_np < 0], values["ELU (α = 1)"][z_np < 0] + 1),
    "leaky ReLU' = 0.01 for z<0":        np.allclose(derivs["leaky ReLU"][z_np < 0], 0.01),
    "binary step' = 0 everywhere":       np.all(derivs["binary step"] == 0),
}
for k, v in checks.items():
    print(f"{'OK ' if v else 'FAIL'}  {k}")
assert all(checks.values())

# %% [markdown]
# PReLU's slope is a parameter: it receives a gradient like any weight — the sum of $z$ over the negative inputs:

# %%
prelu.zero_grad()
z = ag.tensor([-2.0, -0.5, 1.0, 3.0])
prelu(z).sum().backward()
print("d/da of sum(PReLU(z)) =", prelu.weight.grad.numpy(), " (sum of the negative z:", -2.5, ")")

# %% [markdown]
# ## 2. Products of per-layer factors
#
# Back-propagating through $L$ layers multiplies $L$ local derivatives. A chain of scalar "layers" $h \mapsto w\,h$
# shows the arithmetic plainly: $\partial\, \text{out} / \partial x = w^L$. The engine agrees with $1.5^L$ and $0.5^L$.

# %%
depths = np.arange(1, 41)
fig, ax = plt.subplots(figsize=(6.2, 3.6))
for w, style in [(1.5, "o-"), (1.0, "-"), (0.5, "s-"), (0.25, "^-")]:
    grads = []
    for L in depths:
        x = ag.tensor(1.0, dtype=ag.float64, requires_grad=True)
        h = x
        for _ in range(L):
            h = h * w
        h.backward()
        grads.append(x.grad.item())
    assert np.allclose(grads, w ** depths)
    label = {0.25: "0.25 = the best a sigmoid can do", 1.5: "1.5 (explodes)", 0.5: "0.5 (vanishes)", 1.0: "1.0"}[w]
    ax.semilogy(depths, grads, style, ms=3, label=f"factor {label}")
ax.set_xlabel("number of layers L"); ax.set_ylabel("d out / d input  (log scale)")
ax.set_title("A gradient is a product of per-layer factors", fontsize=10)
ax.legend(fontsize=8); ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. Through a real deep network
#
# Twenty `nn.Linear` layers of width 64, the same input batch, a cross-entropy-like scalar at the end. After one
# `backward()` we measure $\lVert \partial L / \partial W^{[l]} \rVert$ for every layer $l$.
# * **sigmoid** with Xavier initialisation (`xavier_normal_`, Glorot's $2/(n_{in}+n_{out})$; on these square layers
#   the same number as the notes' "Xavier", $1/n_{in}$, see notebook 11): each layer multiplies the signal by at most
#   $1/4$ times the weights;
# * **tanh** with Xavier: better ($\tanh'(0) = 1$) but still shrinking where units saturate;
# * **ReLU** with He initialisation: derivative exactly 1 on the active half, and He's variance $2/n_{in}$
#   compensates for the other half.

# %%
def deep_net(act, init, depth=20, width=64):
    layers = []
    for _ in range(depth):
        lin = nn.Linear(width, width)
        init(lin.weight); nn.init.zeros_(lin.bias)
        layers += [lin, act()]
    return nn.Sequential(*layers, nn.Linear(width, 1))

X = ag.randn(128, 64)
configs = [("sigmoid + Xavier", nn.Sigmoid, nn.init.xavier_normal_),
           ("tanh + Xavier", nn.Tanh, nn.init.xavier_normal_),
           ("ReLU + He", nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))]
norms = {}
for name, act, init in configs:
    ag.manual_seed(1)
    net = deep_net(act, init)
    out = net(X)
    (out ** 2).mean().backward()
    norms[name] = [float(np.linalg.norm(m.weight.grad.numpy()))
                   for m in net.modules() if isinstance(m, nn.Linear)][:-1]

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, style in zip(norms, ["o-", "s-", "^-"]):
    ax.semilogy(range(1, 21), norms[name], style, ms=4, label=name)
ax.set_xticks([1, 5, 10, 15, 20]); ax.set_xlabel("layer (1 = next to the input, 20 = next to the loss)")
ax.set_ylabel(r"$\|\partial L / \partial W^{[l]}\|$  (log scale)")
ax.set_title("Gradient norms through 20 layers", fontsize=10)
ax.legend(fontsize=8); ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()
for name, v in norms.items():
    print(f"{name:<18} layer 20: {v[-1]:.2e}   layer 1: {v[0]:.2e}   ratio {v[0] / v[-1]:.1e}")

# %% [markdown]
# With sigmoid the first layers receive a gradient many orders of magnitude smaller than the last ones: they barely
# learn. This is the *vanishing gradient*; the cures that follow in later notebooks are ReLU-like activations,
# careful initialisation (11), normalisation (13) and skip connections (15).

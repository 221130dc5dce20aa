# %% [markdown]
# # 03 · Gradient checking
#
# **What this notebook shows.**
# 1. The notes' finite-difference check, done by hand on a small network: nudge one weight to $w(1+\varepsilon)$ and
#    $w(1-\varepsilon)$, rerun the forward pass, and estimate $A = \dfrac{C^+ - C^-}{2\varepsilon w}$; compare with the
#    back-propagated gradient $G$ through the relative error $\dfrac{|A - G|}{|A| + |G|}$.
# 2. How the error depends on $\varepsilon$: too large and the Taylor approximation is poor, too small and
#    round-off wins — and why checks run in float64.
# 3. `ag.gradcheck`, the library's version (central differences over every entry, worst entry reported).
# 4. A deliberately buggy operation (a wrong derivative) — and `ag.gradcheck` pointing straight at it.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})
np.set_printoptions(precision=6, suppress=True)

# %% [markdown]
# ## 1. The check by hand
#
# A tiny two-layer network with a cross-entropy cost on 8 random points, all in float64.
# `cost(params)` is just the forward pass; `backward()` gives the analytic gradient $G$ of every weight.

# %%
X = ag.randn(8, 3, dtype=ag.float64)
y = ag.tensor((np.arange(8) % 2).astype(np.float64))
W1 = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
b1 = ag.zeros(4, dtype=ag.float64, requires_grad=True)
W2 = ag.randn(4, 1, dtype=ag.float64, requires_grad=True)

def cost(W1, b1, W2):
    h = ag.tanh(X @ W1 + b1)
    p = ag.sigmoid(h @ W2).reshape(-1)
    return -(y * ag.log(p) + (1 - y) * ag.log(1 - p)).mean()

C = cost(W1, b1, W2)
C.backward()
print("cost C =", C.item())

# %%
def finite_difference(param, index, eps=1e-4):
    """The notes' recipe: relative perturbation w(1 +- eps); A = (C+ - C-) / (2 eps w)."""
    w = param.data[index]
    with ag.no_grad():
        param.data[index] = w * (1 + eps); c_plus = cost(W1, b1, W2).item()
        param.data[index] = w * (1 - eps); c_minus = cost(W1, b1, W2).item()
        param.data[index] = w                                  # put it back!
    return (c_plus - c_minus) / (2 * eps * w)

print(f"{'weight':<10}{'A (finite diff.)':>18}{'G (backprop)':>16}{'|A-G|/(|A|+|G|)':>18}")
worst = 0
for name, P in [("W1", W1), ("W2", W2)]:
    for index in [(0, 0), (1, 2), (2, 3), (2, 0)] if name == "W1" else [(0, 0), (2, 0), (3, 0)]:
        A = finite_difference(P, index)
        G = P.grad.data[index]
        rel = abs(A - G) / (abs(A) + abs(G))
        worst = max(worst, rel)
        print(f"{name}{list(index)!s:<8}{A:>18.10f}{G:>16.10f}{rel:>18.2e}")
print("worst relative error:", f"{worst:.1e}", "-> gradients agree" if worst < 1e-6 else "-> BUG?")

# %% [markdown]
# (The relative perturbation $w(1\pm\varepsilon)$ of the notes cannot test a weight that is exactly zero — the
# biases $b_1$ start at 0. The library's checker therefore uses an absolute step $w \pm \varepsilon$.)
#
# ## 2. Choosing $\varepsilon$
#
# The central difference has a truncation error of order $\varepsilon^2$, while subtracting two nearly equal costs
# loses about $\text{machine precision}/\varepsilon$. The sweet spot sits where the two meet — around $10^{-5}$ in
# float64 and only around $10^{-2}$ in float32, where the best achievable agreement is poor. That is why gradient
# checks run in float64.

# %%
def rel_errors(dtype, eps_list, index=(1, 2)):
    Xd, yd = X.numpy().astype(dtype), y.numpy().astype(dtype)
    w1, bb, w2 = (t.numpy().astype(dtype) for t in (W1, b1, W2))
    def c(w1):
        p = 1 / (1 + np.exp(-(np.tanh(Xd @ w1 + bb) @ w2).reshape(-1)))
        return -(yd * np.log(p) + (1 - yd) * np.log(1 - p)).mean()
    G = W1.grad.data[index]
    out = []
    for eps in eps_list:
        wp, wm = w1.copy(), w1.copy()
        w = w1[index]
        wp[index] = w * (1 + dtype(eps)); wm[index] = w * (1 - dtype(eps))
        A = (c(wp) - c(wm)) / (2 * eps * w)
        out.append(max(abs(A - G) / (abs(A) + abs(G)), 1e-17))
    return out

eps_list = np.logspace(-12, -0.5, 40)
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.loglog(eps_list, rel_errors(np.float64, eps_list), "o-", ms=3, label="float64")
ax.loglog(eps_list, rel_errors(np.float32, eps_list), "s-", ms=3, label="float32")
ax.axhline(1e-7, color="gray", ls=":", lw=1)
ax.text(2e-12, 1.4e-7, "a typical 'pass' threshold", fontsize=8, color="gray")
ax.set_xlabel(r"perturbation $\varepsilon$"); ax.set_ylabel(r"relative error $|A-G|/(|A|+|G|)$")
ax.set_title("Too small: round-off. Too large: truncation.", fontsize=10)
ax.legend(); ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. `ag.gradcheck`
#
# The library's checker perturbs **every** entry of every input that requires grad (central differences in float64),
# compares the whole Jacobian with the one back-propagation produces, and returns `True` — or raises with the worst
# entry.

# %%
print("tiny network:", ag.gradcheck(cost, (W1, b1, W2)))
print("softmax     :", ag.gradcheck(lambda z: ag.softmax(z, axis=1), (ag.randn(3, 5, dtype=ag.float64, requires_grad=True),)))
print("broadcasting:", ag.gradcheck(lambda a, b: (a * b + a / (1 + b ** 2)).sum(axis=0),
                                   (ag.randn(4, 3, dtype=ag.float64, requires_grad=True),
                                    ag.randn(3, dtype=ag.float64, requires_grad=True))))

# %% [markdown]
# ## 4. Catching a bug
#
# Every operation in the engine is a forward function plus a *local* gradient rule. Here we register a new
# operation, softplus $y = \log(1 + e^x)$, whose derivative should be the sigmoid $1/(1+e^{-x})$ — but we write the
# rule with a sign slip, $1/(1+e^{x})$. The forward pass is perfect, training would silently go the wrong way,
# and only a gradient check tells.

# %%
from autograd.ops.registry import primitive, REGISTRY

REGISTRY.pop("softplus_buggy", None)           # so this cell can be re-run

@primitive("softplus_buggy")
def softplus_buggy(x):
    """y = log(1 + e^x); dy/dx SHOULD be sigmoid(x)"""
    return np.logaddexp(0, x)

@softplus_buggy.defvjp
def _(F, n, g, out, x):
    return (g / (1 + F.exp(x)),)                # BUG: should be g / (1 + exp(-x))

z = ag.tensor([-2.0, 0.0, 0.5, 3.0], dtype=ag.float64, requires_grad=True)
print("forward values agree with softplus:", np.allclose(softplus_buggy(z).numpy(), ag.softplus(z).numpy()))
print("library softplus passes:", ag.gradcheck(ag.softplus, (z,)))
try:
    ag.gradcheck(softplus_buggy, (z,))
except ag.GradcheckError as err:
    print("buggy softplus caught:\n ", err)

# %% [markdown]
# The report names the input entry, the output entry, the numerical and analytical values and the relative error.
# At $x = 0$ the bug is invisible ($1/(1+e^0) = 1/(1+e^{-0})$); the checker reports the entry where the two
# disagree most. Side by side:

# %%
zz = np.linspace(-4, 4, 200)
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(zz, 1 / (1 + np.exp(-zz)), label="true derivative: sigmoid(x)")
ax.plot(zz, 1 / (1 + np.exp(zz)), "--", label="buggy rule: 1/(1+e^x)")
num = [(np.logaddexp(0, v + 1e-6) - np.logaddexp(0, v - 1e-6)) / 2e-6 for v in zz[::12]]
ax.plot(zz[::12], num, "k.", label="finite differences")
ax.set_xlabel("x"); ax.set_ylabel("d softplus / dx"); ax.legend(fontsize=8); ax.grid(alpha=.3)
ax.set_title("Finite differences side with the truth", fontsize=10)
plt.tight_layout(); plt.show()

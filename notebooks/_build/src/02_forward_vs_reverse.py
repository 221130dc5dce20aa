# %% [markdown]
# # 02 · Forward mode versus reverse mode
#
# **What this notebook shows.**
# 1. Forward mode carries a *tangent* alongside each value: one pass gives the derivative of **every output with
#    respect to one input direction** — one **column** $Jv$ of the Jacobian. We write it by hand with dual numbers
#    on the notes' $z = \sin x_1 + x_1 x_2$, then use `ag.functional.jvp`.
# 2. Reverse mode (back-propagation) gives the derivative of **one output with respect to every input** — one **row**
#    $u^\top J$ per pass (`ag.grad` with `grad_outputs`, `ag.functional.vjp`).
# 3. The same Jacobian assembled both ways, column by column and row by row.
# 4. The cost argument: for a scalar loss and $n$ parameters, reverse mode needs **1** pass, forward mode **n** —
#    measured with a stopwatch.
# 5. The Hessian is the Jacobian of the gradient: `ag.functional.hessian`, the same thing built by hand from
#    `create_graph=True`, and Hessian–vector products.

# %%
import time
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. Forward mode by hand: dual numbers
#
# A dual number holds a value $a$ and a tangent $\dot a = \partial a / \partial(\text{chosen input})$. Each operation
# updates both with its local derivative: $(a, \dot a)\cdot(b, \dot b) = (ab,\ \dot a b + a \dot b)$,
# $\sin(a, \dot a) = (\sin a,\ \cos a\, \dot a)$. Seeding $\dot x_1 = 1, \dot x_2 = 0$ gives $\partial z / \partial x_1$;
# a **second pass** with $\dot x_1 = 0, \dot x_2 = 1$ is needed for $\partial z / \partial x_2$.

# %%
class Dual:
    def __init__(self, value, tangent):
        self.value, self.tangent = value, tangent
    def __add__(self, other):
        return Dual(self.value + other.value, self.tangent + other.tangent)
    def __mul__(self, other):
        return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)
    def __repr__(self):
        return f"(value={self.value:.4f}, tangent={self.tangent:.4f})"

def dsin(a):
    return Dual(np.sin(a.value), np.cos(a.value) * a.tangent)

def f(x1, x2):
    return dsin(x1) + x1 * x2

print("pass 1, seed x1:", f(Dual(2.0, 1.0), Dual(3.0, 0.0)), "  -> dz/dx1 = cos 2 + 3 =", round(np.cos(2) + 3, 4))
print("pass 2, seed x2:", f(Dual(2.0, 0.0), Dual(3.0, 1.0)), "  -> dz/dx2 = 2")

# %% [markdown]
# One reverse pass (the grad table of notebook 01) gives both numbers at once:

# %%
x1 = ag.tensor(2.0, dtype=ag.float64, requires_grad=True)
x2 = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
g1, g2 = ag.grad(ag.sin(x1) + x1 * x2, (x1, x2))
print("one reverse pass:  dz/dx1 =", round(g1.item(), 4), "  dz/dx2 =", round(g2.item(), 4))

# %% [markdown]
# ## 2. Columns and rows of a Jacobian
#
# Take $F:\mathbb{R}^4 \to \mathbb{R}^3$, $F(x) = \tanh(Ax) \odot (1 + x_{0})$. Its Jacobian $J$ is $3\times 4$.
# * `ag.functional.jvp(F, x, e_j)` returns $J e_j$, the $j$-th **column** (forward mode);
# * `ag.grad(F(x), x, grad_outputs=e_i)` returns $e_i^\top J$, the $i$-th **row** (reverse mode).

# %%
A = ag.randn(3, 4, dtype=ag.float64)
x = ag.tensor([0.3, -0.5, 1.0, 0.2], dtype=ag.float64)

def F(v):
    return ag.tanh(A @ v) * (1 + v[0])

n_in, n_out = 4, 3
cols = []
for j in range(n_in):                                   # forward mode: one pass per INPUT
    e = np.zeros(n_in); e[j] = 1
    _, col = ag.functional.jvp(F, x, ag.tensor(e))
    cols.append(col.numpy())
J_forward = np.stack(cols, axis=1)

rows = []
xr = x.detach().requires_grad_()
out = F(xr)
for i in range(n_out):                                  # reverse mode: one pass per OUTPUT
    e = np.zeros(n_out); e[i] = 1
    (row,) = ag.grad(out, xr, grad_outputs=ag.tensor(e), retain_graph=True)
    rows.append(row.numpy())
J_reverse = np.stack(rows, axis=0)

J_library = ag.functional.jacobian(F, x).numpy()
np.set_printoptions(precision=4, suppress=True)
print("assembled from 4 forward passes (columns):\n", J_forward)
print("assembled from 3 reverse passes (rows):\n", J_reverse)
assert np.allclose(J_forward, J_reverse) and np.allclose(J_reverse, J_library)

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 2.8))
for ax, title, hl in [(axes[0], "forward mode: pass j fills column j", "col"),
                      (axes[1], "reverse mode: pass i fills row i", "row")]:
    ax.imshow(J_library, cmap="coolwarm", vmin=-1.2, vmax=1.2)
    for i in range(n_out):
        for j in range(n_in):
            ax.text(j, i, f"{J_library[i, j]:.2f}", ha="center", va="center", fontsize=9)
    if hl == "col":
        for j in range(n_in):
            ax.add_patch(plt.Rectangle((j - .45, -.45), .9, n_out - .1, fill=False, lw=2, ec=f"C{j}"))
            ax.text(j, n_out - .35, f"pass {j + 1}", ha="center", fontsize=8, color=f"C{j}")
    else:
        for i in range(n_out):
            ax.add_patch(plt.Rectangle((-.45, i - .45), n_in - .1, .9, fill=False, lw=2, ec=f"C{i}"))
            ax.text(n_in - .4, i, f"pass {i + 1}", va="center", fontsize=8, color=f"C{i}")
    ax.set_xticks(range(n_in)); ax.set_yticks(range(n_out))
    ax.set_xlabel("input $x_j$"); ax.set_ylabel("output $F_i$")
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-.5, n_in + .3 if hl == "row" else n_in - .5); ax.set_ylim(n_out - .1 if hl == "col" else n_out - .5, -.5)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. Why deep learning uses reverse mode
#
# A loss is **one** number that depends on **many** parameters. Its Jacobian is a single row, so reverse mode gets
# it in one pass; forward mode needs one pass per parameter. We time both on
# $L(\theta) = \sum_k \tanh\big((M\theta)_k\big)^2$ for growing $n = \dim\theta$.
#
# (In this library `jvp` is itself computed with two reverse sweeps — a standard trick that avoids a second engine —
# so each forward pass costs a little more than a true dual-number pass would. The pass count is what matters:
# it is $n$ versus $1$.)

# %%
def make_loss(n):
    M = ag.randn(20, n, dtype=ag.float64) / np.sqrt(n)
    return lambda th: (ag.tanh(M @ th) ** 2).sum()

sizes = [5, 10, 20, 40, 80, 160]
t_fwd, t_rev = [], []
for n in sizes:
    L = make_loss(n)
    theta = ag.randn(n, dtype=ag.float64)
    t0 = time.perf_counter()
    g_fwd = np.array([ag.functional.jvp(L, theta, ag.tensor(np.eye(n)[j]))[1].item() for j in range(n)])
    t_fwd.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    th = theta.detach().requires_grad_()
    (g_rev,) = ag.grad(L(th), th)
    t_rev.append(time.perf_counter() - t0)
    assert np.allclose(g_fwd, g_rev.numpy())

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
axes[0].plot(sizes, sizes, "o-", label="forward mode: n passes")
axes[0].plot(sizes, [1] * len(sizes), "s-", label="reverse mode: 1 pass")
axes[0].set_xlabel("number of parameters n"); axes[0].set_ylabel("passes for the full gradient"); axes[0].legend()
axes[1].plot(sizes, np.array(t_fwd) * 1e3, "o-", label="forward mode")
axes[1].plot(sizes, np.array(t_rev) * 1e3, "s-", label="reverse mode")
axes[1].set_xlabel("number of parameters n"); axes[1].set_ylabel("time for the gradient (ms)"); axes[1].legend()
for ax in axes: ax.grid(alpha=.3)
fig.suptitle("Gradient of a scalar loss: reverse mode wins", fontsize=11)
plt.tight_layout(); plt.show()
print("n =", sizes[-1], f": forward {t_fwd[-1] * 1e3:.1f} ms, reverse {t_rev[-1] * 1e3:.2f} ms")

# %% [markdown]
# The balance flips for a function with **one input and many outputs** (say a curve $t \mapsto (\cos t, \sin t, \dots)$):
# then the Jacobian is one column, and forward mode needs one pass where reverse needs one per output.

# %% [markdown]
# ## 4. The Hessian is the Jacobian of the gradient
#
# With `create_graph=True` the backward pass is recorded as a graph of its own, so the gradient can be
# differentiated again. For $f(x, y) = x^2 y + \sin y$:
# $\nabla f = (2xy,\ x^2 + \cos y)$ and
# $H = \begin{pmatrix} 2y & 2x \\ 2x & -\sin y \end{pmatrix}$.

# %%
def f2(v):
    return v[0] ** 2 * v[1] + ag.sin(v[1])

p = ag.tensor([1.5, 0.5], dtype=ag.float64)

def gradient(v):
    (g,) = ag.grad(f2(v), v, create_graph=True)     # a Tensor that is itself part of a graph
    return g

H_by_hand = ag.functional.jacobian(gradient, p.requires_grad_()).numpy()   # Jacobian of the gradient
H_library = ag.functional.hessian(f2, p).numpy()
xv, yv = 1.5, 0.5
H_exact = np.array([[2 * yv, 2 * xv], [2 * xv, -np.sin(yv)]])
print("jacobian(gradient):\n", H_by_hand)
print("ag.functional.hessian:\n", H_library)
print("formula:\n", H_exact)
assert np.allclose(H_by_hand, H_exact) and np.allclose(H_library, H_exact)

# %% [markdown]
# A Hessian–vector product $Hv$ costs about two gradient passes and never forms $H$ — what second-order methods
# (notebook 10, Newton) and curvature probes use on large models:

# %%
v = ag.tensor([1.0, -2.0], dtype=ag.float64)
_, Hv = ag.functional.hvp(f2, p, v)
print("hvp:", Hv.numpy(), "   H @ v:", H_exact @ v.numpy())
assert np.allclose(Hv.numpy(), H_exact @ v.numpy())

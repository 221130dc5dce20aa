# %% [markdown]
# # 01 · Computational graphs and the grad table
#
# **What this notebook shows.**
# 1. The notes' worked example $z = \sin(x_1) + x_1 x_2$ at $x_1 = 2,\ x_2 = 3$ as a graph: leaves, operation nodes, and the value each node holds after the forward pass.
# 2. The backward pass filling the *grad table* one row at a time, in reverse topological order, ending with
#    $\partial z/\partial x_1 = \cos 2 + 3 \approx 2.58$ and $\partial z/\partial x_2 = 2$.
# 3. The same table computed by hand in a dozen lines of Python — the algorithm of the notes, nothing more.
# 4. Why the table matters: a sub-expression used twice is differentiated **once**; the number of
#    multiplications grows with the number of edges, not with the (exponential) number of paths.
# 5. The vector chain rule $\nabla_x z = (\partial y/\partial x)^\top \nabla_y z$, checked with an explicit Jacobian.

# %%
import time
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import display, Image
import autograd as ag

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. The forward pass builds a graph
#
# The notes name every intermediate: $w_1 = x_1$, $w_2 = x_2$, $w_3 = w_1 w_2$, $w_4 = \sin w_1$, $w_5 = w_3 + w_4 = z$.
# Every Tensor we create from an operation remembers the operation (`grad_fn`) and its inputs; that record *is*
# the graph. We give the tensors the notes' names so the drawing and the table use them.
# We work in float64 so the printed numbers are exact to many digits.

# %%
x1 = ag.tensor(2.0, dtype=ag.float64, requires_grad=True, name="x1")
x2 = ag.tensor(3.0, dtype=ag.float64, requires_grad=True, name="x2")
w3 = x1 * x2;        w3.name = "w3"
w4 = ag.sin(x1);     w4.name = "w4"
z = w3 + w4;         z.name = "z (w5)"

print("z  =", z)
print("z was made by", z.grad_fn, "from", [t.name for t in z.grad_fn.inputs])
print("w4 was made by", w4.grad_fn, "from", [t.name for t in w4.grad_fn.inputs])

# %% [markdown]
# The drawing below is produced by `ag.viz.draw(z)`. Inputs/parameters, operations and intermediate values have
# different colours (legend in the picture). No backward pass has run yet, so no gradient is shown.

# %%
def show(drawing, dpi=80):
    """Show a graphviz drawing as a PNG (so it also appears on web pages that render notebooks)."""
    drawing.attr(dpi=str(dpi))
    display(Image(drawing.pipe(format="png")))

show(ag.viz.draw(z, title="z = sin(x1) + x1*x2 after the forward pass"))

# %% [markdown]
# ## 2. The grad table, filled step by step
#
# The backward algorithm of the notes:
# * set `grad_table[z] = 1`;
# * visit the nodes in **reverse topological order** (a node is visited only after every node that consumes it);
# * for node $u_j$: `grad_table[u_j]` $= \sum_{i \in \text{consumers}(j)}$ `grad_table[u_i]` $\cdot\ \partial u_i / \partial u_j$.
#
# `ag.viz.backward_steps(z)` replays the pass: one drawing per step, the node being processed highlighted in orange,
# the rows filled so far listed in the table beside the graph. Drag the slider (or press play) to step through it.
# The player is plain HTML with every frame inside it: it keeps working in the saved notebook, on a course web page,
# with no kernel running. `steps.to_html("backprop.html")` writes the same player as a page of its own.

# %%
import os, tempfile
from IPython.display import HTML

steps = ag.viz.backward_steps(z)
print(len(steps), "steps, one per node of the graph")
page = steps.to_html(os.path.join(tempfile.mkdtemp(), "backprop.html"))
print("the same player as a page of its own:", os.path.basename(page), f"({os.path.getsize(page) / 1e3:.0f} kB)")
display(HTML(steps.html(full_page=False, interval=1200)))

# %% [markdown]
# Where no JavaScript runs (some notebook viewers strip it), here are the same frames as still images:

# %%
for frame in steps:
    show(frame, dpi=55)

# %% [markdown]
# After the last step the table is complete. `ag.grad_table(z)` returns it as an ordered mapping
# (node → $\partial z / \partial\,$node) in exactly the order it was filled:

# %%
table = ag.grad_table(z)
print(table)

# %%
dz_dx1, dz_dx2 = table[x1].item(), table[x2].item()
print(f"dz/dx1 = {dz_dx1:.6f}   (cos 2 + 3 = {np.cos(2) + 3:.6f})")
print(f"dz/dx2 = {dz_dx2:.6f}   (x1 = 2)")
assert abs(dz_dx1 - (np.cos(2) + 3)) < 1e-12 and abs(dz_dx2 - 2) < 1e-12

# %% [markdown]
# Note the row for $x_1$: it has **two consumers** ($w_3 = x_1 x_2$ and $w_4 = \sin x_1$), so its entry is the sum
# $1 \cdot x_2 + 1 \cdot \cos x_1 = 3 + \cos 2$. The ordinary `z.backward()` runs the same pass and stores the leaf
# rows in `.grad`:

# %%
z.backward()
print("x1.grad =", x1.grad.item(), "  x2.grad =", x2.grad.item())
show(ag.viz.draw(z, title="after z.backward(): the leaves carry dz/dx1 and dz/dx2"))

# %% [markdown]
# ## 3. The same algorithm by hand
#
# Nothing magic happens inside the engine. Here is the notes' algorithm on a hand-written graph: each node lists its
# parents and its **local** derivatives with respect to them; that is all backward needs.

# %%
v1, v2 = 2.0, 3.0
# node: (value, [(parent, d node / d parent), ...])   -- written in topological order
graph = {
    "w1": (v1, []),
    "w2": (v2, []),
    "w3": (v1 * v2, [("w1", v2), ("w2", v1)]),        # d(w1 w2)/dw1 = w2, /dw2 = w1
    "w4": (np.sin(v1), [("w1", np.cos(v1))]),          # d sin(w1)/dw1 = cos(w1)
    "w5": (v1 * v2 + np.sin(v1), [("w3", 1.0), ("w4", 1.0)]),
}
grad_table = {name: 0.0 for name in graph}
grad_table["w5"] = 1.0
for name in reversed(list(graph)):                     # reverse topological order
    for parent, local in graph[name][1]:
        grad_table[parent] += grad_table[name] * local  # hand d z/d node times local gradient back
    print(f"after visiting {name}: " + ", ".join(f"{k}={v:.4f}" for k, v in grad_table.items()))

assert np.isclose(grad_table["w1"], dz_dx1) and np.isclose(grad_table["w2"], dz_dx2)

# %% [markdown]
# ## 4. Shared sub-expressions are differentiated once
#
# Take a chain where every node is used **twice** by the next one: $u_{k+1} = \sin(u_k) \cdot u_k$.
# From the output back to the input there are $2^n$ different paths, and writing the derivative out as a
# symbolic sum over paths costs that many products. The grad table visits every edge once: the work grows
# like $2n$.
#
# Below: (a) a naive "sum over all paths" recursion that recomputes shared sub-expressions, (b) the engine.
# Both give the same number; we count the multiplications each does.

# %%
def chain(u, n):
    for _ in range(n):
        u = ag.sin(u) * u
    return u

def naive_derivative(u0, n, counter):
    """d u_n / d u_0 by expanding the chain rule over every path (no table)."""
    if n == 0:
        return 1.0
    u = u0
    for _ in range(n - 1):                # value of u_{n-1}
        u = np.sin(u) * u
    # u_n = sin(u) * u: two paths into u_{n-1}, each expanded separately
    counter[0] += 2
    return (np.cos(u) * u) * naive_derivative(u0, n - 1, counter) + np.sin(u) * naive_derivative(u0, n - 1, counter)

rows = []
for n in [2, 4, 6, 8, 10, 12, 14]:
    x = ag.tensor(0.9, dtype=ag.float64, requires_grad=True)
    out = chain(x, n)
    t0 = time.perf_counter(); table = ag.grad_table(out); t_engine = time.perf_counter() - t0
    counter = [0]
    t0 = time.perf_counter(); d_naive = naive_derivative(0.9, n, counter); t_naive = time.perf_counter() - t0
    assert np.isclose(d_naive, table[x].item())
    edges = sum(len(t.grad_fn.inputs) for t in table if t.grad_fn is not None)
    rows.append((n, edges, counter[0], t_engine * 1e3, t_naive * 1e3))

print(f"{'n':>3} {'edges (table)':>14} {'products (paths)':>17} {'engine ms':>10} {'naive ms':>9}")
for r in rows:
    print(f"{r[0]:>3} {r[1]:>14} {r[2]:>17} {r[3]:>10.2f} {r[4]:>9.2f}")

# %%
ns = [r[0] for r in rows]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(ns, [r[1] for r in rows], "o-", label="grad table: one product per edge")
ax.semilogy(ns, [r[2] for r in rows], "s-", label="sum over paths: exponential")
ax.set_xlabel("depth n of the chain  $u_{k+1} = \\sin(u_k)\\,u_k$")
ax.set_ylabel("multiplications (log scale)")
ax.set_title("Dynamic programming: reuse each node's entry")
ax.legend(); ax.grid(alpha=.3)
plt.show()

# %% [markdown]
# ## 5. The vector chain rule
#
# With vectors, the local derivative of $y = f(x)$ is a Jacobian $\partial y / \partial x$ and the rule becomes
# $\nabla_x z = \left(\dfrac{\partial y}{\partial x}\right)^{\!\top} \nabla_y z$ — a Jacobian-transpose times a vector
# (a *VJP*). The engine never builds the Jacobian; it applies each op's VJP directly. Here we build the Jacobian
# anyway, to check the identity with numbers: $y = W x$, $z = \sum_i \tanh(y_i)$.

# %%
W = ag.randn(3, 4, dtype=ag.float64)
x = ag.tensor(np.array([0.5, -1.0, 2.0, 0.1]), requires_grad=True)

y = W @ x
y.retain_grad()
z = ag.tanh(y).sum()
z.backward()

J = ag.functional.jacobian(lambda v: W @ v, x)     # dy/dx, shape (3, 4) -- equals W here
grad_y = y.grad                                     # dz/dy = 1 - tanh(y)^2
print("dy/dx =\n", np.round(J.numpy(), 3))
print("grad_y z            =", np.round(grad_y.numpy(), 4))
print("(dy/dx)^T grad_y z  =", np.round((J.T @ grad_y).numpy(), 4))
print("engine's x.grad     =", np.round(x.grad.numpy(), 4))
assert np.allclose((J.T @ grad_y).numpy(), x.grad.numpy())
assert np.allclose(grad_y.numpy(), 1 - np.tanh(y.numpy()) ** 2)

# %% [markdown]
# The player of section 2 works for any graph: `ag.viz.backward_steps(y.sum()).to_html("steps.html")` saves the
# backward pass of this vector example as a page to share. (In a live session, `ag.viz.animate_backward(z)` shows the
# same frames in an ipywidgets slider.)

# %% [markdown]
# **Take-aways.** The forward pass records a graph; backward fills one table entry per node, in reverse topological
# order, each from its consumers' entries times local derivatives; shared nodes are handled once by *adding* the
# contributions; with vectors each step is a Jacobian-transpose–vector product.

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
# 6. The notes' framework examples, run here: `a**2`, `y = sum(a**2)` = 30 and `a.grad` = $2a$, the `TwoLayerNet`
#    module (32 × 100 in, 32 × 10 out), its training step logged to TensorBoard event files with
#    `nn.utils.tensorboard.SummaryWriter`, and Colab's `ones((2, 3)) + reshape(range(1, 7), (2, 3))`.

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
# ## 6. The same in framework code: the notes' PyTorch and Colab examples
#
# Notes 003 ("The PyTorch Framework") introduce the framework with a few lines; they run unchanged here with
# `autograd`/`nn` in place of `torch`/`torch.nn`. **Tensors (Data)**: `a = torch.Tensor([[1,2],[3,4]])`,
# `print(a**2)` shows `1 4 / 9 16`. (`ag.Tensor(...)`, like `torch.Tensor(...)`, always makes float32; `ag.tensor`, like
# `torch.tensor`, keeps the data's type, so `ag.tensor([[1, 2], [3, 4]])` would hold int64.)

# %%
a = ag.Tensor([[1, 2], [3, 4]])
print(a)
print(a ** 2)
assert (a ** 2).numpy().tolist() == [[1, 4], [9, 16]]

# %% [markdown]
# **Variables, Functions and Autograd**: `a = Variable(torch.Tensor([[1,2],[3,4]]), requires_grad=True)`,
# `y = torch.sum(a**2) # 1 + 4 + 9 + 16` prints 30, then `y.backward() # compute gradients of y wrt a` and
# `print(a.grad) # print dy/da_ij = 2*a_ij for a_11, a_12, a21, a22`. `Variable` is gone from PyTorch since 0.4
# (2018): a tensor created with `requires_grad=True` is the variable. (The slide's printout of `a.grad` lost its
# first row, `2 4`, in the conversion; the full matrix is $2a$.)

# %%
a = ag.Tensor([[1, 2], [3, 4]], requires_grad=True)
y = ag.sum(a ** 2)          # 1 + 4 + 9 + 16
print(y)
y.backward()                # compute gradients of y wrt a
print(a.grad)               # dy/da_ij = 2 * a_ij
assert y.item() == 30 and a.grad.numpy().tolist() == [[2, 4], [6, 8]]

# %% [markdown]
# **Models / Neural Network Modules**: the notes' `TwoLayerNet`, word for word but for the imports (`super().__init__()`
# is today's spelling of `super(TwoLayerNet, self).__init__()`), and "Using Models": `N, D_in, H, D_out = 32, 100, 50, 10`,
# `x` of size 32 × 100, `y_pred = model(x) # dim: 32 x 10`.

# %%
import nn
import nn.functional as F
import optim

class TwoLayerNet(nn.Module):
    def __init__(self, D_in, H, D_out):
        """Constructor. Instantiate two nn.Linear modules and assign them as member variables.
        D_in: input dimension, H: dimension of hidden layer, D_out: output dimension
        """
        super().__init__()
        self.linear1 = nn.Linear(D_in, H)
        self.linear2 = nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = F.relu(self.linear1(x))
        y_pred = self.linear2(h_relu)
        return y_pred

# N is batch size; D_in is input dimension; H is the dimension of the hidden layer; D_out is output dimension.
N, D_in, H, D_out = 32, 100, 50, 10
x = ag.randn(N, D_in)                 # dim: 32 x 100
model = TwoLayerNet(D_in, H, D_out)
y_pred = model(x)                     # dim: 32 x 10
print(model)
print("x:", tuple(x.shape), " y_pred:", tuple(y_pred.shape),
      " parameters:", sum(p.numel() for p in model.parameters()), "= 100·50 + 50 + 50·10 + 10")
assert tuple(y_pred.shape) == (32, 10)

# %% [markdown]
# **Training dashboards.** Notes 004 ("Deep Learning Frameworks — Tensorboard") show TensorBoard's curves.
# `nn.utils.tensorboard.SummaryWriter` (PyTorch's class and methods; it needs the optional `tensorboard` package)
# writes the same event files as `torch.utils.tensorboard`: here the notes' "Core Training Step" (003:
# `optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()`, SGD with `lr = 0.01, momentum=0.9`) trains the
# `TwoLayerNet` on 10 random classes, logging the loss, train-vs-validation scalars and the first layer's weight
# histogram. `tensorboard --logdir <that folder>` draws them live; below they are read back with TensorBoard's own
# `EventAccumulator`, exactly what its dashboard reads. (The labels are random, so the network can only memorise them: the
# training loss falls while the validation loss rises — the picture a dashboard is there to catch.)

# %%
import tempfile
try:
    from nn.utils.tensorboard import SummaryWriter
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
except ImportError as exc:           # the optional extra is missing: say so and skip the dashboard
    SummaryWriter = None
    print("skipped:", exc)

if SummaryWriter is not None:
    ag.manual_seed(0)
    labels = ag.randint(0, D_out, (N,))
    x_val, labels_val = ag.randn(N, D_in), ag.randint(0, D_out, (N,))
    model = TwoLayerNet(D_in, H, D_out)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    log_dir = tempfile.mkdtemp(prefix="runs_")
    with SummaryWriter(log_dir) as writer:
        for step in range(60):
            output_batch = model(x)                     # compute model output
            loss = loss_fn(output_batch, labels)        # calculate loss
            optimizer.zero_grad()                       # clear previous gradients
            loss.backward()                             # compute gradients of all variables wrt loss
            optimizer.step()                            # perform updates using calculated gradients
            writer.add_scalar("loss/train", loss.item(), step)
            if step % 10 == 0:
                with ag.no_grad():
                    val = loss_fn(model(x_val), labels_val).item()
                writer.add_scalars("loss", {"train": loss.item(), "val": val}, step)
                writer.add_histogram("linear1.weight", model.linear1.weight, step, bins="auto")
    acc = EventAccumulator(log_dir, size_guidance={"scalars": 0, "histograms": 0}); acc.Reload()
    curve = acc.Scalars("loss/train")
    hist = acc.Histograms("linear1.weight")
    print(f"event file in {log_dir}: tags {acc.Tags()['scalars']} + {acc.Tags()['histograms']}, {len(curve)} loss points")
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    axes[0].plot([e.step for e in curve], [e.value for e in curve]); axes[0].set_title("loss/train (read back)", fontsize=10)
    for key in ("train", "val"):
        run = EventAccumulator(f"{log_dir}/loss_{key}"); run.Reload()
        axes[1].plot([e.step for e in run.Scalars("loss")], [e.value for e in run.Scalars("loss")], "o-", label=key)
    axes[1].legend(fontsize=8); axes[1].set_title("add_scalars('loss', {train, val})", fontsize=10)
    for h, c in ((hist[0], "C0"), (hist[-1], "C3")):
        hv = h.histogram_value                  # right bin edges; bucket[0] is an empty bin on the left
        edges, counts = np.array(hv.bucket_limit), np.array(hv.bucket[1:])
        axes[2].stairs(counts / np.diff(edges) / hv.num, edges, color=c, label=f"step {h.step}")
    axes[2].legend(fontsize=8); axes[2].set_title("linear1.weight: density from the histogram", fontsize=10)
    for ax in axes[:2]:
        ax.set_xlabel("step"); ax.grid(alpha=.3)
    plt.tight_layout(); plt.show()
    assert len(curve) == 60 and curve[-1].value < curve[0].value
    assert hist[0].histogram_value.num == D_in * H

# %% [markdown]
# Notes 004's Colab slide ("L'exemple ci-dessous ajoute deux matrices", TensorFlow): `tf.ones((2, 3))` plus
# `tf.reshape(tf.range(1, 7, dtype=tf.float32), (2, 3))` is `[[2, 3, 4], [5, 6, 7]]`. The same three calls exist here:

# %%
input1 = ag.ones((2, 3))
input2 = ag.reshape(ag.arange(1, 7, dtype=ag.float32), (2, 3))
print(input1 + input2)
assert (input1 + input2).numpy().tolist() == [[2, 3, 4], [5, 6, 7]]

# %% [markdown]
# **Take-aways.** The forward pass records a graph; backward fills one table entry per node, in reverse topological
# order, each from its consumers' entries times local derivatives; shared nodes are handled once by *adding* the
# contributions; with vectors each step is a Jacobian-transpose–vector product.

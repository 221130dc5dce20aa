# %% [markdown]
# # 15 · Skip connections
#
# **What this notebook shows.**
# 1. A residual block $y = x + f(x)$ drawn as a graph: the input reaches the output along two paths, and in the
#    backward pass their gradients **add** (the grad-table rule for a node with two consumers, notebook 01):
#    $\partial y/\partial x = I + \partial f/\partial x$ — the identity term passes the gradient through untouched.
# 2. Gradient norms layer by layer through a **30-layer plain network** and the same network with **skip
#    connections** around every layer (sigmoid activations): vanishing in the first, nearly level in the second.
# 3. Training both on the digits: the plain deep network hardly learns; the residual one (ResNet's idea) does.

# %%
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import display, Image
import autograd as ag
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. One residual block

# %%
class Residual(nn.Module):
    """y = x + f(x) with f = Linear followed by tanh; same width in and out."""
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, width)
    def forward(self, x):
        return x + F.tanh(self.fc(x))

block = Residual(3)
x = ag.randn(1, 3, requires_grad=True)
ag.viz.record_modules()  # the drawing boxes ops by the module that made them
y = block(x)
g = ag.viz.draw(y.sum(), model=block, names={x: "x"}, title="y = x + tanh(W x + b): two paths from x to y")
g.attr(dpi="70")
display(Image(g.pipe(format="png")))

J = ag.functional.jacobian(lambda v: block(v)[0], x).numpy()[:, 0, :]    # dy/dx, 3 x 3
Jf = ag.functional.jacobian(lambda v: F.tanh(block.fc(v))[0], x).numpy()[:, 0, :]
print("dy/dx =\n", J.round(3))
print("I + df/dx =\n", (np.eye(3) + Jf).round(3))
assert np.allclose(J, np.eye(3) + Jf, atol=1e-6)

# %% [markdown]
# ## 2. Gradients through 30 layers
#
# Two networks of 30 hidden layers of width 32 with the logistic sigmoid (whose derivative is at most 1/4, the
# culprit of notebook 07), identical weights (Xavier initialisation, `xavier_normal_`: Glorot's $2/(n_{in}+n_{out})$,
# on these square layers the same as the notes' $1/n_{in}$):
# * **plain**: $h_{l} = \sigma(W_l h_{l-1} + b_l)$;
# * **residual**: $h_{l} = h_{l-1} + \sigma(W_l h_{l-1} + b_l)$.
#
# One batch of digits, one `backward()`, and the norm of $\partial L / \partial W_l$ for every layer.

# %%
class DeepNet(nn.Module):
    def __init__(self, depth=30, width=32, residual=False, scale=1.0):
        super().__init__()
        self.inp = nn.Linear(64, width)
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        for lin in self.layers:
            nn.init.xavier_normal_(lin.weight, gain=scale); nn.init.zeros_(lin.bias)
        self.out = nn.Linear(width, 10)
        self.residual = residual
    def forward(self, x):
        h = self.inp(x)
        for lin in self.layers:
            h = h + F.sigmoid(lin(h)) if self.residual else F.sigmoid(lin(h))
        return self.out(h)

Xd, yd = nn.datasets.digits()
Xd_train, Xd_test, yd_train, yd_test = nn.datasets.train_test_split(Xd, yd, test_size=0.25, seed=0)
xb, yb = ag.tensor(Xd_train[:256]), ag.tensor(yd_train[:256])

norms, grads = {}, {}
for residual in [False, True]:
    ag.manual_seed(1)
    net = DeepNet(residual=residual)
    F.cross_entropy(net(xb), yb).backward()
    norms[residual] = [float(np.linalg.norm(l.weight.grad.numpy())) for l in net.layers]
    grads[residual] = [l.weight.grad.numpy().ravel() for l in net.layers]

fig, ax = plt.subplots(figsize=(7, 3.6))
ax.semilogy(range(1, 31), norms[False], "o-", ms=4, label="plain: h = σ(W h + b)")
ax.semilogy(range(1, 31), norms[True], "s-", ms=4, label="residual: h = h + σ(W h + b)")
ax.set_xlabel("layer (1 = next to the input, 30 = next to the loss)"); ax.set_ylabel(r"$\|\partial L/\partial W_l\|$ (log)")
ax.set_title("same weights, with and without skip connections", fontsize=10)
ax.legend(fontsize=8); ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()
print(f"first-layer / last-layer gradient norm:  plain {norms[False][0] / norms[False][-1]:.1e},"
      f"  residual {norms[True][0] / norms[True][-1]:.2g}")

# %% [markdown]
# The notes (002, "Major challenge in DL: Vanishing Gradients") draw this as "Backpropagated gradients normalized
# histograms (Glorot and Bengio, 2010)": one histogram of $\partial L/\partial W_l$ per layer. The same gradients, for
# layers 1, 10, 20 and 30:

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), sharey=True)
for ax, residual, name in [(axes[0], False, "plain"), (axes[1], True, "residual")]:
    top = max(np.abs(grads[residual][l - 1]).max() for l in (1, 10, 20, 30))
    for l in (1, 10, 20, 30):
        ax.hist(grads[residual][l - 1], bins=np.linspace(-top, top, 81), histtype="step", density=True, log=True,
                label=f"layer {l} (std {grads[residual][l - 1].std():.1e})")
    ax.set_xlabel(r"$\partial L/\partial W_l$ entries"); ax.set_title(f"{name}: normalised histograms per layer", fontsize=10)
    ax.legend(fontsize=7)
axes[0].set_ylabel("density (log)")
plt.tight_layout(); plt.show()

# %% [markdown]
# In the plain network every layer multiplies the backward signal by $W_l^\top$ times $\sigma' \le 1/4$: thirty such
# factors leave nothing for the first layers. In the residual network each layer's Jacobian is $I + \partial f/\partial h$,
# and the identity part carries the gradient from the loss to every layer directly.
#
# ## 3. Training both
#
# Adam, lr $10^{-3}$, 150 steps on mini-batches of 128 digits, same initial weights.

# %%
loader = nn.data.DataLoader(nn.data.TensorDataset(Xd_train, yd_train), batch_size=128, shuffle=True, seed=0)
fig, ax = plt.subplots(figsize=(7, 3.6))
for residual in [False, True]:
    ag.manual_seed(1)
    net = DeepNet(residual=residual)
    opt = optim.Adam(net.parameters(), lr=1e-3)
    losses, step = [], 0
    while step < 150:
        for xb_, yb_ in loader:
            opt.zero_grad()
            loss = F.cross_entropy(net(xb_), yb_)
            loss.backward(); opt.step()
            losses.append(loss.item()); step += 1
            if step == 150:
                break
    with ag.no_grad():
        acc = (net(ag.tensor(Xd_test)).numpy().argmax(1) == yd_test).mean()
    ax.plot(losses, label=f"{'residual' if residual else 'plain'} 30-layer net: test accuracy {acc:.0%}")
ax.set_xlabel("Adam step"); ax.set_ylabel("cross-entropy"); ax.legend(fontsize=8); ax.grid(alpha=.3)
ax.set_title("skip connections make the deep network trainable", fontsize=10)
plt.tight_layout(); plt.show()

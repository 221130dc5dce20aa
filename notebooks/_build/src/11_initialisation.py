# %% [markdown]
# # 11 · Initialisation
#
# **What this notebook shows.**
# 1. **All-zero** (or any constant) weights keep the hidden units identical: they get identical gradients, so they
#    stay copies of each other for ever — the network behaves as if it had one hidden unit. Random initialisation
#    breaks the symmetry. Shown as heat maps of the hidden weights after training.
# 2. **Small random** weights ($\text{randn}\times 0.01$) break the symmetry but make the signal shrink layer after layer
#    in a deep network.
# 3. The fan-scaled schemes of the notes keep the spread of the activations constant through depth:
#    $\text{Var}(w) = 1/n_{in}$ (Xavier/LeCun, for tanh), $2/n_{in}$ (He, for ReLU), $2/(n_{in}+n_{out})$ (Glorot/"Bengio").
#    Measured layer by layer in 15-layer networks — and what happens when the scheme does not match the activation.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. Symmetry: zeros, a constant, random
#
# A 2 → 6 (tanh) → 1 network trained on two moons for 300 steps, three ways of initialising **all** its weights.

# %%
X_np, y_np = nn.datasets.moons(200, noise=0.15, seed=0)
X, y = ag.tensor(X_np), ag.tensor(y_np.astype(np.float32)).reshape(-1, 1)

def train(init, steps=300):
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
    for layer in (net[0], net[2]):
        init(layer.weight); nn.init.zeros_(layer.bias)
    opt = optim.SGD(net.parameters(), lr=0.5)
    for _ in range(steps):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(net(X), y)
        loss.backward()
        opt.step()
    acc = ((net(X).numpy() > 0) == y.numpy()).mean()
    return net, loss.item(), acc

inits = {"all zeros": nn.init.zeros_,
         "all 0.3 (a constant)": lambda w: nn.init.constant_(w, 0.3),
         "random (Xavier)": nn.init.xavier_normal_}
fig, axes = plt.subplots(1, 3, figsize=(12, 2.5))
for ax, (name, init) in zip(axes, inits.items()):
    net, loss, acc = train(init)
    W = net[0].weight.numpy()                        # (6 hidden units, 2 inputs)
    ax.imshow(W.T, cmap="coolwarm", vmin=-2.5, vmax=2.5)
    for i in range(2):
        for j in range(6):
            ax.text(j, i, f"{W[j, i]:.2f}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(6)); ax.set_xticklabels([f"unit {j + 1}" for j in range(6)], fontsize=7)
    ax.set_yticks([0, 1]); ax.set_yticklabels(["from x1", "from x2"])
    ax.set_title(f"{name}\nafter training: loss {loss:.3f}, accuracy {acc:.0%}", fontsize=9)
fig.suptitle("hidden-layer weights after 300 steps: columns = hidden units", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# * **Zeros** (with tanh, $\tanh(0) = 0$): every hidden unit outputs 0, so the output weights get no gradient, and the
#   hidden weights get (output weight = 0) × … = 0. Nothing but the output bias ever moves: the network predicts
#   the class balance.
# * **A constant**: the six columns start equal, receive equal gradients, and stay equal — six copies of one unit.
#   The network can only draw what a single hidden unit can.
# * **Random**: every unit starts different and specialises.
#
# ## 2. Through depth: how each scheme keeps (or loses) the signal
#
# Fifteen `nn.Linear(256, 256)` layers, a batch of 512 standard-normal inputs; we record the standard deviation of
# the activations after every layer.

# %%
def activation_stds(act, init, depth=15, width=256):
    ag.manual_seed(1)
    h = ag.randn(512, width)
    stds = []
    with ag.no_grad():
        for _ in range(depth):
            lin = nn.Linear(width, width)
            init(lin.weight); nn.init.zeros_(lin.bias)
            h = act(lin(h))
            stds.append(float(h.numpy().std()))
    return stds, h.numpy()

schemes = {
    "small random (0.01)":          nn.init.small_random_,
    "Xavier/LeCun: Var = 1/n_in":   nn.init.lecun_normal_,
    "Glorot ('Bengio'): 2/(n_in+n_out)": lambda w: nn.init.bengio_(w),
    "He: Var = 2/n_in":             lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "too large: N(0, 1)":           lambda w: nn.init.normal_(w, std=1.0),
}
fig, axes = plt.subplots(1, 2, figsize=(12, 3.9))
final = {}
for ax, (act_name, act) in zip(axes, [("tanh", F.tanh), ("ReLU", F.relu)]):
    for (name, init), mk in zip(schemes.items(), "ovs^D"):
        stds, last = activation_stds(act, init)
        final[(act_name, name)] = last
        ax.semilogy(range(1, 16), np.maximum(stds, 1e-30), marker=mk, ms=4, label=name)
    ax.set_title(f"{act_name} network: spread of the activations by layer", fontsize=10)
    ax.set_xlabel("layer"); ax.set_ylabel("std of activations (log)"); ax.grid(alpha=.3, which="both")
axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
plt.tight_layout(); plt.show()

# %% [markdown]
# * Small random weights multiply the spread by about $0.01\sqrt{256} = 0.16$ per layer: after 15 layers nothing is
#   left, and the gradients (which travel back through the same weights) vanish the same way.
# * With tanh, $\text{Var}(w) = 1/n_{in}$ keeps the spread roughly level (tanh is close to the identity near 0).
#   $\mathcal N(0,1)$ saturates every unit at $\pm 1$ — where tanh's derivative is 0.
# * For these square layers ($n_{in} = n_{out}$) LeCun's $1/n_{in}$ and Glorot's $2/(n_{in}+n_{out})$ are the same
#   number, so their curves coincide.
# * ReLU zeroes half of its inputs, halving the variance; He's factor 2 compensates exactly. With $1/n_{in}$ the signal
#   halves its variance every layer.
#
# The distributions at the last layer of the tanh network, as histograms:

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 2.8))
for ax, name in zip(axes, ["small random (0.01)", "Xavier/LeCun: Var = 1/n_in", "too large: N(0, 1)"]):
    a = final[("tanh", name)].ravel()
    ax.hist(a, bins=60, color="C0")
    ax.set_title(f"tanh, layer 15, {name}\nstd {a.std():.2g}", fontsize=9)
    ax.set_yticks([])
plt.tight_layout(); plt.show()

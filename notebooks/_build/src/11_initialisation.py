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
#    $\text{Var}(w) = 1/n_{in}$ (the notes' "Xavier", LeCun's), $2/n_{in}$ (He, for ReLU), $2/(n_{in}+n_{out})$ (Glorot,
#    PyTorch's `xavier_*`). Measured layer by layer in 15-layer networks — and what happens when the scheme does not
#    match the activation.
# 4. **Each name's variance** (§3) on the notes' $400 \to 100$ layer, where the names part ways: the notes' "Xavier" is not
#    PyTorch's `xavier_normal_`, and the notes' "Bengio" formula is printed as a product, $2/(n^{[l-1]}n^{[l]})$, where
#    Glorot and Bengio's paper has a sum.

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
         "random (Glorot, xavier_normal_)": nn.init.xavier_normal_}
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
    "notes' Xavier (LeCun): 1/n_in": nn.init.lecun_normal_,
    "Glorot (xavier_normal_): 2/(n_in+n_out)": nn.init.xavier_normal_,
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
for ax, name in zip(axes, ["small random (0.01)", "notes' Xavier (LeCun): 1/n_in", "too large: N(0, 1)"]):
    a = final[("tanh", name)].ravel()
    ax.hist(a, bins=60, color="C0")
    ax.set_title(f"tanh, layer 15, {name}\nstd {a.std():.2g}", fontsize=9)
    ax.set_yticks([])
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 3. One variance per name: the notes' words and the library's
#
# The notes (004, "Weight initialisation for Deep Neural Networks"): "set $\text{Var}(w_i) = 1/n$", "For a ReLu:
# $\text{Var}(w_i) = 2/n$ works a bit better", and for a tanh "$\text{Var}(w_i) = 1/n^{[l-1]}$: Xavier initialisation",
# "$\text{Var}(w_i) = 2/(n^{[l-1]} n^{[l]})$: Bengio initialisation". The layers above were square, where several of
# these coincide. On a $400 \to 100$ layer ($n^{[l-1]} = 400$ inputs, $n^{[l]} = 100$ outputs: `nn.Linear(400, 100)`,
# weight of shape (100, 400)) they all differ; each row draws the 40,000 weights and measures their variance.

# %%
n_in, n_out = 400, 100
table = [
    ("small_random_",            "notes: randn × 0.01",                         nn.init.small_random_,       1e-4),
    ("lecun_normal_",            "notes' 'Xavier': 1/n^[l-1]",                  nn.init.lecun_normal_,       1 / n_in),
    ("kaiming_normal_ (relu)",   "notes' ReLU: 2/n",                            lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), 2 / n_in),
    ("xavier_normal_",           "Glorot & Bengio 2010 (PyTorch's 'xavier')",   nn.init.xavier_normal_,      2 / (n_in + n_out)),
    ("bengio_",                  "the paper's sum (default)",                   nn.init.bengio_,             2 / (n_in + n_out)),
    ("bengio_product_normal_",   "notes' 'Bengio' as printed: 2/(n^[l-1] n^[l])", nn.init.bengio_product_normal_, 2 / (n_in * n_out)),
]
ag.manual_seed(0)
print(f"{'nn.init name':<25}{'what it is':<48}{'formula':>10}{'measured':>11}")
measured = {}
for name, what, init, var in table:
    w = init(nn.Linear(n_in, n_out).weight)
    measured[name] = float(w.numpy().var())
    print(f"{name:<25}{what:<48}{var:>10.2e}{measured[name]:>11.2e}")
    assert abs(measured[name] / var - 1) < 0.03
print(f"\nGlorot's sum / the printed product = {measured['xavier_normal_'] / measured['bengio_product_normal_']:.1f}"
      f"   (n_in n_out / (n_in + n_out) = {n_in * n_out / (n_in + n_out):.0f})")

# %% [markdown]
# * The notes' **"Xavier"** is $1/n^{[l-1]}$: that is `lecun_normal_` (LeCun et al., 1998). PyTorch's `xavier_normal_`
#   is Glorot's $2/(n_{in}+n_{out})$: 4.0e-3 here instead of 2.5e-3. The two agree only when $n_{in} = n_{out}$ — on
#   the square layers of §2 the curves coincide, which is why the difference is easy to miss.
# * The notes' **"Bengio"**, read literally, is $2/(400 \times 100) = 5\times10^{-5}$, 80 times smaller than Glorot and
#   Bengio's $2/(400+100)$. The product is almost certainly a lost "+": the formula is from their 2010 paper, and a
#   variance that falls with the *product* of the widths cannot keep a signal's size across layers. `nn.init.bengio_`
#   therefore uses the sum; the printed formula is there, named for what it does, as `bengio_product_normal_` (or
#   `bengio_(w, formula="product")`). What it does to a deep tanh network:

# %%
depth_schemes = {
    "notes' Xavier (lecun_normal_): 1/n_in":      nn.init.lecun_normal_,
    "Glorot (xavier_normal_, bengio_): 2/(n_in+n_out)": nn.init.xavier_normal_,
    "notes' Bengio as printed: 2/(n_in n_out)":   nn.init.bengio_product_normal_,
}
fig, ax = plt.subplots(figsize=(8, 3.6))
for (name, init), mk in zip(depth_schemes.items(), "osv"):
    stds, _ = activation_stds(F.tanh, init)
    ax.semilogy(range(1, 16), np.maximum(stds, 1e-30), marker=mk, ms=4, label=name)
    print(f"{name:<52} std after layer 1: {stds[0]:.3g}, after layer 15: {stds[-1]:.3g}")
ax.set_xlabel("layer"); ax.set_ylabel("std of activations (log)"); ax.grid(alpha=.3, which="both")
ax.set_title("tanh, 15 layers of 256 units: the printed product vanishes", fontsize=10)
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
plt.tight_layout(); plt.show()

# %% [markdown]
# With 256 units the product gives $\text{Var}(w) = 2/256^2$: each layer multiplies the spread by about
# $\sqrt{256 \cdot 2/256^2} = 0.09$, as badly as the small random start: after 15 layers nothing is left (std
# ~1e-16). The sum (and, on these square layers, the notes' Xavier, the same number) loses only a factor of about 3
# in 15 layers.

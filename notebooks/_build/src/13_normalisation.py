# %% [markdown]
# # 13 · Normalisation: of the inputs, and inside the network
#
# **What this notebook shows.**
# 1. **Input standardisation** $x' = (x - \mu)/\sigma$ and **min-max** scaling $x' = (x - \min)/(\max - \min)$, with the
#    statistics taken from the **training set** and re-used, unchanged, on the test set. On data whose two features
#    differ in scale by a factor of 1000, gradient descent crawls on the raw inputs and converges in a few dozen steps
#    on the normalised ones (the loss surface goes from a canyon to a round bowl).
# 2. **Batch normalisation** by the numbers: per mini-batch mean and variance of the pre-activations,
#    $\hat z = (z - \mu_B)/\sqrt{\sigma_B^2 + \varepsilon}$, $\tilde z = \gamma \hat z + \beta$ — the layer against the formula
#    written by hand; the **running statistics** it accumulates; and **train vs eval** mode.
# 3. A deep sigmoid network trained with and without batch normalisation.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Input normalisation
#
# Two Gaussian classes; the second feature is measured in "thousandths" (multiplied by 1000), as happens with real
# units (metres vs millimetres, a count vs a price).

# %%
X, y = nn.datasets.two_gaussians(600, seed=0)
X = X * np.array([1.0, 1000.0]) + np.array([0.0, 5000.0])
X_train, X_test, y_train, y_test = nn.datasets.train_test_split(X, y, test_size=0.3, seed=0)

std_scaler = nn.datasets.standardize(X_train)          # statistics from the training set only
mm_scaler = nn.datasets.min_max(X_train)
print("training mean   :", std_scaler.mean_.ravel(), "   training std:", std_scaler.scale_.ravel())
print("standardised train: mean", std_scaler(X_train).mean(0), " std", std_scaler(X_train).std(0))
print("standardised test : mean", std_scaler(X_test).mean(0), " std", std_scaler(X_test).std(0),
      " <- close to, not exactly, 0 and 1")
print("min-max test range:", mm_scaler(X_test).min(0), "to", mm_scaler(X_test).max(0), " <- mapped with the training min and max")

# %%
def train_logreg(Xtr, steps=200, lr=None):
    """Full-batch gradient descent on logistic regression, lr = 1 / (largest curvature): safe and fast for these inputs."""
    Xt = ag.tensor(Xtr, dtype=ag.float64); yt = ag.tensor(y_train, dtype=ag.float64).reshape(-1, 1)
    H = np.c_[Xtr, np.ones(len(Xtr))]
    lr = lr or 1.0 / (0.25 * np.linalg.eigvalsh(H.T @ H / len(H)).max())     # 1 / (max curvature of the loss)
    w = ag.zeros(2, 1, dtype=ag.float64, requires_grad=True); b = ag.zeros(1, dtype=ag.float64, requires_grad=True)
    opt = optim.SGD([w, b], lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(Xt @ w + b, yt)
        loss.backward(); opt.step()
        losses.append(loss.item())
    return losses, lr

curves = {"raw inputs": train_logreg(X_train),
          "standardised": train_logreg(std_scaler(X_train)),
          "min-max to [0, 1]": train_logreg(mm_scaler(X_train))}

fig, axes = plt.subplots(1, 3, figsize=(14, 3.7))
axes[0].scatter(*X_train.T, c=y_train, cmap="coolwarm", s=8)
axes[0].set_title("raw: feature 2 is 1000x larger", fontsize=10); axes[0].set_xlabel("feature 1"); axes[0].set_ylabel("feature 2")
Z = std_scaler(X_train)
axes[1].scatter(*Z.T, c=y_train, cmap="coolwarm", s=8); axes[1].set_aspect("equal")
axes[1].set_title("standardised (training statistics)", fontsize=10); axes[1].set_xlabel("feature 1'"); axes[1].set_ylabel("feature 2'")
for name, (losses, lr) in curves.items():
    axes[2].plot(losses, label=f"{name} (lr = 1/curvature = {lr:.2g})")
axes[2].set_xlabel("gradient step"); axes[2].set_ylabel("training loss"); axes[2].legend(fontsize=8); axes[2].grid(alpha=.3)
axes[2].set_title("same algorithm, same data", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# On the raw inputs the learning rate must be tiny to stay stable along the huge feature, and then the weight of the
# small feature (and the bias) barely moves: the loss is a canyon (notebook 10). Normalised, both directions have
# similar curvature and one learning rate suits both.
#
# ## 2. Batch normalisation, by the numbers
#
# `nn.BatchNorm1d(C)` normalises each of the $C$ features over the mini-batch, then rescales with learnt $\gamma$ and
# $\beta$. Below, a batch of 8 pre-activations with 3 features, far from zero mean and unit variance:

# %%
bn = nn.BatchNorm1d(3)
with ag.no_grad():
    bn.weight.data[:] = [1.0, 2.0, 0.5]        # gamma (learnt; set by hand to see its effect)
    bn.bias.data[:] = [0.0, 1.0, -1.0]         # beta
z = ag.randn(8, 3) * ag.tensor([1.0, 5.0, 0.1]) + ag.tensor([3.0, -10.0, 0.5])

bn.train()
out = bn(z).numpy()
zn = z.numpy()
mu, var = zn.mean(0), zn.var(0)                 # batch statistics (population variance)
by_hand = bn.weight.numpy() * (zn - mu) / np.sqrt(var + bn.eps) + bn.bias.numpy()
print("batch mean per feature:", mu, "   batch variance:", var)
print("layer output mean:", out.mean(0), "  std:", out.std(0), "  (= beta and gamma)")
print("max |layer − formula by hand| =", np.abs(out - by_hand).max())
assert np.allclose(out, by_hand, atol=1e-5)

# %% [markdown]
# The notes: "if $\gamma = \sqrt{\sigma^2+\varepsilon}$ and $\beta = \mu$ then $\tilde z = z$" — batch norm can represent
# the identity, so adding it never takes away what the layer could compute; gradient descent can learn to undo the
# normalisation where that helps. Setting $\gamma$ and $\beta$ to this batch's statistics:

# %%
bn_id = nn.BatchNorm1d(3)
bn_id.weight.array[:] = np.sqrt(var + bn_id.eps)       # gamma = sqrt(sigma^2 + eps)
bn_id.bias.array[:] = mu                               # beta = mu
z_tilde = bn_id(z).numpy()
print("max |BN(z) − z| =", np.abs(z_tilde - zn).max())
assert np.allclose(z_tilde, zn, atol=1e-4)

# %% [markdown]
# Each call in training mode also updates the **running** estimates,
# `running = (1 − momentum)·running + momentum·batch statistic` (momentum 0.1, starting from mean 0, variance 1).
# After many batches from the same distribution they approach the population values:

# %%
bn2 = nn.BatchNorm1d(1)
bn2.train()
history = []
for k in range(60):
    batch = ag.randn(32, 1) * 2.0 + 5.0           # population mean 5, variance 4
    bn2(batch)
    history.append((bn2.running_mean.numpy()[0], bn2.running_var.numpy()[0]))
history = np.array(history)
fig, ax = plt.subplots(figsize=(6.5, 3))
ax.plot(history[:, 0], label="running mean"); ax.plot(history[:, 1], label="running variance")
ax.axhline(5, color="C0", ls=":"); ax.axhline(4, color="C1", ls=":")
ax.set_xlabel("training batches seen"); ax.legend(); ax.grid(alpha=.3)
ax.set_title("running statistics converge to the population's (dotted)", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# **Train vs eval.** In training mode the output for a sample depends on the other samples of its batch; in
# evaluation mode (`model.eval()`) the layer uses the running statistics, so a sample's output is deterministic and a
# batch of one is fine:

# %%
x1 = ag.tensor([[5.0]])
other_batch = ag.randn(7, 1) * 2.0 + 5.0
bn2.train()
a = bn2(ag.cat([x1, other_batch])).numpy()[0, 0]
b = bn2(ag.cat([x1, other_batch * 0.5])).numpy()[0, 0]
bn2.eval()
c = bn2(x1).numpy()[0, 0]
print(f"train mode, same sample in two different batches: {a:.3f} vs {b:.3f}")
print(f"eval mode, the sample alone: {c:.3f}  = (5 − running mean) / sqrt(running var + eps) = "
      f"{(5 - bn2.running_mean.numpy()[0]) / np.sqrt(bn2.running_var.numpy()[0] + bn2.eps):.3f}")

# %% [markdown]
# ## 3. Training a deep sigmoid network with and without batch normalisation
#
# Eight sigmoid layers of width 64 on the handwritten digits (the inputs standardised), plain SGD with lr 0.5,
# 60 steps on mini-batches of 128. Without normalisation the sigmoid's small derivatives (notebook 07) stall the
# early layers; with `BatchNorm1d` before each sigmoid the pre-activations stay centred where the sigmoid is steep.

# %%
Xd, yd = nn.datasets.digits()
Xd_train, Xd_test, yd_train, yd_test = nn.datasets.train_test_split(Xd, yd, test_size=0.25, seed=0)
scaler = nn.datasets.standardize(Xd_train)
Xd_train, Xd_test = scaler(Xd_train), scaler(Xd_test)
loader = nn.data.DataLoader(nn.data.TensorDataset(Xd_train, yd_train), batch_size=128, shuffle=True, seed=0)

def deep(bn):
    ag.manual_seed(0)
    layers, width = [], 64
    for i in range(8):
        layers.append(nn.Linear(64 if i == 0 else width, width))
        if bn:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers, nn.Linear(width, 10))

fig, ax = plt.subplots(figsize=(6.5, 3.4))
for bn in [False, True]:
    model = deep(bn)
    opt = optim.SGD(model.parameters(), lr=0.5)
    losses, step = [], 0
    model.train()
    while step < 60:
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward(); opt.step()
            losses.append(loss.item()); step += 1
            if step == 60:
                break
    model.eval()
    with ag.no_grad():
        acc = (model(ag.tensor(Xd_test)).numpy().argmax(1) == yd_test).mean()
    ax.plot(losses, label=f"{'with' if bn else 'without'} BatchNorm: test accuracy {acc:.0%}")
ax.set_xlabel("SGD step"); ax.set_ylabel("cross-entropy"); ax.legend(fontsize=8); ax.grid(alpha=.3)
ax.set_title("8 sigmoid layers on the digits", fontsize=10)
plt.tight_layout(); plt.show()

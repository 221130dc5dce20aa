# %% [markdown]
# # 22 · Recurrent nets and back-propagation through time
#
# **What this notebook shows.**
# 1. A recurrent net $h_t = \tanh(W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh})$ **unrolled in time**: three steps
#    of `nn.RNNCell` drawn as one computational graph, the same weights used at every step. Back-propagation
#    through time (BPTT) is ordinary back-propagation on that graph; written out by hand
#    ($\delta_{t-1} = W_{hh}^\top[\delta_t \odot (1-h_t^2)]$, $\partial L/\partial W_{hh} = \sum_t [\delta_t\odot(1-h_t^2)]\,h_{t-1}^\top$)
#    it gives the engine's numbers (asserted).
# 2. **Vanishing and exploding gradients through time**: $\|\partial L/\partial h_t\|$ against $t$ for recurrent
#    weights of spectral radius 0.5 … 3, and a tanh RNN against an LSTM (whose cell state is an additive path).
# 3. **Gradient clipping** (`nn.utils.clip_grad_norm_`): an RNN whose gradients explode turns into NaN after a few
#    SGD steps; the same run with clipping learns.
# 4. **Truncated BPTT**: detach the hidden state every $k$ steps. For $k \ge T$ it is exactly full BPTT (asserted);
#    for smaller $k$ the gradient drops the paths that cross a cut, and a memory task needing 5 steps of memory
#    is learned only when $k$ is large enough.

# %%
import time
import warnings
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
# ## 1. An RNN unrolled in time
#
# One `nn.RNNCell(1, 2)` (one input, two hidden units) applied to three inputs $x_1, x_2, x_3$, starting from
# $h_0 = 0$, and a loss on the last state. The cell is one module, but the graph has one copy of it per time step:
# the parameters $W_{ih}, W_{hh}, b$ feed every copy, so their gradients are sums over time.

# %%
ag.viz.record_modules()  # the drawing boxes ops by the module that made them
cell = nn.RNNCell(1, 2)
xs = [ag.tensor([[v]]) for v in (0.5, -1.0, 2.0)]
h = ag.zeros(1, 2, requires_grad=True)          # h_0 = 0 (a leaf, so its gradient is kept too)
hs = [h]
for x in xs:
    h = cell(x, h)
    h.retain_grad()
    hs.append(h)
target = ag.tensor([[1.0, -1.0]])
loss = 0.5 * ((hs[-1] - target) ** 2).sum()
loss.backward()

names = {**{x: f"x_{t + 1}" for t, x in enumerate(xs)}, **{h: f"h_{t}" for t, h in enumerate(hs)}}
g = ag.viz.draw(loss, model=cell, names=names, rankdir="LR",
                title="three steps of h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh), L = ½‖h_3 − y‖²")
g.attr(dpi="60")
display(Image(g.pipe(format="png")))

# %% [markdown]
# **BPTT by hand.** With $a_t$ the pre-activation, $h_t = \tanh a_t$ and $\delta_t = \partial L/\partial h_t$:
# start from $\delta_3 = h_3 - y$, then for $t = 3, 2, 1$
#
# $$\frac{\partial L}{\partial a_t} = \delta_t \odot (1 - h_t^2),\qquad
# \delta_{t-1} = W_{hh}^\top \frac{\partial L}{\partial a_t},\qquad
# \frac{\partial L}{\partial W_{hh}} \mathrel{+}= \frac{\partial L}{\partial a_t}\, h_{t-1}^\top,\qquad
# \frac{\partial L}{\partial W_{ih}} \mathrel{+}= \frac{\partial L}{\partial a_t}\, x_t^\top .$$
#
# The same $W_{hh}^\top$ multiplies the backward signal at every step: that is where section 2's trouble comes from.

# %%
W_hh, W_ih = cell.weight_hh.numpy(), cell.weight_ih.numpy()
H = [hh.numpy()[0] for hh in hs]
X = [x.numpy()[0] for x in xs]
delta = H[3] - target.numpy()[0]
dW_hh, dW_ih, db = np.zeros_like(W_hh), np.zeros_like(W_ih), np.zeros(2)
deltas = {3: delta}
for t in (3, 2, 1):
    da = delta * (1 - H[t] ** 2)
    dW_hh += np.outer(da, H[t - 1])
    dW_ih += np.outer(da, X[t - 1])
    db += da
    delta = W_hh.T @ da
    deltas[t - 1] = delta

for t in (3, 2, 1, 0):
    print(f"dL/dh_{t}: by hand {np.round(deltas[t], 5)}   engine {np.round(hs[t].grad.numpy()[0], 5)}")
    assert np.allclose(deltas[t], hs[t].grad.numpy()[0], atol=1e-6)
print("dL/dW_hh by hand:\n", dW_hh.round(5), "\nengine:\n", cell.weight_hh.grad.numpy().round(5))
assert np.allclose(dW_hh, cell.weight_hh.grad.numpy(), atol=1e-6)
assert np.allclose(dW_ih, cell.weight_ih.grad.numpy(), atol=1e-6)
assert np.allclose(db, cell.bias_hh.grad.numpy(), atol=1e-6) and np.allclose(db, cell.bias_ih.grad.numpy(), atol=1e-6)

# %% [markdown]
# ## 2. Vanishing and exploding gradients through time
#
# Unroll the backward recursion: $\partial L/\partial h_t = \prod_{s=t+1}^{T} \big(\operatorname{diag}(1-h_s^2)\,W_{hh}\big)^\top
# \,\partial L/\partial h_T$. A product of $T - t$ matrices grows or shrinks geometrically, at a rate set by the size
# of $W_{hh}$ (its spectral radius $\rho$, the largest $|\lambda|$) and by how saturated the tanh units are
# ($1 - h^2 \le 1$).
#
# Below: a tanh RNN of 32 units, $W_{hh} = \rho\,Q$ with $Q$ a random orthogonal matrix (all eigenvalues of modulus
# $\rho$), 60 steps of random input, $L = \sum_i h_{60,i}$, and $\|\partial L/\partial h_t\|$ read off every step
# (`retain_grad`).

# %%
Hn, T = 32, 60
rng = np.random.default_rng(0)
Q, _ = np.linalg.qr(rng.standard_normal((Hn, Hn)))
X60 = ag.tensor(rng.standard_normal((T, 1, 1)))
rhos = [0.5, 0.9, 1.0, 1.5, 3.0]
grad_norms = {}
for rho in rhos:
    ag.manual_seed(0)
    c = nn.RNNCell(1, Hn, dtype=np.float64)
    with ag.no_grad():
        c.weight_hh.copy_(ag.tensor(rho * Q))
    h, states = None, []
    for t in range(T):
        h = c(X60[t], h)
        h.retain_grad()
        states.append(h)
    h.sum().backward()
    grad_norms[rho] = np.array([np.linalg.norm(s.grad.numpy()) for s in states])
    print(f"rho = {rho:3}:  |dL/dh_t| at t = 60: {grad_norms[rho][-1]:.2f},  t = 30: {grad_norms[rho][29]:.2e},"
          f"  t = 1: {grad_norms[rho][0]:.2e}   (saturated units at the end: {np.mean(np.abs(h.numpy()) > .99):.0%})")
assert grad_norms[0.5][0] < 1e-12 and grad_norms[3.0][0] > 1e6

# %% [markdown]
# The same question for the library's fused `nn.RNN` and `nn.LSTM` at their default initialisation (PyTorch's
# $U(-1/\sqrt H, 1/\sqrt H)$), asked through the inputs: how much does $x_t$ still affect the output at the last
# step, $\|\partial L/\partial x_t\|$ with $L = \sum_i h_{60,i}$. The LSTM keeps a cell state updated **additively**,
# $c_t = f_t \odot c_{t-1} + i_t \odot g_t$, so its backward path through time is multiplied only by the forget gates
# $f_t$: with the forget gate biased open (bias 3, $f \approx 0.95$, Jozefowicz et al. 2015's advice) the gradient
# reaches the first steps.

# %%
def input_grad_norms(model):
    x = ag.tensor(rng.standard_normal((T, 1, 1)), requires_grad=True)
    out, _ = model(x)
    out[-1].sum().backward()
    return np.linalg.norm(x.grad.numpy().reshape(T, -1), axis=1)

ag.manual_seed(0); rnn_default = nn.RNN(1, Hn, dtype=np.float64)
ag.manual_seed(0); lstm_default = nn.LSTM(1, Hn, dtype=np.float64)
ag.manual_seed(0); lstm_open = nn.LSTM(1, Hn, dtype=np.float64)
with ag.no_grad():
    b = lstm_open.bias_ih_l0.numpy().copy()
    b[Hn:2 * Hn] = 3.0                         # gate order i, f, g, o: the second block is the forget gate
    lstm_open.bias_ih_l0.copy_(ag.tensor(b))
in_norms = {"tanh RNN (default init)": input_grad_norms(rnn_default),
            "LSTM (default init)": input_grad_norms(lstm_default),
            "LSTM, forget-gate bias 3": input_grad_norms(lstm_open)}
for k, v in in_norms.items():
    print(f"{k:26s} |dL/dx_t| at t = 60: {v[-1]:.2e}   t = 30: {v[29]:.2e}   t = 1: {v[0]:.2e}")
assert in_norms["LSTM, forget-gate bias 3"][0] > 1e6 * in_norms["tanh RNN (default init)"][0]

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for rho in rhos:
    axes[0].semilogy(range(1, T + 1), grad_norms[rho], label=f"ρ = {rho}")
axes[0].set_xlabel("time step t"); axes[0].set_ylabel(r"$\|\partial L/\partial h_t\|$ (log)")
axes[0].set_title(r"tanh RNN, $W_{hh} = \rho Q$: the loss is at t = 60", fontsize=10)
axes[0].legend(fontsize=8); axes[0].grid(alpha=.3, which="both")
for k, v in in_norms.items():
    axes[1].semilogy(range(1, T + 1), v, label=k)
axes[1].set_xlabel("time step t"); axes[1].set_ylabel(r"$\|\partial L/\partial x_t\|$ (log)")
axes[1].set_title("how far back the gradient reaches: RNN vs LSTM", fontsize=10)
axes[1].legend(fontsize=8); axes[1].grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# With $\rho < 1$ the gradient from the loss dies within a few dozen steps: the network cannot learn that an early
# input matters. With $\rho > 1$ it grows geometrically backwards in time (here to about $10^8$ after 60 steps, even
# though a third of the units are saturated). $\rho \approx 1$ is the edge between the two. The LSTM's additive cell path
# is the classic fix for the vanishing side; the exploding side is handled by clipping.
#
# ## 3. Gradient clipping
#
# A task that needs memory: the input is a stream of random $\pm 1$, the target at step $t$ is the input 5 steps
# earlier, $y_t = x_{t-5}$ (0 for the first 5 steps). A tanh `nn.RNN` of 24 units with $W_{hh} = 2Q$ (gradients
# explode, as above) and a linear read-out, trained by plain SGD (learning rate 0.2) on the mean squared error, once
# as it is and once with `nn.utils.clip_grad_norm_(params, max_norm=1)`, which rescales all gradients together,
#
# $$ g \leftarrow g \cdot \min\Big(1, \frac{\text{max\_norm}}{\|g\|}\Big),\qquad \|g\| = \Big(\sum_{p} \|\partial L/\partial p\|^2\Big)^{1/2},$$
#
# so the step keeps its direction but its length is bounded. It returns the norm before clipping.

# %%
DELAY, HID = 5, 24

def echo_batch(rng, n, T):
    x = rng.choice([-1.0, 1.0], size=(T, n, 1)).astype(np.float32)
    y = np.zeros_like(x)
    y[DELAY:] = x[:-DELAY]
    return ag.tensor(x), ag.tensor(y)

class EchoRNN(nn.Module):
    """A tanh RNN and a linear read-out: (T, N, 1) -> (T, N, 1), and the last hidden state."""
    def __init__(self, hidden=HID, rho=None):
        super().__init__()
        self.rnn = nn.RNN(1, hidden)
        self.out = nn.Linear(hidden, 1)
        if rho is not None:
            Qh, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((hidden, hidden)))
            with ag.no_grad():
                self.rnn.weight_hh_l0.copy_(ag.tensor((rho * Qh).astype(np.float32)))
    def forward(self, x, h=None):
        o, h = self.rnn(x, h)
        return self.out(o), h

# one check of what clip_grad_norm_ does
m = EchoRNN(rho=2.0)
xb, yb = echo_batch(np.random.default_rng(0), 16, 40)
F.mse_loss(m(xb)[0], yb).backward()
before = nn.utils.clip_grad_norm_(m.parameters(), max_norm=1.0)
after = np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in m.parameters()))
print(f"total gradient norm before clipping {float(before):.2f}, after {after:.4f}")
assert abs(after - 1.0) < 1e-4

runs = {}
for clip in (None, 1.0):
    ag.manual_seed(0)
    m = EchoRNN(rho=2.0)
    opt = optim.SGD(m.parameters(), lr=0.2)
    data_rng = np.random.default_rng(0)
    losses, norms = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # float32 overflow in the unclipped run
        for step in range(400):
            xb, yb = echo_batch(data_rng, 16, 40)
            loss = F.mse_loss(m(xb)[0], yb)
            opt.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(m.parameters(), clip if clip else float("inf"))
            opt.step()
            losses.append(loss.item()); norms.append(float(norm))
    runs[clip] = (np.array(losses), np.array(norms))

l_plain, n_plain = runs[None]
l_clip, n_clip = runs[1.0]
first_bad = int(np.argmax(~np.isfinite(l_plain)))
print(f"without clipping: largest gradient norm {np.nanmax(n_plain[np.isfinite(n_plain)]):.3g}, loss is "
      f"inf/NaN from step {first_bad} on")
print(f"with clipping:    loss {l_clip[0]:.3f} -> {l_clip[-20:].mean():.4f} (mean of the last 20 steps)")
assert not np.isfinite(l_plain[-1]) and l_clip[-20:].mean() < 0.05

fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
steps = np.arange(400)
axes[0].semilogy(steps, np.where(np.isfinite(l_plain), l_plain, np.nan), label="no clipping")
axes[0].semilogy(steps, l_clip, label="clip_grad_norm_(max_norm=1)")
axes[0].axvline(first_bad, color="C0", ls=":", lw=1)
axes[0].set_ylim(1e-3, 1e3)
axes[0].text(first_bad + 5, 100, f"off the chart: {np.nanmax(l_plain[np.isfinite(l_plain)]):.0e},\nthen NaN from step {first_bad}",
             color="C0", fontsize=8, va="top")
axes[0].set_xlabel("SGD step"); axes[0].set_ylabel("training loss (log)"); axes[0].legend(fontsize=8)
axes[0].set_title("echo task (y_t = x_(t−5)), W_hh = 2Q, lr 0.2", fontsize=10)
axes[1].semilogy(steps, np.where(np.isfinite(n_plain), n_plain, np.nan), label="no clipping")
axes[1].semilogy(steps, n_clip, label="with clipping (norm before clipping)")
axes[1].axhline(1.0, color="k", lw=.8, ls="--"); axes[1].text(300, 1.15, "max_norm", fontsize=8)
axes[1].set_xlabel("SGD step"); axes[1].set_ylabel(r"$\|g\|$ (log)"); axes[1].legend(fontsize=8)
axes[1].set_title("total gradient norm", fontsize=10)
for ax in axes: ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# Without clipping one large gradient throws the weights far away, the next forward pass overflows, and the run is
# lost. With clipping the first steps are shortened (the norm is above 1) and, once the network sits in a calmer
# region, the gradient norm falls below the threshold and clipping stops acting.
#
# ## 4. Truncated back-propagation through time
#
# Full BPTT on a long sequence keeps every step's graph in memory and back-propagates through all of it. **Truncated
# BPTT** cuts the sequence into chunks of $k$ steps, carries the hidden state from chunk to chunk (the forward pass
# still sees the whole past) but `detach()`es it at every cut, so no gradient flows across a cut:
#
# ```python
# h = None
# for s in range(0, T, k):
#     out, h = model(x[s:s + k], h)
#     loss_chunk(out, y[s:s + k]).backward()   # gradients accumulate over the chunks
#     h = h.detach()                           # the cut
# ```
#
# **Parity.** On a short sequence ($T = 12$) with $k \ge T$ there is one chunk, and the gradient is exactly full
# BPTT's. With $k < T$ the terms $\partial L_t/\partial h_s$ for $s$ before the last cut ahead of $t$ are dropped, and
# the gradient differs; the relative difference is printed for every $k$.

# %%
def grads_of(model):
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])

def tbptt_grad(model, x, y, k):
    """Gradient of the summed squared error over the whole sequence with the state detached every k steps."""
    model.zero_grad()
    h = None
    for s in range(0, x.shape[0], k):
        out, h = model(x[s:s + k], h)
        (((out - y[s:s + k]) ** 2).sum() / y.numel()).backward()
        h = h.detach()
    return grads_of(model)

ag.manual_seed(0)
m64 = EchoRNN(rho=1.0).double()
xs12, ys12 = echo_batch(np.random.default_rng(3), 4, 12)
xs12, ys12 = xs12.double(), ys12.double()
m64.zero_grad()
(((m64(xs12)[0] - ys12) ** 2).sum() / ys12.numel()).backward()
g_full = grads_of(m64)
rel = {}
for k in range(1, 13):
    g_k = tbptt_grad(m64, xs12, ys12, k)
    rel[k] = np.linalg.norm(g_k - g_full) / np.linalg.norm(g_full)
print("relative difference |g_tbptt(k) - g_full| / |g_full| on T = 12:")
print("  " + "  ".join(f"k={k}: {v:.1e}" for k, v in rel.items()))
assert rel[12] < 1e-12 and np.allclose(tbptt_grad(m64, xs12, ys12, 20), g_full, rtol=1e-12, atol=0)
assert rel[1] > 1e-2

# %% [markdown]
# Now training on the echo task (sequences of $T = 60$, memory needed: 5 steps), with the gradient of each sequence
# accumulated over its chunks and one Adam step per sequence, so every run takes the same number of steps. The
# gradient for "output $t$ should remember input $t-5$" exists only when both lie in one chunk: for $k < 5$ it never
# does.

# %%
ks = [4, 8, 60]
curves = {}
for k in ks:
    ag.manual_seed(0)
    m = EchoRNN()
    opt = optim.Adam(m.parameters(), lr=1e-2)
    data_rng = np.random.default_rng(0)
    losses = []
    t0 = time.time()
    for step in range(200):
        xb, yb = echo_batch(data_rng, 16, 60)
        opt.zero_grad()
        h, total = None, 0.0
        for s in range(0, 60, k):
            out, h = m(xb[s:s + k], h)
            loss = ((out - yb[s:s + k]) ** 2).sum() / yb.numel()
            loss.backward()
            total += loss.item()
            h = h.detach()
        opt.step()
        losses.append(total)
    curves[k] = np.array(losses)
    print(f"k = {k:2d}: loss {losses[0]:.3f} -> {np.mean(losses[-20:]):.4f} (last 20 steps), {time.time() - t0:.1f} s")
assert np.mean(curves[4][-20:]) > 0.5 and np.mean(curves[8][-20:]) < 0.05 and np.mean(curves[60][-20:]) < 0.05

fig, ax = plt.subplots(figsize=(7, 3.6))
for k in ks:
    ax.semilogy(curves[k], label=f"k = {k}" + (" (full BPTT)" if k == 60 else ""))
ax.set_xlabel("Adam step (one sequence batch each)"); ax.set_ylabel("training loss (log)")
ax.set_title("echo task y_t = x_(t−5): truncation length k vs what can be learned", fontsize=10)
ax.legend(fontsize=8); ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# With $k = 4$ the loss ends near the variance of the target: the gradient never links an output to the input 5 steps
# before it. (Its early dip is instructive: the forward pass does carry the state across the cuts, and at first the
# random recurrent weights happen to keep some trace of $x_{t-5}$ that the read-out learns to use, as in an echo-state
# network; but nothing in the truncated gradient rewards keeping that trace, and later updates wash it out.) With $k = 8$ the positions near the end
# of each chunk do see a 5-step dependency, and because the weights are shared over time that is enough; the run
# costs less memory than full BPTT. The rule of thumb: $k$ must be longer than the dependencies you want the gradient
# to teach.

# %% [markdown]
# # 24 · Attention and a small transformer
#
# **What this notebook shows.**
# 1. **Scaled dot-product attention by hand**, $\operatorname{softmax}(QK^\top/\sqrt d)\,V$, in four lines of tensor
#    ops, equal to `F.scaled_dot_product_attention` in values and gradients (asserted); why the $1/\sqrt d$.
# 2. **The causal mask**: `ag.tril` of ones, scores above the diagonal set to $-\infty$ before the softmax, so
#    position $t$ only reads positions $\le t$; attention maps with and without it drawn as images, and the gradient
#    of an output with respect to any later input exactly 0 (asserted).
# 3. **Multi-head attention** by hand from `nn.MultiheadAttention`'s own weights (projections, split into heads,
#    attention per head, concatenation, output projection): the module's outputs and per-head maps (asserted).
# 4. **A tiny GPT-style transformer** (token and position embeddings, `nn.TransformerEncoderLayer` blocks under a
#    causal mask, minGPT's arrangement) trained to **reverse** and to **sort** sequences of digits, until it gets
#    every one of 500 held-out sequences right; the attention maps of the trained model show how: reversing reads
#    along an anti-diagonal, sorting reads the input by value.

# %%
import time
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. Scaled dot-product attention by hand
#
# Each of $L$ queries $q_i$ (rows of $Q$) is compared with each of $S$ keys $k_j$ by a dot product; a softmax over $j$
# turns the row of scores into weights $A_{ij} \ge 0$, $\sum_j A_{ij} = 1$; the output is the weighted average of the
# values: $\;\text{out}_i = \sum_j A_{ij} v_j$, that is
#
# $$ A = \operatorname{softmax}\!\Big(\frac{QK^\top}{\sqrt d}\Big),\qquad \text{out} = AV . $$

# %%
L, d = 6, 8
Q = ag.randn(1, L, d, dtype=ag.float64, requires_grad=True)
K = ag.randn(1, L, d, dtype=ag.float64, requires_grad=True)
Vv = ag.randn(1, L, d, dtype=ag.float64, requires_grad=True)

def attention(Q, K, V, mask=None):
    scores = Q @ K.transpose(-2, -1) / np.sqrt(Q.shape[-1])     # (..., L, S)
    if mask is not None:                                        # mask: True = may attend
        scores = scores.masked_fill(~mask, float("-inf"))
    A = F.softmax(scores, dim=-1)
    return A @ V, A

out_hand, A_hand = attention(Q, K, Vv)
out_lib = F.scaled_dot_product_attention(Q, K, Vv)
print("max |by hand - F.scaled_dot_product_attention| =", np.abs(out_hand.numpy() - out_lib.numpy()).max())
assert np.allclose(out_hand.numpy(), out_lib.numpy(), atol=1e-12)

G = ag.randn(1, L, d, dtype=ag.float64)                          # any upstream gradient
g_hand = ag.grad((out_hand * G).sum(), [Q, K, Vv])
g_lib = ag.grad((out_lib * G).sum(), [Q, K, Vv])
for n, a, b in zip("QKV", g_hand, g_lib):
    assert np.allclose(a.numpy(), b.numpy(), atol=1e-12)
print("gradients with respect to Q, K and V equal too (asserted); rows of A sum to",
      A_hand.numpy().sum(-1).round(12).ravel())

# %% [markdown]
# **Why divide by $\sqrt d$.** With entries of $q$ and $k$ of variance 1, the dot product $q\cdot k$ is a sum of $d$
# terms and has variance $d$. Unscaled, the scores grow with the width, the softmax saturates to a one-hot row, and
# its gradient vanishes (the softmax Jacobian $\operatorname{diag}(a) - aa^\top$ is 0 at a one-hot $a$). Scaled, the
# scores have variance 1 whatever $d$ is.

# %%
rng = np.random.default_rng(0)
print(" d    std(q·k)  std(q·k/√d)   mean max_j A_ij unscaled / scaled")
for dd in (4, 16, 64, 256):
    q, k = rng.standard_normal((2000, dd)), rng.standard_normal((2000, 16, dd))
    s = np.einsum("nd,nkd->nk", q, k)
    top = lambda z: (np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)).max(1).mean()
    print(f"{dd:4d}  {s.std():8.2f}  {(s / np.sqrt(dd)).std():10.2f}   {top(s):10.2f} / {top(s / np.sqrt(dd)):.2f}")

# %% [markdown]
# ## 2. The causal mask
#
# A language model predicts token $t+1$ from tokens $\le t$, and is trained on all positions of a sequence at once.
# So position $t$ must not read later positions: keep the lower triangle, $M = \operatorname{tril}(\mathbf 1_{T\times
# T})$ (`ag.tril`), and set the scores where $M = 0$ to $-\infty$, which the softmax turns into weight 0. PyTorch's
# `is_causal=True` does the same.

# %%
mask = ag.tril(ag.ones(L, L)) == 1
print(mask.numpy().astype(int))
out_causal, A_causal = attention(Q, K, Vv, mask=mask)
assert np.allclose(out_causal.numpy(), F.scaled_dot_product_attention(Q, K, Vv, is_causal=True).numpy(), atol=1e-12)
assert np.allclose(out_causal.numpy(), F.scaled_dot_product_attention(Q, K, Vv, attn_mask=mask).numpy(), atol=1e-12)
print("by hand == F.scaled_dot_product_attention(is_causal=True) == (attn_mask=tril): asserted")

# the output at position 2 cannot depend on anything after position 2
gq, gk, gv = ag.grad(out_causal[0, 2].sum(), [Q, K, Vv])
print("|d out_2 / d k_t| for t = 0..5:", np.abs(gk.numpy()[0]).sum(1).round(4))
assert np.all(gk.numpy()[0, 3:] == 0) and np.all(gv.numpy()[0, 3:] == 0)

fig, axes = plt.subplots(1, 3, figsize=(11, 3.5))
for ax, M, title in [(axes[0], A_hand.numpy()[0], "A without a mask"),
                     (axes[1], mask.numpy(), "mask = tril(ones) (1 = may attend)"),
                     (axes[2], A_causal.numpy()[0], "A with the causal mask")]:
    im = ax.imshow(M, cmap="viridis", vmin=0, vmax=1)
    ax.set_xlabel("key position j"); ax.set_ylabel("query position i"); ax.set_title(title, fontsize=10)
    ax.set_xticks(range(L)); ax.set_yticks(range(L))
fig.colorbar(im, ax=axes, shrink=0.8)
plt.show()

# %% [markdown]
# Row $i$ of a map is where query $i$ looks. Masked, the first query can only look at itself (weight 1), and each row
# redistributes its weight over the positions up to the diagonal.
#
# ## 3. Multi-head attention
#
# `nn.MultiheadAttention(E, h)` projects the inputs with $W_q, W_k, W_v$ (stacked in `in_proj_weight`, $3E\times E$),
# splits the $E$ features into $h$ heads of $E/h$, runs attention in every head independently, concatenates the heads
# and projects with `out_proj`:
#
# $$ \text{head}_i = \operatorname{softmax}\!\Big(\frac{(XW_q^i)(XW_k^i)^\top}{\sqrt{E/h}}\Big)(XW_v^i),\qquad
# \text{out} = [\text{head}_1,\dots,\text{head}_h]\,W_o^\top + b_o . $$
#
# Each head can look at different positions for a different purpose.

# %%
E, h, T = 8, 2, 6
ag.manual_seed(1)
mha = nn.MultiheadAttention(E, h, batch_first=True)
X = ag.randn(1, T, E)
causal = np.triu(np.ones((T, T), dtype=bool), k=1)           # MultiheadAttention's convention: True = blocked
out_mod, A_mod = mha(X, X, X, attn_mask=causal, need_weights=True, average_attn_weights=False)

Wq, Wk, Wv = mha.in_proj_weight.split(E, dim=0)
bq, bk, bv = mha.in_proj_bias.split(E, dim=0)
def heads(Z):                                                  # (1, T, E) -> (1, h, T, E/h)
    return Z.reshape(1, T, h, E // h).permute(0, 2, 1, 3)
q, k, v = heads(X @ Wq.T + bq), heads(X @ Wk.T + bk), heads(X @ Wv.T + bv)
o, A_heads = attention(q, k, v, mask=ag.tril(ag.ones(T, T)) == 1)
out_hand = o.permute(0, 2, 1, 3).reshape(1, T, E) @ mha.out_proj.weight.T + mha.out_proj.bias
print("max |by hand - module| output:", np.abs(out_hand.numpy() - out_mod.numpy()).max(),
      " maps:", np.abs(A_heads.numpy() - A_mod.numpy()).max())
assert np.allclose(out_hand.numpy(), out_mod.numpy(), atol=1e-6) and np.allclose(A_heads.numpy(), A_mod.numpy(), atol=1e-6)

fig, axes = plt.subplots(1, h, figsize=(7, 3.3))
for i in range(h):
    axes[i].imshow(A_mod.numpy()[0, i], cmap="viridis", vmin=0, vmax=1)
    axes[i].set_title(f"head {i + 1} (untrained)", fontsize=10); axes[i].set_xlabel("key j"); axes[i].set_ylabel("query i")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## 4. A tiny transformer that learns to reverse and to sort
#
# minGPT's demo task: a sequence of 6 digits is followed by its answer, e.g. for sorting
# `2 0 1 1 0 2 | 0 0 1 1 2 2`; the model reads the 12 tokens left to right and at every position predicts the next
# one; the loss counts only the predictions of the answer (targets of the first 5 positions are `ignore_index` = -100).
# At test time it gets the 6 input digits and writes the answer one token at a time (greedy: the most likely digit),
# each time reading what it wrote so far. It is tested on 500 random sequences: there are $10^6$ possible inputs and
# training sees at most 64 000, so nearly all test sequences are new to it.
#
# The model (GPT's arrangement): $x_t = \text{tok}[a_t] + \text{pos}[t]$, two pre-norm `nn.TransformerEncoderLayer`s
# (2 heads, width 32, no dropout) under the causal mask, a final `nn.LayerNorm` and a linear read-out to 10 digits.

# %%
DIGITS, N_IN = 10, 6

class TinyGPT(nn.Module):
    """Token + position embeddings, causal pre-norm transformer blocks, LayerNorm, linear head."""
    def __init__(self, vocab=DIGITS, block=2 * N_IN - 1, d=32, nhead=2, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(block, d)
        layer = nn.TransformerEncoderLayer(d, nhead, dim_feedforward=4 * d, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
    def embed(self, idx):
        return self.tok(idx) + self.pos(ag.arange(idx.shape[1]))
    def forward(self, idx):                         # (N, T) digits -> (N, T, vocab) logits
        T = idx.shape[1]
        x = self.blocks(self.embed(idx), mask=np.triu(np.ones((T, T), dtype=bool), k=1), is_causal=True)
        return self.head(self.ln(x))

def answer(a, task):
    return a[:, ::-1] if task == "reverse" else np.sort(a, axis=1)

def make_batch(rng, n, task):
    a = rng.integers(0, DIGITS, (n, N_IN))
    seq = np.concatenate([a, answer(a, task)], axis=1)
    x, y = seq[:, :-1].copy(), seq[:, 1:].copy()
    y[:, :N_IN - 1] = -100                            # no loss on predicting the question
    return ag.tensor(x), ag.tensor(y)

def solve(model, a):
    """Greedy decoding: append the most likely next digit N_IN times."""
    seq = a.copy()
    with ag.no_grad():
        for _ in range(N_IN):
            nxt = model(ag.tensor(seq)).numpy()[:, -1].argmax(-1)
            seq = np.concatenate([seq, nxt[:, None]], axis=1)
    return seq[:, N_IN:]

test_inputs = np.random.default_rng(123).integers(0, DIGITS, (500, N_IN))

def train(task, max_steps=2000, check_every=250):
    ag.manual_seed(0)
    model = TinyGPT()
    opt = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    rng = np.random.default_rng(0)
    losses, accs, t0 = [], [], time.time()
    for step in range(1, max_steps + 1):
        x, y = make_batch(rng, 64, task)
        loss = F.cross_entropy(model(x).reshape(-1, DIGITS), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(loss.item())
        if step % check_every == 0:
            acc = (solve(model, test_inputs) == answer(test_inputs, task)).all(1).mean()
            accs.append((step, acc))
            print(f"{task}: step {step:4d}  loss {np.mean(losses[-50:]):.4f}  held-out sequences right {acc:.1%}"
                  f"  ({time.time() - t0:.1f} s)")
            if acc == 1.0:
                break
    return model, np.array(losses), accs

models, logs = {}, {}
for task in ("reverse", "sort"):
    models[task], losses, accs = train(task)
    logs[task] = (losses, accs)
    assert accs[-1][1] >= 0.99

# %%
a = np.array([[7, 2, 9, 2, 0, 5]])
for task in ("reverse", "sort"):
    print(f"{task}: {a[0]} -> {solve(models[task], a)[0]}")
fig, ax = plt.subplots(figsize=(7, 3.3))
for task in ("reverse", "sort"):
    ax.semilogy(logs[task][0], label=task, lw=1)
ax.set_xlabel("AdamW step (batch 64)"); ax.set_ylabel("cross-entropy of the answer (log)")
ax.set_title("training until every held-out sequence is right", fontsize=10); ax.legend(); ax.grid(alpha=.3, which="both")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Attention maps of the trained models
#
# `nn.TransformerEncoderLayer` does not return its attention weights, so replay each pre-norm block by hand,
# $x \leftarrow x + \text{SA}(\text{LN}_1(x))$, $x \leftarrow x + \text{FF}(\text{LN}_2(x))$, asking its `self_attn` for
# the per-head maps; the replay gives the model's own logits (asserted). Shown: the 12-token sequence for the
# example above, every head of both layers; rows are the positions that predict, columns the positions read.

# %%
def attention_maps(model, idx):
    T = idx.shape[1]
    blocked = np.triu(np.ones((T, T), dtype=bool), k=1)
    x, maps = model.embed(idx), []
    for layer in model.blocks.layers:
        z = layer.norm1(x)
        sa, w = layer.self_attn(z, z, z, attn_mask=blocked, need_weights=True, average_attn_weights=False)
        x = x + sa
        x = x + layer.linear2(layer.activation(layer.linear1(layer.norm2(x))))
        maps.append(w.numpy()[0])
    return model.head(model.ln(x)), maps

for task in ("reverse", "sort"):
    full = np.concatenate([a, answer(a, task)], axis=1)
    seq = full[:, :-1]
    with ag.no_grad():
        logits, maps = attention_maps(models[task], ag.tensor(seq))
        assert np.allclose(logits.numpy(), models[task](ag.tensor(seq)).numpy(), atol=1e-5)
    labels = [str(t) for t in seq[0]]
    fig, axes = plt.subplots(1, 4, figsize=(15, 4))
    for li, m in enumerate(maps):
        for hi in range(m.shape[0]):
            ax = axes[2 * li + hi]
            ax.imshow(m[hi], cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks(range(len(labels))); ax.set_xticklabels(labels)
            ax.set_yticks(range(len(labels))); ax.set_yticklabels([f"→{t}" for t in full[0, 1:]])
            ax.axvline(N_IN - 0.5, color="w", lw=.8); ax.axhline(N_IN - 1.5, color="w", lw=.8)
            ax.set_title(f"{task}: layer {li + 1}, head {hi + 1}", fontsize=10)
            ax.set_xlabel("token read")
    axes[0].set_ylabel("position (→ the digit it predicts)")
    plt.tight_layout(); plt.show()

# %% [markdown]
# Below the white horizontal line are the positions that write the answer (the rows above it predict digits of the
# question, which the loss ignores). For **reversing**, every head of the second layer reads along an anti-diagonal:
# the position that writes answer digit $j$ attends to input position $5-j$, a rule by *position*. For **sorting** no
# position rule can work: the first layer spreads its weight over the whole input (a summary of which digits are
# present), and in the second layer the position about to write a digit attends to the input token holding *that
# value* (the row that writes 5 reads the 5, the row that writes 9 reads the 9), a rule by *content*: queries and keys
# of matching values align. Attention lets the model choose *where* to read from the data itself, which a
# fixed-window MLP (notebook 23) or a recurrent state (notebook 22) cannot.

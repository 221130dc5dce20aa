# %% [markdown]
# # 23 · Embeddings and a makemore-style character model
#
# **What this notebook shows.** A model that makes up new words, letter by letter, trained on the 1314 distinct
# words of the Shakespeare excerpt shipped with the library (`nn/text/coriolanus.txt`; nothing is downloaded), in
# the order of Karpathy's *makemore*:
# 1. **Bigram counts**: count which letter follows which, normalise the rows, and that table *is* a language model;
#    its average negative log-likelihood (NLL) is the number to beat. Words sampled from it with `ag.multinomial`.
# 2. **A neural bigram**: a $27\times27$ weight matrix, one-hot input, softmax output, trained by gradient descent
#    on the **same loss**. It ends where the counts are (asserted): the counts are the maximum-likelihood answer,
#    the network finds it by descent. A one-hot vector times a matrix is a row look-up: that is what `nn.Embedding` is
#    (asserted equal).
# 3. **An MLP on concatenated embeddings** (Bengio et al. 2003): each of the last 3 letters is mapped to a learned
#    2-D vector, the three vectors are concatenated and fed to a hidden layer. It beats the bigram on held-out words
#    (asserted), its samples look more like English, and the learned 2-D embedding can be drawn: letters that play
#    similar roles (the vowels) end up near each other.

# %%
import re
import time
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
from gradtable.charlm import TEXT_PATH
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## The data: words, and letters as integers
#
# Lower-case the text, keep runs of letters of length at least 2, drop repeats, shuffle, and hold out 10% of the
# words for validation. A word is framed by the boundary token `.` on both sides, so `"corn"` gives the five
# (previous letter → next letter) pairs `.c`, `co`, `or`, `rn`, `n.`: the model also learns how words start and end.

# %%
text = open(TEXT_PATH, encoding="utf-8").read().lower()
words = sorted({w for w in re.findall(r"[a-z]+", text) if len(w) >= 2})
rng = np.random.default_rng(0)
rng.shuffle(words)
n_train = int(0.9 * len(words))
train_words, val_words = words[:n_train], words[n_train:]
chars = ["."] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
stoi = {c: i for i, c in enumerate(chars)}
V = len(chars)
print(f"{len(words)} distinct words ({len(train_words)} train, {len(val_words)} validation), e.g.", words[:8])
print(f"vocabulary of {V} tokens: {''.join(chars)}")

def bigram_pairs(ws):
    return np.array([(stoi[a], stoi[b]) for w in ws for a, b in zip("." + w, w + ".")], dtype=np.int64)

bi_train, bi_val = bigram_pairs(train_words), bigram_pairs(val_words)
print(f"{len(bi_train)} training pairs, {len(bi_val)} validation pairs")

# %% [markdown]
# ## 1. The bigram counts model
#
# $N_{ab}$ = how often $b$ follows $a$. The model is $p(b \mid a) = (N_{ab} + \alpha) / \sum_{b'}(N_{ab'} + \alpha)$,
# with a little smoothing $\alpha$ so that a pair never seen in training does not get probability 0 (and an
# infinite loss) on new words. Its quality is the average NLL, $-\frac1n\sum \log p(b_i \mid a_i)$; a model that
# guesses uniformly scores $\log 27 = 3.30$.

# %%
counts = np.zeros((V, V))
np.add.at(counts, (bi_train[:, 0], bi_train[:, 1]), 1)

def nll(P, pairs):
    return float(-np.log(P[pairs[:, 0], pairs[:, 1]]).mean())

P_mle = counts / counts.sum(1, keepdims=True)      # alpha = 0: the maximum-likelihood table
alpha = 0.1
P = (counts + alpha) / (counts + alpha).sum(1, keepdims=True)
bigram_train_mle = nll(np.where(P_mle > 0, P_mle, 1), bi_train)
bigram_train, bigram_val = nll(P, bi_train), nll(P, bi_val)
print(f"uniform guess: {np.log(V):.3f}")
print(f"bigram counts (alpha = 0):   train NLL {bigram_train_mle:.4f}   (validation: infinite, unseen pairs)")
print(f"bigram counts (alpha = {alpha}): train NLL {bigram_train:.4f}   validation NLL {bigram_val:.4f}")

fig, ax = plt.subplots(figsize=(7.5, 7))
ax.imshow(counts, cmap="Blues")
for a in range(V):
    for b in range(V):
        if counts[a, b] >= 40:
            ax.text(b, a, int(counts[a, b]), ha="center", va="center", fontsize=5.5,
                    color="white" if counts[a, b] > 150 else "k")
ax.set_xticks(range(V)); ax.set_xticklabels(chars); ax.set_yticks(range(V)); ax.set_yticklabels(chars)
ax.set_xlabel("next letter b"); ax.set_ylabel("previous letter a")
ax.set_title("bigram counts N[a, b] (numbers shown where ≥ 40); row '.' = first letters, column '.' = last",
             fontsize=9)
plt.tight_layout(); plt.show()

# %% [markdown]
# **Sampling.** Start at `.`, draw the next letter from the row $p(\cdot \mid a)$ with `ag.multinomial` (one draw,
# from the library's seeded generator), move to that letter, stop at the next `.`.

# %%
def sample_bigram(P, n, seed):
    ag.manual_seed(seed)
    probs = ag.tensor(P)
    out = []
    for _ in range(n):
        a, w = 0, ""
        while True:
            a = ag.multinomial(probs[a], num_samples=1).item()
            if a == 0:
                break
            w += chars[a]
        out.append(w)
    return out

print("bigram samples:", ", ".join(sample_bigram(P, 12, seed=1)))

# %% [markdown]
# ## 2. The same model as a neural network
#
# Input: the previous letter as a one-hot vector $x \in \{0,1\}^{27}$ (`F.one_hot`). One linear layer without bias,
# $z = xW$, gives 27 logits; softmax turns them into $p(\cdot \mid a)$; the loss is the same average NLL, here
# `F.cross_entropy`. Since $x$ is one-hot, $xW$ is just row $a$ of $W$, so $\operatorname{softmax}(W_{a\cdot})$ plays the
# role of the normalised counts row and $W$ of the log-counts. Gradient descent should find the counts table.

# %%
xa, yb = ag.tensor(bi_train[:, 0]), ag.tensor(bi_train[:, 1])
xv, yv = ag.tensor(bi_val[:, 0]), ag.tensor(bi_val[:, 1])
X1h = F.one_hot(xa, V).float()                      # (n, 27), one 1 per row

ag.manual_seed(0)
W = ag.randn(V, V, requires_grad=True)
opt = optim.Adam([W], lr=0.3)
hist = []
for step in range(150):
    loss = F.cross_entropy(X1h @ W, yb)
    opt.zero_grad(); loss.backward(); opt.step()
    hist.append(loss.item())
with ag.no_grad():
    neural_val = F.cross_entropy(W[xv], yv).item()
print(f"neural bigram: train NLL {hist[0]:.3f} -> {hist[-1]:.4f}   validation NLL {neural_val:.4f}")
print(f"counts (MLE) train NLL {bigram_train_mle:.4f}: the descent ends {hist[-1] - bigram_train_mle:.4f} above it")
assert hist[-1] - bigram_train_mle < 0.01

# one-hot times a matrix = picking a row = an embedding look-up
emb = nn.Embedding(V, V)
with ag.no_grad():
    emb.weight.copy_(W)
assert np.allclose((X1h @ W).numpy(), W[xa].numpy()) and np.allclose(W[xa].numpy(), emb(xa).numpy())
print("one_hot(x) @ W == W[x] == nn.Embedding(x): True (asserted)")

P_neural = F.softmax(W, dim=1).numpy()
fig, axes = plt.subplots(1, 3, figsize=(13, 4))
axes[0].plot(hist, label="neural bigram (Adam, lr 0.3)")
axes[0].axhline(bigram_train_mle, color="k", ls="--", lw=1, label=f"counts, alpha = 0: {bigram_train_mle:.3f}")
axes[0].set_ylim(bigram_train_mle - 0.1, 3.6); axes[0].legend(fontsize=8)
axes[0].set_xlabel("full-batch step"); axes[0].set_ylabel("train NLL"); axes[0].set_title("the same loss", fontsize=10)
for ax, M, title in [(axes[1], P_mle, "counts: p(b | a)"), (axes[2], P_neural, "network: softmax(W)[a, b]")]:
    ax.imshow(M, cmap="Blues", vmin=0, vmax=0.6)
    ax.set_xticks(range(V)); ax.set_xticklabels(chars, fontsize=6); ax.set_yticks(range(V))
    ax.set_yticklabels(chars, fontsize=6); ax.set_title(title, fontsize=10)
plt.tight_layout(); plt.show()
print(f"largest |difference| between the two tables: {np.abs(P_neural - P_mle).max():.3f}")

# %% [markdown]
# The two tables agree to about 0.001: the network has learned the normalised counts. The remaining gap is where a
# count is 0, which corresponds to a logit of $-\infty$ that descent only approaches; so without smoothing the neural
# bigram, like the $\alpha = 0$ table, is over-confident on new words (its validation NLL is a little worse than the
# smoothed table's). Regularising $W$ towards 0 (weight decay) plays the role of the smoothing $\alpha$.
#
# ## 3. An MLP on concatenated embeddings (Bengio et al. 2003)
#
# A bigram sees one letter. To see the last $B = 3$ letters without a $27^3$-row table, give each letter a learned
# vector $C[a] \in \mathbb R^{d}$ (`nn.Embedding(27, d)`), concatenate the three vectors, and learn the rest:
#
# $$ e = [\,C[a_{t-3}],\ C[a_{t-2}],\ C[a_{t-1}]\,] \in \mathbb R^{3d},\qquad
# h = \tanh(e W_1 + b_1),\qquad p(\cdot \mid a_{t-3}a_{t-2}a_{t-1}) = \operatorname{softmax}(h W_2 + b_2). $$
#
# With $d = 2$ the embedding can be drawn. Training: mini-batches of 64, AdamW.

# %%
BLOCK, DIM, HIDDEN = 3, 2, 64

def contexts(ws):
    X, Y = [], []
    for w in ws:
        ctx = [0] * BLOCK
        for ch in w + ".":
            X.append(ctx); Y.append(stoi[ch])
            ctx = ctx[1:] + [stoi[ch]]
    return ag.tensor(np.array(X, dtype=np.int64)), ag.tensor(np.array(Y, dtype=np.int64))

Xtr, Ytr = contexts(train_words)
Xva, Yva = contexts(val_words)
print("the first examples of 'corn':", [("".join(chars[i] for i in c), chars[y]) for c, y in
                                        zip(contexts(["corn"])[0].numpy(), contexts(["corn"])[1].numpy())])

class MLPLM(nn.Module):
    """Bengio et al. (2003): embeddings of the last BLOCK letters, concatenated, tanh hidden layer, softmax."""
    def __init__(self, vocab=V, block=BLOCK, dim=DIM, hidden=HIDDEN):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.fc = nn.Linear(block * dim, hidden)
        self.out = nn.Linear(hidden, vocab)
    def forward(self, x):                          # x (N, block) letter indices -> (N, vocab) logits
        e = self.emb(x)                            # (N, block, dim)
        return self.out(F.tanh(self.fc(e.reshape(e.shape[0], -1))))

ag.manual_seed(0)
model = MLPLM()
print(model, f"\n{sum(p.numel() for p in model.parameters())} parameters")
opt = optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
batch_rng = np.random.default_rng(0)
curve = []
t0 = time.time()
for step in range(3001):
    idx = ag.tensor(batch_rng.integers(0, len(Ytr), 64))
    loss = F.cross_entropy(model(Xtr[idx]), Ytr[idx])
    opt.zero_grad(); loss.backward(); opt.step()
    if step % 100 == 0:
        with ag.no_grad():
            curve.append((step, F.cross_entropy(model(Xtr), Ytr).item(), F.cross_entropy(model(Xva), Yva).item()))
mlp_train, mlp_val = curve[-1][1], curve[-1][2]
print(f"trained in {time.time() - t0:.1f} s: train NLL {mlp_train:.4f}, validation NLL {mlp_val:.4f}")
print(f"bigram (alpha = {alpha}): train {bigram_train:.4f}, validation {bigram_val:.4f}")
assert mlp_val < bigram_val - 0.03

# %% [markdown]
# **Sampling from the MLP.** Keep a window of the last 3 letters (starting as `...`), compute the softmax, draw the
# next letter with `ag.multinomial`, slide the window.

# %%
def sample_mlp(model, n, seed):
    ag.manual_seed(seed)
    out = []
    with ag.no_grad():
        for _ in range(n):
            ctx, w = [0] * BLOCK, ""
            while len(w) < 20:
                probs = F.softmax(model(ag.tensor([ctx])), dim=1)[0]
                a = ag.multinomial(probs, num_samples=1).item()
                if a == 0:
                    break
                w += chars[a]; ctx = ctx[1:] + [a]
            out.append(w)
    return out

mlp_samples = sample_mlp(model, 12, seed=1)
print("MLP samples:   ", ", ".join(mlp_samples))
print("bigram samples:", ", ".join(sample_bigram(P, 12, seed=1)))
print("samples that are real words of the text:", [w for w in mlp_samples if w in set(words)])

# %% [markdown]
# ## The learned embedding and the learning curves

# %%
C = model.emb.weight.numpy()
fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
steps, tr, va = zip(*curve)
axes[0].plot(steps, tr, label="MLP train"); axes[0].plot(steps, va, label="MLP validation")
axes[0].axhline(bigram_val, color="k", ls="--", lw=1, label=f"bigram validation {bigram_val:.3f}")
axes[0].set_ylim(2.0, 3.4); axes[0].set_xlabel("AdamW step (batch 64)"); axes[0].set_ylabel("NLL (nats per letter)")
axes[0].legend(fontsize=8); axes[0].grid(alpha=.3); axes[0].set_title("3 letters of context beat 1", fontsize=10)
vowels = set("aeiouy")
for i, ch in enumerate(chars):
    col = "C3" if ch in vowels else ("k" if ch == "." else "C0")
    axes[1].scatter(C[i, 0], C[i, 1], s=220, color=col, alpha=.25)
    axes[1].text(C[i, 0], C[i, 1], ch, ha="center", va="center", fontsize=11, color=col)
axes[1].set_title("the learned 2-D embedding C (vowels in red, the boundary '.' in black)", fontsize=10)
axes[1].grid(alpha=.3)
plt.tight_layout(); plt.show()

vow = [stoi[c] for c in "aeiou"]
cons = [stoi[c] for c in "bcdfghklmnprst"]
d_vv = np.mean([np.linalg.norm(C[i] - C[j]) for i in vow for j in vow if i < j])
d_vc = np.mean([np.linalg.norm(C[i] - C[j]) for i in vow for j in cons])
print(f"mean distance vowel-vowel {d_vv:.2f}, vowel-consonant {d_vc:.2f}")
assert d_vv < d_vc

# %% [markdown]
# Nobody told the model what a vowel is: the embedding puts letters close together when they are interchangeable in
# the contexts the model sees, because then the layers after it can treat them alike. With more data, a larger $d$,
# a longer context and more hidden units (and batch normalisation after the hidden layer, makemore's next step) the
# loss keeps falling; on 1314 words a larger model mostly overfits: the gap between the training and validation
# curves is the signal to watch.

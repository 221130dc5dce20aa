# %% [markdown]
# # 25 · Graph neural networks: message passing with a normalised adjacency
#
# Notes 002 announce, in their second lecture's outline, "And a bit about Graph Neural Networks", and stop there.
# Images are grids and sentences are chains; many data are **graphs**: molecules (atoms and bonds), social networks,
# citation networks, road maps. A graph has $N$ nodes, each with a feature vector (the rows of $H \in \mathbb R^{N\times F}$),
# and edges given by the adjacency matrix $A$ ($A_{ij} = 1$ when $i$ and $j$ are linked). A **graph neural network**
# computes each node's new features from its **neighbours'** features — *message passing* — with weights shared by
# every node, as a convolution shares its kernel over every pixel.
#
# The simplest and most used layer (Kipf & Welling's graph convolution, 2017) is one matrix product more than a
# dense layer:
# $$H' = \phi\big(\hat A\, H\, W\big), \qquad \hat A = \tilde D^{-1/2}\,(A + I)\,\tilde D^{-1/2},\quad \tilde D = \text{diag}\Big(1 + \sum_j A_{ij}\Big),$$
# i.e. node $i$ receives $\sum_{j \in \mathcal N(i)\cup\{i\}} \frac{h_j W}{\sqrt{\tilde d_i \tilde d_j}}$: its own and its
# neighbours' features, transformed by the same $W$, averaged with weights that keep the scale.
#
# **What this notebook shows.**
# 1. One round of message passing on a 6-node graph, $\hat A H$ against the explicit sum over neighbours.
# 2. $k$ rounds reach exactly the $k$-hop neighbourhood: $(\hat A^k)_{ij} \ne 0 \iff \text{dist}(i, j) \le k$.
# 3. A graph-convolution layer as an `nn.Module` built from `@`; it is **permutation-equivariant** (renumbering the nodes
#    renumbers the outputs), and its gradients pass `ag.gradcheck`.
# 4. **Node classification** on a synthetic graph of three communities, with labels for 5 nodes per class only: a
#    two-layer GCN against an MLP that sees the same node features but not the edges.

# %%
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.functional as F
import optim

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})
np.set_printoptions(precision=3, suppress=True)

def normalised_adjacency(A):
    """A_hat = D~^(-1/2) (A + I) D~^(-1/2), D~ the degrees counting the self-loop."""
    A_tilde = A + np.eye(len(A))
    d = A_tilde.sum(1)
    return A_tilde / np.sqrt(np.outer(d, d))

def draw_graph(ax, A, pos, colors, labels=None, size=300, cmap="tab10", **kw):
    for i, j in zip(*np.nonzero(np.triu(A))):
        ax.plot(*pos[[i, j]].T, color="gray", lw=0.6, alpha=.6, zorder=1)
    ax.scatter(*pos.T, c=colors, s=size, cmap=cmap, edgecolors="k", zorder=2, **kw)
    if labels is not None:
        for i, t in enumerate(labels):
            ax.annotate(t, pos[i], ha="center", va="center", fontsize=8, zorder=3)
    ax.set_xticks([]); ax.set_yticks([])

# %% [markdown]
# ## 1. One round of message passing
#
# Six nodes, one scalar feature each (node $i$ holds $i$), edges 0–1, 0–2, 1–2, 2–3, 3–4, 4–5: a triangle, a bridge, a tail.

# %%
edges = [(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (4, 5)]
A = np.zeros((6, 6))
for i, j in edges:
    A[i, j] = A[j, i] = 1.0
A_hat = normalised_adjacency(A)
H = ag.tensor(np.arange(6.0).reshape(-1, 1))
H1 = ag.tensor(A_hat) @ H                           # the whole round: one matrix product

deg = A.sum(1) + 1
by_hand = [sum(H.numpy()[j, 0] / np.sqrt(deg[i] * deg[j]) for j in [i, *np.flatnonzero(A[i])]) for i in range(6)]
print("A_hat =\n", A_hat)
print("A_hat @ H           :", H1.numpy().ravel())
print("sum over neighbours :", np.array(by_hand))
assert np.allclose(H1.numpy().ravel(), by_hand)
assert np.allclose(A_hat, A_hat.T) and np.abs(np.linalg.eigvalsh(A_hat)).max() <= 1 + 1e-12

pos6 = np.array([[0, 1], [0, -1], [1.2, 0], [2.4, 0], [3.6, 0], [4.8, 0]], dtype=float)
fig, axes = plt.subplots(1, 2, figsize=(10, 2.6))
for ax, vals, title in [(axes[0], H.numpy().ravel(), "features H (node i holds i)"),
                        (axes[1], H1.numpy().ravel(), "after one round: Â H")]:
    draw_graph(ax, A, pos6, vals, [f"{v:.2f}".rstrip("0").rstrip(".") for v in vals], size=700, cmap="coolwarm", vmin=0, vmax=5)
    ax.set_title(title, fontsize=10); ax.set_xlim(-.6, 5.4); ax.set_ylim(-1.6, 1.6)
plt.tight_layout(); plt.show()

# %% [markdown]
# Every node moved toward its neighbours: the triangle's values mixed, node 5 (only neighbour 4) was pulled up. The
# largest eigenvalue of $\hat A$ is 1, so repeating the round never blows the features up — the reason for the
# symmetric normalisation (with $A + I$ alone, $k$ rounds multiply by up to $(\max \tilde d)^k$).
#
# ## 2. $k$ rounds see the $k$-hop neighbourhood
#
# After $k$ rounds node $i$'s features depend on node $j$ exactly when a path of at most $k$ edges joins them: the
# *receptive field* of a $k$-layer GNN, like the growing receptive field of stacked convolutions.

# %%
hops = np.full((6, 6), np.inf)                         # shortest-path lengths, by breadth-first search
for s in range(6):
    hops[s, s], frontier, d = 0, [s], 0
    while frontier:
        d, nxt = d + 1, []
        for i in frontier:
            for j in np.flatnonzero(A[i]):
                if hops[s, j] == np.inf:
                    hops[s, j] = d
                    nxt.append(j)
        frontier = nxt
Ak = np.eye(6)
for k in range(1, 5):
    Ak = A_hat @ Ak
    assert np.array_equal(Ak > 1e-12, hops <= k)
    print(f"k = {k}: node 0 is reached by nodes {np.flatnonzero(Ak[0] > 1e-12).tolist()}")

# %% [markdown]
# ## 3. A graph-convolution layer
#
# $H' = \hat A H W + b$: a `nn.Linear` applied to every node (the shared $W$), then one product with $\hat A$ to
# aggregate. Renumbering the nodes with a permutation matrix $P$ ($H \to PH$, $\hat A \to P\hat AP^\top$) renumbers the
# output the same way, $H' \to PH'$: the layer cannot depend on the arbitrary order in which the nodes were listed.

# %%
class GraphConv(nn.Module):
    """H' = A_hat (H W^T) + b, for a fixed normalised adjacency A_hat (N, N) and features H (N, F_in)."""
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)

    def forward(self, H, A_hat):
        return A_hat @ self.linear(H)

ag.manual_seed(1)
conv = GraphConv(3, 2).double()
H3 = ag.randn(6, 3, dtype=ag.float64)
P = np.eye(6)[[3, 0, 5, 1, 4, 2]]
out = conv(H3, ag.tensor(A_hat))
out_perm = conv(ag.tensor(P) @ H3, ag.tensor(P @ A_hat @ P.T))
print("max |conv(PH, P A_hat P^T) - P conv(H, A_hat)| =", np.abs(out_perm.numpy() - P @ out.numpy()).max())
assert np.allclose(out_perm.numpy(), P @ out.numpy())
h0, w0 = ag.tensor(H3.numpy(), requires_grad=True), ag.tensor(ag.randn(2, 3).numpy().astype(np.float64), requires_grad=True)
assert ag.gradcheck(lambda h, w: ag.tensor(A_hat) @ (h @ w.T), (h0, w0))
print("gradcheck of A_hat (H W^T) with respect to H and W: passed")

# %% [markdown]
# ## 4. Node classification with five labels per class
#
# A *stochastic block model*: 3 communities of 40 nodes; two nodes of the same community are linked with probability
# 0.15, of different ones with probability 0.01. Each node's 8 features are its community's mean plus noise **larger
# than the gap between the means**, so the features alone classify poorly. Only 5 nodes per class are labelled
# (semi-supervised, as in citation networks); the rest are the test set. The GCN is
# $\text{softmax}(\hat A\,\text{ReLU}(\hat A X W_1)\,W_2)$; the MLP is the same two layers without $\hat A$.

# %%
rng = np.random.default_rng(0)
n_per, K, Fdim = 40, 3, 8
labels = np.repeat(np.arange(K), n_per)
N = len(labels)
same = labels[:, None] == labels[None, :]
upper = np.triu(rng.random((N, N)) < np.where(same, 0.15, 0.01), 1)
A_sbm = (upper | upper.T).astype(float)
means = rng.standard_normal((K, Fdim)) * 0.6
X_feat = means[labels] + rng.standard_normal((N, Fdim)) * 1.5
train_idx = np.concatenate([rng.choice(np.flatnonzero(labels == c), 5, replace=False) for c in range(K)])
test_mask = np.ones(N, bool); test_mask[train_idx] = False
print(f"{N} nodes, {int(A_sbm.sum() / 2)} edges ({(A_sbm * same).sum() / A_sbm.sum():.0%} inside a community), "
      f"{len(train_idx)} labelled nodes")

Xt, At = ag.tensor(X_feat), ag.tensor(normalised_adjacency(A_sbm))
yt = ag.tensor(labels)

class GCN(nn.Module):
    def __init__(self, f_in, hidden, classes):
        super().__init__()
        self.conv1, self.conv2 = GraphConv(f_in, hidden), GraphConv(hidden, classes)

    def forward(self, X, A_hat):
        return self.conv2(F.relu(self.conv1(X, A_hat)), A_hat)

class MLP(nn.Module):
    def __init__(self, f_in, hidden, classes):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(f_in, hidden), nn.Linear(hidden, classes)

    def forward(self, X, A_hat=None):                    # ignores the edges
        return self.fc2(F.relu(self.fc1(X)))

def fit(model, steps=200):
    opt = optim.Adam(model.parameters(), lr=0.02, weight_decay=5e-4)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(Xt, At)[train_idx], yt[train_idx]).backward()
        opt.step()
    with ag.no_grad():
        pred = model(Xt, At).numpy().argmax(1)
    return pred, (pred[test_mask] == labels[test_mask]).mean()

results = {}
for name, cls in [("MLP (features only)", MLP), ("GCN (features + graph)", GCN)]:
    accs = []
    for seed in range(3):
        ag.manual_seed(seed)
        model = cls(Fdim, 16, K).double()
        pred, acc = fit(model)
        accs.append(acc)
    results[name] = (np.mean(accs), pred)
    print(f"{name:<24} test accuracy over 3 seeds: {np.mean(accs):.1%}  ({', '.join(f'{a:.1%}' for a in accs)})")
assert results["GCN (features + graph)"][0] > results["MLP (features only)"][0] + 0.15

# %%
L_sym = np.eye(N) - normalised_adjacency(A_sbm)        # a spectral layout: the Laplacian's low eigenvectors
vecs = np.linalg.eigh(L_sym)[1]
pos = vecs[:, 1:3] + rng.standard_normal((N, 2)) * 0.01
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
draw_graph(axes[0], A_sbm, pos, labels, size=40)
axes[0].scatter(*pos[train_idx].T, s=160, facecolors="none", edgecolors="k", lw=1.5, label="labelled")
axes[0].legend(fontsize=8, loc="lower right"); axes[0].set_title("true communities (ringed: the 15 labels)", fontsize=10)
for ax, (name, (acc, pred)) in zip(axes[1:], results.items()):
    draw_graph(ax, A_sbm, pos, pred, size=40)
    wrong = test_mask & (pred != labels)
    ax.scatter(*pos[wrong].T, marker="x", c="k", s=50, label="wrong")
    ax.legend(fontsize=8, loc="lower right"); ax.set_title(f"{name}: predictions (last seed)", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# The MLP must classify each node from its own noisy features; the GCN averages them over the neighbourhood first,
# and since most edges stay inside a community, that average is a far less noisy estimate of the community's mean —
# the graph is extra information, and one multiplication by $\hat A$ per layer is how the network uses it.
#
# **Take-aways.** A graph layer is a dense layer shared by all nodes followed by aggregation over neighbours,
# $H' = \phi(\hat A H W)$; the symmetric normalisation keeps repeated rounds stable; $k$ layers see $k$ hops; the
# layer is permutation-equivariant; and back-propagation through it is ordinary matrix calculus, so the engine
# needs nothing new. Other GNNs change the aggregation (attention weights in GAT, max or mean in GraphSAGE, learned
# edge messages in message-passing networks) but keep this shape.

# %% [markdown]
# # 19 · Model selection: validation, early stopping, search, double descent
#
# The notes (004, "Empirical Risk Minimisation") fit a model on samples of an unknown distribution, and keep three
# of them apart:
#
# > we do not observe $p(x, y)$ but only samples from this distribution $x^{(i)}, y^{(i)} \sim p(x, y)$ (dataset: train/valid/test)
#
# and (002) say what the middle one is for:
#
# > Use validation set to examine for overtraining, and determine when to stop training
#
# **What this notebook shows.**
# 1. The **three-way split** with `nn.datasets.train_val_test_split`: the training set fits the weights, the
#    validation set chooses everything else (when to stop, the learning rate, the architecture), the test set is
#    looked at **once**, at the very end. Choosing on the test set would make its score optimistic: that is the leak
#    the notes warn against.
# 2. **Early stopping** with `nn.train.fit(..., val_loader=, patience=, restore_best=True)`: a network that
#    over-trains on a small noisy training set, its validation curve with the best and the stopping epoch marked,
#    and the restored weights scoring exactly the best epoch's validation loss.
#    Next to it, the notes' optimiser rule "stop when things look flat" (`grad_tol`, training-loss patience).
# 3. The notes' (003) **"Brute Force / Random / Grid Search: Useful when searching among discrete parameters.
#    Quickly explodes in complexity."**: `nn.search.grid_search` and `random_search` over learning rate and weight
#    decay (why random beats grid when one setting matters more), then over **architectures** (MLPs and a CNN), with
#    the results table.
# 4. **Double descent** (002, Belkin et al. 2018: "Over-parametrizing a deep model often improves test performance,
#    contrary to bias-variance tradeoff prediction"): random-feature regression whose test error rises to a peak at
#    the **interpolation threshold** (as many features as training samples) and falls again beyond it,
#    and the norm of the fitted weights that explains the peak.

# %%
import time
import numpy as np
import matplotlib.pyplot as plt
import autograd as ag
import nn
import nn.plots
import optim
from nn.search import grid_search, random_search, loguniform

ag.manual_seed(0)
plt.rcParams.update({"figure.dpi": 90})

# %% [markdown]
# ## 1. Train, validation, test
#
# The 1797 real 8×8 digits, split 60 / 20 / 20 with every class in the same proportion in the three parts
# (`stratify=True`). The split is done once, before anything is trained, and the test part is put aside.

# %%
X, y = nn.datasets.digits()                              # (1797, 64) in [0, 1], labels 0..9
X_train, X_val, X_test, y_train, y_val, y_test = nn.datasets.train_val_test_split(
    X, y, val_size=0.2, test_size=0.2, seed=0, stratify=True)
print("train", X_train.shape, " validation", X_val.shape, " test", X_test.shape)
assert len(X_train) + len(X_val) + len(X_test) == len(X)
print("class counts  train:", np.bincount(y_train), " val:", np.bincount(y_val), " test:", np.bincount(y_test))

val_loader = nn.data.DataLoader(nn.data.TensorDataset(X_val, y_val), batch_size=512)

# %% [markdown]
# ## 2. Early stopping
#
# To make over-training visible in seconds: only 300 training digits, a fifth of their labels replaced by random
# ones, and a wide MLP (64 → 256 → 256 → 10) trained with Adam. The network first learns the real pattern, then
# starts memorising the wrong labels: the training loss keeps falling, the validation loss turns up.
#
# The same network, from the same initial weights and the same mini-batch order, is trained twice:
# * 100 epochs with no stopping rule, to see the whole curve;
# * with `patience=10, restore_best=True`: training stops after 10 epochs in a row without a better validation loss,
#   and the weights of the best epoch are loaded back.

# %%
rng = np.random.default_rng(0)
X_small, y_small = X_train[:300], y_train[:300].copy()
noisy = rng.random(300) < 0.2
y_small[noisy] = rng.integers(0, 10, noisy.sum())
print(f"{noisy.sum()} of 300 training labels replaced at random ({(y_small != y_train[:300]).sum()} actually changed)")

def wide_mlp():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))

def run(**stopping):
    model = wide_mlp()
    loader = nn.data.DataLoader(nn.data.TensorDataset(X_small, y_small), batch_size=50, shuffle=True, seed=0)
    hist = nn.train.fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=2e-3), loader,
                        epochs=100, val_loader=val_loader, progress=False, **stopping)
    return model, hist

full_model, full = run()
es_model, es = run(patience=10, restore_best=True)
print("without stopping:", full)
print("early stopping:  ", es)
print("stop reason:", es.stop_reason)

# %% [markdown]
# The early-stopped run followed the long run exactly until it stopped (same weights, same batches), so its best
# epoch is the long run's best epoch among the first ones, and the model it returns *is* that epoch's model: its
# validation loss, measured again now, equals the best value of the curve.

# %%
best = es.best_epoch
assert np.allclose(es["val_loss"], full["val_loss"][:es.epochs])
assert best == int(np.argmin(full["val_loss"][:es.epochs])) + 1
assert es.epochs == best + 10                                  # stopped `patience` epochs after the best one
now = nn.train.evaluate(es_model, nn.CrossEntropyLoss(), val_loader)
print(f"best epoch {best}: val_loss {es['val_loss'][best - 1]:.5f};  restored model now: {now['loss']:.5f}")
assert abs(now["loss"] - es["val_loss"][best - 1]) < 1e-6
print(f"after 100 epochs instead: val_loss {full['val_loss'][-1]:.4f}, val accuracy {full['val_accuracy'][-1]:.1%} "
      f"(restored: {now['accuracy']:.1%})")

ep = np.arange(1, full.epochs + 1)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
ax = axes[0]
ax.plot(ep, full["loss"], color="C0", label="training loss (mean per epoch)")
ax.plot(ep, full["val_loss"], color="C1", label="validation loss")
ax.axvline(best, color="g", ls="--", label=f"best epoch {best} (weights restored)")
ax.axvline(es.epochs, color="r", ls=":", label=f"stopped at epoch {es.epochs} (patience 10)")
ax.plot(best, es["val_loss"][best - 1], "go")
ax.set_yscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel("cross-entropy"); ax.legend(fontsize=8)
ax.set_title("over-training: the training loss falls, the validation loss turns up", fontsize=10)
ax = axes[1]
ax.plot(ep, 100 * np.array(full["accuracy"]), color="C0", label="training accuracy (noisy labels)")
ax.plot(ep, 100 * np.array(full["val_accuracy"]), color="C1", label="validation accuracy")
ax.axvline(best, color="g", ls="--"); ax.axvline(es.epochs, color="r", ls=":")
ax.set_xlabel("epoch"); ax.set_ylabel("%"); ax.legend(fontsize=8)
ax.set_title("memorising the 20% wrong labels costs validation accuracy", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# The notes' other stopping rule is for the optimiser, not for the model (003, gradient descent: start at
# $\theta^{(0)}$, follow the steepest descent, **stop when things look flat**). `fit` has both forms of "flat":
# `grad_tol` stops when the norm of the epoch's mean gradient $\lVert\nabla_\theta E\rVert_2$ falls below a bound, and
# `monitor="loss"` with `patience` stops when the *training* loss has not improved by `min_delta` for that many
# epochs. On a convex problem (logistic regression on two digit classes, full batch) both end the run long before the
# 2000 epochs allowed:

# %%
two = (y_train == 3) | (y_train == 8)
full_batch = nn.data.DataLoader(nn.data.TensorDataset(X_train[two], (y_train[two] == 8).astype(np.float32)[:, None]),
                                batch_size=int(two.sum()))
flat = {}
for name, rule in [("grad_tol=0.01", dict(grad_tol=0.01)),
                   ("training loss, patience 20, min_delta 1e-3", dict(monitor="loss", patience=20, min_delta=1e-3))]:
    ag.manual_seed(0)
    logreg = nn.Linear(64, 1)
    flat[name] = nn.train.fit(logreg, nn.BCEWithLogitsLoss(), optim.SGD(logreg.parameters(), lr=0.5), full_batch,
                              epochs=2000, metrics=None, progress=False, **rule)
    print(f"{name:<45} stopped after {flat[name].epochs:4d} epochs, loss {flat[name]['loss'][-1]:.4f}: "
          f"{flat[name].stop_reason}")
assert all(h.epochs < 2000 for h in flat.values())

fig, ax = plt.subplots(figsize=(7, 3.2))
for name, h in flat.items():
    ax.plot(np.arange(1, h.epochs + 1), h["loss"], label=f"{name}: stopped at {h.epochs}")
ax.set_xlabel("epoch"); ax.set_ylabel("training loss"); ax.legend(fontsize=8); ax.grid(alpha=.3)
ax.set_title("stop when it looks flat (training loss only)", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# These rules watch the training loss and so cannot see over-training; only a set the weights were not fitted on
# can, which is why early stopping above watches the validation loss.

# %% [markdown]
# ## 3. Grid search and random search
#
# A *training function* builds a model from one setting, trains it (with early stopping on the validation set) and
# returns its `History`; the search runs it over a space of settings and returns a table, one row per run, holding
# the values of the best epoch. First two continuous hyper-parameters of Adam, on the full training set: the
# learning rate and the weight decay, each over three decades.
#
# A 3 × 3 **grid** tries 9 settings but only **3 distinct learning rates**; 9 **random** draws try 9 of each.
# When one hyper-parameter matters much more than the other (here the learning rate), random search explores it
# three times more finely for the same cost (Bergstra and Bengio, 2012).

# %%
def train(lr, weight_decay=0.0, arch="mlp", width=64, depth=1, channels=8, epochs=15):
    ag.manual_seed(0)
    if arch == "mlp":
        layers, n_in = [], 64
        for _ in range(depth):
            layers += [nn.Linear(n_in, width), nn.ReLU()]
            n_in = width
        model = nn.Sequential(*layers, nn.Linear(n_in, 10))
    else:                                                    # a small CNN on the 8x8 images
        model = nn.Sequential(nn.Unflatten(1, (1, 8, 8)),
                              nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(channels * 16, 10))
    loader = nn.data.DataLoader(nn.data.TensorDataset(X_train, y_train), batch_size=64, shuffle=True, seed=0)
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    hist = nn.train.fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=epochs, val_loader=val_loader,
                        progress=False, patience=4, restore_best=True)
    models[(arch, lr, weight_decay, width, depth, channels)] = model
    return hist

models = {}
t0 = time.perf_counter()
grid = grid_search(train, {"lr": [1e-4, 1e-3, 1e-2], "weight_decay": [1e-5, 1e-3, 1e-1]})
rand = random_search(train, {"lr": loguniform(1e-4, 1e-1), "weight_decay": loguniform(1e-5, 1e-1)}, n=9, seed=0)
print(f"18 runs in {time.perf_counter() - t0:.1f} s")
grid.sort("val_loss")

# %%
rand.sort("val_loss")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
for ax, table, name in [(axes[0], grid, "grid: 9 runs, 3 learning rates"), (axes[1], rand, "random: 9 runs, 9 learning rates")]:
    sc = ax.scatter(table["lr"], table["weight_decay"], c=100 * np.array(table["val_accuracy"]), cmap="viridis",
                    vmin=70, vmax=100, s=80, edgecolor="k")
    ax.set_xscale("log"); ax.set_yscale("log"); ax.set_xlabel("learning rate"); ax.set_ylabel("weight decay")
    ax.set_title(name, fontsize=10)
plt.colorbar(sc, ax=axes[1], label="validation accuracy (%)")
ax = axes[2]
ax.plot(grid["lr"], 100 * np.array(grid["val_accuracy"]), "s", ms=9, mfc="none", label="grid")
ax.plot(rand["lr"], 100 * np.array(rand["val_accuracy"]), "o", label="random")
ax.set_xscale("log"); ax.set_xlabel("learning rate"); ax.set_ylabel("validation accuracy (%)")
ax.set_title("what each search learns about the learning rate", fontsize=10); ax.legend(fontsize=8)
plt.tight_layout(); plt.show()
print("distinct learning rates tried: grid", len(set(grid["lr"])), " random", len(set(rand["lr"])))
assert len(set(grid["lr"])) == 3 and len(set(rand["lr"])) == 9

# %% [markdown]
# **Architectures.** The notes search "among discrete parameters", and an architecture is one: a space may be a list
# of dicts, one per family, each searched on its own grid. One or two hidden layers of 32 or 128 units, or a small
# CNN with 4 or 16 filters — all with the best learning rate found above.

# %%
lr_best = grid.best("val_loss")["lr"]
archs = grid_search(lambda **kw: train(lr=lr_best, **kw),
                    [{"arch": ["mlp"], "depth": [1, 2], "width": [32, 128]},
                     {"arch": ["cnn"], "channels": [4, 16]}])
for row in archs:
    key = (row["arch"], lr_best, 0.0, row.get("width", 64), row.get("depth", 1), row.get("channels", 8))
    row["parameters"] = sum(p.numel() for p in models[key].parameters())
archs.sort("val_loss")

# %% [markdown]
# The search chose on the validation set; **now, once**, the chosen model meets the test set. Its test accuracy is
# an honest estimate because nothing was chosen on those digits — while the best *validation* accuracy of a search
# is optimistic: among many runs, the luckiest on those 360 digits wins.

# %%
win = archs.best("val_loss")
key = (win["arch"], lr_best, 0.0, win.get("width", 64), win.get("depth", 1), win.get("channels", 8))
test_loader = nn.data.DataLoader(nn.data.TensorDataset(X_test, y_test), batch_size=512)
final = nn.train.evaluate(models[key], nn.CrossEntropyLoss(), test_loader)
print(f"chosen: {win['arch']} {dict((k, win[k]) for k in ('depth', 'width', 'channels') if k in win)}, lr {lr_best:g}")
print(f"validation accuracy {win['val_accuracy']:.1%} (used to choose);  test accuracy {final['accuracy']:.1%} (measured once)")
assert final["accuracy"] > 0.9

# %% [markdown]
# ## 4. Double descent
#
# The classical picture (the U-shaped curve of 002's figure, Belkin et al. 2018): as a model gets more capacity, the
# training error falls, the test error first falls then rises (over-fitting). The notes go on:
# "Over-parametrizing a deep model often improves test performance, contrary to bias-variance tradeoff
# prediction" — beyond the **interpolation threshold**, where the model can fit the training set exactly, the test
# error falls a second time.
#
# A small problem where all of this takes a second: **random-feature regression**. $n = 100$ noisy samples of a
# smooth function of 8 inputs; $p$ fixed random ReLU features $\phi_j(x) = \max(0, w_j^\top x)/\sqrt{p}$ (a hidden
# layer that is never trained); a linear output layer $\hat y = \phi(x)^\top\theta$ fitted by least squares. For
# $p > n$ infinitely many $\theta$ fit the training set exactly; we take the one of **smallest norm**,
# $\theta = \Phi^{+}y$ (the pseudo-inverse: also the point gradient descent from $\theta = 0$ converges to). Test error
# averaged over 10 draws of data and features, for $p$ from 10 to 2000.

# %%
n, d, noise = 100, 8, 0.1
features = [10, 25, 50, 75, 90, 95, 100, 105, 110, 125, 150, 200, 300, 500, 1000, 2000]

def random_feature_errors(p, seed):
    r = np.random.default_rng(seed)
    beta = r.standard_normal(d) / np.sqrt(d)
    f = lambda Z: np.tanh(2 * Z @ beta)                      # the unknown function
    Xn, Xt = r.standard_normal((n, d)), r.standard_normal((2000, d))
    yn = f(Xn) + noise * r.standard_normal(n)
    W = r.standard_normal((d, p)) / np.sqrt(d)
    phi = lambda Z: np.maximum(0, Z @ W) / np.sqrt(p)
    theta = np.linalg.pinv(phi(Xn)) @ yn                     # least squares, minimum norm when p > n
    return np.mean((phi(Xn) @ theta - yn) ** 2), np.mean((phi(Xt) @ theta - f(Xt)) ** 2), np.linalg.norm(theta)

res = np.array([[random_feature_errors(p, s) for s in range(10)] for p in features])   # (P, seeds, 3)
train_err, test_err, norms = np.median(res[..., 0], 1), np.median(res[..., 1], 1), np.median(res[..., 2], 1)
for p, a, b, c in zip(features, train_err, test_err, norms):
    print(f"p = {p:5d}   train MSE {a:.4f}   test MSE {b:9.4f}   |theta| {c:9.2f}")
i_peak = int(np.argmax(test_err))
assert features[i_peak] == n                                         # the peak sits at the threshold p = n
assert np.all(train_err[np.array(features) >= n] < 1e-12)            # interpolation beyond it
assert test_err[-1] < test_err[i_peak] / 100                         # and the second descent
best_small = test_err[np.array(features) < n].min()
print(f"best under-parametrised test MSE {best_small:.3f};  p = 2000: {test_err[-1]:.3f};  peak (p = n): {test_err[i_peak]:.1f}")
assert test_err[-1] < 1.2 * best_small

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
ax = axes[0]
ax.plot(features, test_err, "o-", color="C3", label="test error (median of 10)")
ax.plot(features, np.maximum(train_err, 1e-6), "s--", color="C0", label="training error (drawn at 1e-6 when 0)")
ax.axvline(n, color="k", ls=":", label=f"interpolation threshold p = n = {n}")
ax.set_xscale("log"); ax.set_yscale("log"); ax.set_ylim(1e-6, 1e3)
ax.set_xlabel("number of random features p"); ax.set_ylabel("mean squared error"); ax.legend(fontsize=8)
ax.set_title("double descent: classical U on the left, interpolating regime on the right", fontsize=10)
ax = axes[1]
ax.plot(features, norms, "o-", color="C2")
ax.axvline(n, color="k", ls=":")
ax.set_xscale("log"); ax.set_yscale("log"); ax.set_xlabel("number of random features p"); ax.set_ylabel(r"$\|\theta\|$")
ax.set_title("why: at p = n the only exact fit needs huge weights;\nwith more features a small-norm one exists", fontsize=10)
plt.tight_layout(); plt.show()

# %% [markdown]
# On this small problem the second descent comes back to about the level of the best small model (it does not go
# clearly below it); with networks and images it often goes lower, which is the notes' point: more parameters than
# samples is not by itself over-fitting.
#
# At the threshold there is exactly one way to pass through all 100 noisy points, and it swings wildly between them
# (huge $\lVert\theta\rVert$). With more features, many interpolants exist and the minimum-norm one is smooth: the
# extra capacity is spent on choosing a *simple* interpolant, not on fitting the noise harder. Which interpolant is
# reached is decided by the training algorithm (here the pseudo-inverse, for a network gradient descent and its
# initialisation) — one reason the notes say a major part of deep learning is "trying to choose the right function".

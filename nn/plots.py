"""Pictures of training: loss and accuracy curves, decision boundaries, optimizer paths
on a loss surface, and histograms of activations and gradients per layer.

Every function returns the matplotlib ``Figure`` and, given ``path=...``, also saves it
(PNG, SVG or PDF by the file's extension). In a notebook assign the result
(``fig = plot_history(h)``) so that the figure is shown once.

matplotlib is imported only when a function here is called (the optional extras
``viz`` / ``train``: ``pip install "gradtable[viz]"``); without a display it draws
with the non-interactive Agg backend.
"""
import math
import os
import sys

import numpy as np

import autograd as ag

__all__ = ["plot_history", "plot_decision_boundary", "plot_optimizer_paths",
           "plot_activation_histograms", "plot_gradient_histograms", "save_figure", "close"]

VIZ_INSTALL_HINT = 'pip install "gradtable[viz]"'
_DPI = 120


def _pyplot():
    """matplotlib.pyplot, choosing the Agg backend when there is no display."""
    try:
        import matplotlib
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(f"nn.plots needs matplotlib, which is not installed; install it "
                          f"with: {VIZ_INSTALL_HINT}") from e
    if ("matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND")
            and "ipykernel" not in sys.modules and sys.platform.startswith("linux")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, path):
    """Save ``fig`` to ``path`` (parent folders are created); returns the path."""
    path = os.fspath(path)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=_DPI)
    return path


def close(fig):
    """Free a figure (scripts that draw many should close each one after saving)."""
    _pyplot().close(fig)


def _finish(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def _array(t):
    return t.array if isinstance(t, ag.Tensor) else np.asarray(t)


# --------------------------------------------------------------------------- curves
def plot_history(history, path=None, title=None, log_loss="auto"):
    """Loss and metric curves of training (from ``nn.train.fit``), training vs validation.

    Left: the loss per mini-batch (faint), its mean per epoch, and the validation loss
    at the end of each epoch. Right (when recorded): each metric, e.g. accuracy in
    percent, with the best validation value marked. ``history`` is a ``History`` or a
    dict of lists with the same keys. ``log_loss``: True, False, or "auto" (a log scale
    when the loss falls by more than a factor of 30).
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    data = history.as_dict() if hasattr(history, "as_dict") else {k: list(v) for k, v in history.items()}
    loss = data.get("loss", [])
    epochs = len(loss)
    if epochs == 0:
        raise ValueError("plot_history: the history holds no epochs")
    metric_names = [k for k in data if k not in ("loss", "lr", "time")
                    and not k.startswith(("val_", "step_"))]
    fig, axes = plt.subplots(1, 1 + len(metric_names), figsize=(6 + 5 * len(metric_names), 4.4),
                             layout="constrained", squeeze=False)
    axes = axes[0]
    ep = np.arange(1, epochs + 1)

    ms = 4 if epochs <= 40 else 0  # markers only while they stay readable
    ax = axes[0]
    steps = data.get("step_loss", [])
    if steps and len(steps) <= 4000:  # the noise of mini-batch gradients, while it is legible
        spe = getattr(history, "steps_per_epoch", None) or len(steps) / epochs
        xs = np.arange(1, len(steps) + 1) / spe
        ax.plot(xs, steps, color="tab:blue", alpha=0.25, lw=0.8, label="training, each mini-batch")
    ax.plot(ep, loss, "o-", color="tab:blue", ms=ms, label="training, mean over the epoch")
    if "val_loss" in data:
        ax.plot(ep[:len(data["val_loss"])], data["val_loss"], "s-", color="tab:orange", ms=ms,
                label="validation, end of epoch")
    curves = [v for v in loss + data.get("val_loss", []) if math.isfinite(v)]
    pos = [v for v in curves if v > 0]
    use_log = log_loss is True or (log_loss == "auto" and pos and max(pos) / min(pos) > 30)
    if use_log and pos:
        ax.set_yscale("log")
        ax.set_ylim(min(pos) / 3, max(pos) * 2)  # framed by the epoch curves, not batch noise
    elif curves:
        lo, hi = min(curves), max(curves)
        pad = 0.1 * (hi - lo) or 0.1 * abs(hi) or 0.1
        ax.set_ylim(min(lo - pad, 0) if lo >= 0 else lo - pad, hi + pad)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" + (" (log scale)" if use_log else ""))
    ax.set_title("Loss (lower is better)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, epochs + 0.2)
    ax.grid(alpha=0.3)
    ax.legend()

    for ax, name in zip(axes[1:], metric_names):
        pct = "acc" in name
        scale = 100.0 if pct else 1.0
        label = name.replace("_", " ")
        ax.plot(ep, np.asarray(data[name]) * scale, "o-", color="tab:blue", ms=ms,
                label="training, mean over the epoch")
        val = data.get(f"val_{name}")
        if val:
            v = np.asarray(val) * scale
            ax.plot(ep[:len(v)], v, "s-", color="tab:orange", ms=ms, label="validation, end of epoch")
            best = int(np.nanargmax(v)) if pct else None
            if best is not None:
                ax.plot(best + 1, v[best], "*", color="crimson", ms=14, zorder=5,
                        label=f"best validation: {v[best]:.1f}% (epoch {best + 1})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"{label} (%)" if pct else label)
        ax.set_title(f"{label.capitalize()} (higher is better)" if pct else label.capitalize())
        if pct:
            ax.set_ylim(top=101)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, epochs + 0.2)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(title or f"Training curves ({epochs} epochs)", fontsize=13)
    return _finish(fig, path)


# --------------------------------------------------------------------------- decision boundary
_CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _class_color(k):
    return _CLASS_COLORS[k % len(_CLASS_COLORS)]


def plot_decision_boundary(model, X, y, path=None, title=None, resolution=300, margin=0.5,
                           transform=None, class_names=None, ax=None):
    """The regions a 2-D classifier assigns to each class, with the data on top.

    The model is evaluated on a grid covering ``X`` (``model.eval()``, no graph). With C > 1
    outputs (logits), each region takes its class's colour, paler where the model is less
    sure (lower softmax probability), and black lines mark the decision boundaries. With
    one output (a logit or a probability), the colour is P(class 1) with a colour bar and
    the 0.5 contour is the boundary. Points show the true labels; misclassified points are
    circled in red. ``transform`` maps grid points to the model's input space (e.g. the
    ``Standardizer`` fitted on the training data) while the axes keep the original units.
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D
    from .train import predict

    X, y = _array(X), _array(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D inputs (n, 2), got {X.shape}")
    x0, x1 = X[:, 0].min() - margin, X[:, 0].max() + margin
    y0, y1 = X[:, 1].min() - margin, X[:, 1].max() + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(X.dtype if X.dtype.kind == "f" else np.float32)
    Xin = X
    if transform is not None:
        grid = np.asarray(transform(grid), dtype=grid.dtype)
        Xin = np.asarray(transform(X), dtype=grid.dtype)
    out = predict(model, grid, batch_size=8192).reshape(len(grid), -1)
    scores = predict(model, Xin).reshape(len(X), -1)

    labels01 = np.where(y < 0, 0, y).astype(np.int64)  # {-1,+1} labels drawn as {0,1}
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
    else:
        fig = ax.figure
    n_classes = max(int(labels01.max()) + 1, out.shape[1] if out.shape[1] > 1 else 2)
    names = class_names or [f"class {k}" if y.min() >= 0 else f"class {2 * k - 1:+d}"
                            for k in range(n_classes)]

    if out.shape[1] > 1:
        z = out - out.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        pred = p.argmax(axis=1)
        conf = p.max(axis=1)
        c = out.shape[1]
        strength = 0.12 + 0.48 * np.clip((conf - 1.0 / c) / (1 - 1.0 / c), 0, 1)
        rgb = np.array([plt.matplotlib.colors.to_rgb(_class_color(k)) for k in range(c)])[pred]
        img = 1 - strength[:, None] * (1 - rgb)
        ax.imshow(img.reshape(resolution, resolution, 3), origin="lower",
                  extent=(x0, x1, y0, y1), aspect="auto", interpolation="bilinear")
        ax.contour(gx, gy, pred.reshape(gx.shape), levels=np.arange(c) + 0.5, colors="k",
                   linewidths=1.2)
        pred_pts = scores.argmax(axis=1)
        shade_note = "region colour: predicted class (paler = less sure)"
    else:
        s = out[:, 0]
        s_pts = scores[:, 0]
        is_prob = s.min() >= 0 and s.max() <= 1
        if not is_prob:
            # the library's stable sigmoid: no overflow for over-confident logits
            s, s_pts = ag.sigmoid(s).array, ag.sigmoid(s_pts).array
        cf = ax.contourf(gx, gy, s.reshape(gx.shape), levels=np.linspace(0, 1, 21),
                         cmap="RdBu_r", alpha=0.45, vmin=0, vmax=1)
        cb = fig.colorbar(cf, ax=ax, ticks=np.linspace(0, 1, 6))
        cb.set_label(f"model's P({names[1]})")
        ax.contour(gx, gy, s.reshape(gx.shape), levels=[0.5], colors="k", linewidths=1.5)
        pred_pts = (s_pts > 0.5).astype(np.int64)
        shade_note = f"colour: P({names[1]}); black line: P = 0.5"
    wrong = pred_pts != labels01
    for k in range(n_classes):
        sel = labels01 == k
        color = _class_color(k) if out.shape[1] > 1 else ("#2166ac", "#b2182b")[k % 2]
        ax.scatter(X[sel, 0], X[sel, 1], s=22, color=color, edgecolor="k", linewidth=0.5,
                   label=names[k], zorder=3)
    if wrong.any():
        ax.scatter(X[wrong, 0], X[wrong, 1], s=90, facecolor="none", edgecolor="red",
                   linewidth=1.5, zorder=4, label=f"misclassified ({int(wrong.sum())})")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="k", lw=1.2))
    labels.append("decision boundary")
    ax.legend(handles, labels, loc="best", fontsize=9, framealpha=0.85)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("feature 1 ($x_1$)")
    ax.set_ylabel("feature 2 ($x_2$)")
    acc = 100 * float(np.mean(~wrong))
    ax.set_title((title or "Decision boundary") + f"\naccuracy on these points: {acc:.1f}%   ({shade_note})",
                 fontsize=10)
    return _finish(fig, path)


# --------------------------------------------------------------------------- optimizer paths
def _eval_surface(f, gx, gy):
    """Evaluate a 2-D loss on a grid: numpy arrays, then Tensors, then point by point."""
    try:
        z = _array(f(gx, gy))
        if z.shape == gx.shape:
            return z.astype(np.float64)
    except Exception:
        pass
    try:
        with ag.no_grad():
            z = _array(f(ag.Tensor(gx), ag.Tensor(gy)))
        if z.shape == gx.shape:
            return z.astype(np.float64)
    except Exception:
        pass
    with ag.no_grad():
        flat = [float(_array(f(ag.Tensor(np.array([a, b])))))
                for a, b in zip(gx.ravel(), gy.ravel())]
    return np.asarray(flat).reshape(gx.shape)


def _as_path(p):
    if isinstance(p, ag.Tensor):
        p = p.array
    if isinstance(p, (list, tuple)):
        p = [_array(q).reshape(-1) for q in p]
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"an optimizer path must be a sequence of 2-D points, shape (T, 2); got {arr.shape}")
    return arr


def plot_optimizer_paths(loss_fn_2d, paths, path=None, xlim=None, ylim=None, minimum=None,
                         levels=30, log_levels="auto", resolution=200, title=None,
                         labels=(r"$\theta_1$", r"$\theta_2$"), ax=None):
    """Optimizers' trajectories drawn on the contour map of a 2-D loss surface.

    Args:
        loss_fn_2d: ``f(x, y)`` on numpy arrays (or Tensors) of equal shape, returning the
            loss at every point; ``f(p)`` on one point ``p`` of shape (2,) also works.
        paths: ``{"SGD": points, "Adam": points, ...}``, each a (T, 2) array or a list of
            2-element arrays/Tensors (the parameter after each step, starting point first).
        xlim, ylim: the window; by default it covers every path (and ``minimum``) with a margin.
        minimum: the location of the minimum, marked with a star.
        log_levels: contour levels spaced logarithmically (good for canyons); "auto" uses
            them when the loss is positive, otherwise levels at quantiles of the loss.
    """
    plt = _pyplot()
    named = {str(k): _as_path(v) for k, v in paths.items()}
    pts = [p[np.isfinite(p).all(axis=1)] for p in named.values()]
    if minimum is not None:
        pts.append(np.asarray(minimum, np.float64).reshape(1, 2))
    allp = np.concatenate(pts) if pts else np.zeros((1, 2))
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    span = np.maximum(hi - lo, 1e-3)
    xlim = xlim or (lo[0] - 0.15 * span[0], hi[0] + 0.15 * span[0])
    ylim = ylim or (lo[1] - 0.15 * span[1], hi[1] + 0.15 * span[1])
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    z = _eval_surface(loss_fn_2d, gx, gy)

    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 6.2), layout="constrained")
    else:
        fig = ax.figure
    zf = z[np.isfinite(z)]
    use_log = log_levels is True or (log_levels == "auto" and zf.min() > 0)
    if use_log:
        from matplotlib.colors import LogNorm
        zlo, zhi = max(zf.min(), 1e-12), zf.max()
        lv = np.geomspace(zlo, zhi, levels)
        cf = ax.contourf(gx, gy, z, levels=lv, norm=LogNorm(), cmap="viridis", alpha=0.85)
        ticks = 10.0 ** np.arange(np.ceil(np.log10(zlo)), np.floor(np.log10(zhi)) + 1)
        if len(ticks) < 2:
            ticks = np.geomspace(zlo, zhi, 4)
    else:
        lv = np.linspace(zf.min(), zf.max(), levels)
        cf = ax.contourf(gx, gy, z, levels=lv, cmap="viridis", alpha=0.85)
        ticks = None
    ax.contour(gx, gy, z, levels=lv, colors="white", linewidths=0.4, alpha=0.5)
    cb = fig.colorbar(cf, ax=ax)
    if ticks is not None:
        cb.set_ticks(ticks)
        cb.set_ticklabels([f"{t:.3g}" for t in ticks])
    else:
        from matplotlib.ticker import MaxNLocator
        cb.locator = MaxNLocator(8)
        cb.update_ticks()
    cb.set_label("loss" + (" (log scale)" if use_log else ""))

    colors = ["#e41a1c", "#ff7f00", "#f781bf", "#ffffff", "#a65628", "#00e5ff", "#ffff33",
              "#984ea3", "#4daf4a", "#377eb8"]
    for i, (name, p) in enumerate(named.items()):
        c = colors[i % len(colors)]
        with np.errstate(all="ignore"):
            end = _eval_surface(loss_fn_2d, p[-1:, :1], p[-1:, 1:])
        final = float(end.reshape(-1)[0])
        ax.plot(p[:, 0], p[:, 1], "-o", color=c, ms=2.5, lw=1.6, mec="k", mew=0.3,
                label=f"{name}: {len(p) - 1} steps, final loss {final:.3g}")
        ax.plot(p[-1, 0], p[-1, 1], "X", color=c, ms=10, mec="k", mew=0.8, zorder=5)
    starts = np.unique(np.array([p[0] for p in named.values()]), axis=0) if named else []
    for j, s in enumerate(starts):
        ax.plot(s[0], s[1], "o", color="white", ms=10, mec="k", mew=1.5, zorder=6,
                label="start" if j == 0 else None)
    if minimum is not None:
        m = np.asarray(minimum, np.float64).reshape(2)
        ax.plot(m[0], m[1], "*", color="gold", ms=18, mec="k", mew=1, zorder=6, label="minimum")
    ax.plot([], [], "X", color="gray", mec="k", ms=9, label="end of each path")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title or "Optimizer paths on the loss surface")
    ax.legend(loc="best", fontsize=8.5, framealpha=0.85)
    return _finish(fig, path)


# --------------------------------------------------------------------------- histograms
_SKIP_LAYERS = ("Flatten", "Dropout", "Identity")


def _leaf_layers(model, layers):
    named = [(n, m) for n, m in model.named_modules() if n and not list(m.children())]
    if not named:  # a model with no children: the model itself is the only layer
        named = [(type(model).__name__, model)]
    if layers is None:
        return [(n, m) for n, m in named if type(m).__name__ not in _SKIP_LAYERS]
    keep = []
    for n, m in named:
        for sel in layers:
            if (isinstance(sel, str) and n == sel) or (isinstance(sel, type) and isinstance(m, sel)):
                keep.append((n, m))
                break
    if not keep:
        raise ValueError(f"no layer matches {layers}; the layers are {[n for n, _ in named]}")
    return keep


def _grid(plt, n, title, width=3.6, height=2.8):
    ncols = min(4, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows + 0.6),
                             layout="constrained", squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=13)
    return fig, axes.ravel()


def _depth_colors(plt, n):
    cmap = plt.get_cmap("viridis")
    return [cmap(0.1 + 0.75 * i / max(n - 1, 1)) for i in range(n)]


def plot_activation_histograms(model, x, path=None, layers=None, bins=50, title=None):
    """Histogram of the outputs of every layer for one batch ``x``, in forward order.

    Each panel is one layer (``layers``: names or classes to keep; default every leaf
    layer except Flatten/Dropout/Identity) with its mean and standard deviation, the
    share of exact zeros (dead ReLU units) and, for sigmoid/tanh, the share of saturated
    units (where the derivative is nearly 0 and gradients vanish). The model runs in
    eval mode without a graph; forward hooks collect the outputs.
    """
    plt = _pyplot()
    chosen = _leaf_layers(model, layers)
    outs = {}
    handles = [m.register_forward_hook(lambda mod, inp, out, name=n: outs.__setitem__(name, _array(out)))
               for n, m in chosen]
    was_training = getattr(model, "training", None)
    try:
        if hasattr(model, "eval"):
            model.eval()
        with ag.no_grad():
            model(x if isinstance(x, ag.Tensor) else ag.Tensor(np.asarray(x)))
    finally:
        for h in handles:
            h.remove()
        if was_training and hasattr(model, "train"):
            model.train()
    ran = [(n, m) for n, m in chosen if n in outs]
    batch = len(_array(x))
    fig, axes = _grid(plt, len(ran), title or f"Activations per layer (one batch of {batch} samples)")
    colors = _depth_colors(plt, len(ran))
    for i, ((name, mod), ax) in enumerate(zip(ran, axes)):
        a = outs[name].astype(np.float64).ravel()
        a = a[np.isfinite(a)]
        kind = type(mod).__name__
        ax.hist(a, bins=bins, color=colors[i], edgecolor="none")
        notes = [f"mean {a.mean():.3g}, std {a.std():.3g}"]
        zeros = float(np.mean(a == 0)) if a.size else 0.0
        if zeros > 0.01:
            notes.append(f"{100 * zeros:.0f}% exactly 0")
        if kind in ("Sigmoid", "Tanh"):
            lo = -1 if kind == "Tanh" else 0
            sat = float(np.mean((a > 0.99) | (a < lo + 0.01)))
            notes.append(f"{100 * sat:.0f}% saturated")
        label = kind if name.isdigit() else f"{kind} ({name})"
        ax.set_title(f"layer {i + 1}: {label}, output {tuple(outs[name].shape)}", fontsize=10)
        ax.text(0.98, 0.95, "\n".join(notes), transform=ax.transAxes, ha="right", va="top",
                fontsize=8, bbox=dict(boxstyle="round", fc="white", alpha=0.8))
        ax.set_xlabel("pre-activation value z" if kind in ("Linear", "Conv1d", "Conv2d", "Bilinear")
                      else "activation value" if kind not in ("MaxPool1d", "MaxPool2d", "AvgPool1d",
                                                              "AvgPool2d", "BatchNorm1d", "BatchNorm2d")
                      else "output value")
        ax.set_ylabel("count")
        ax.grid(alpha=0.3)
    return _finish(fig, path)


def plot_gradient_histograms(model, x=None, y=None, loss_fn=None, path=None, bins=50,
                             weights_only=True, title=None):
    """Histogram of the gradient of every parameter, layer by layer, plus their spread.

    With ``loss_fn`` (and a batch ``x``, ``y``) it first runs one forward and backward
    pass (``model.zero_grad()`` before, gradients left in ``.grad``); otherwise it uses
    the gradients already there. ``weights_only`` skips biases and other 1-D parameters.
    The last panel plots the standard deviation of each layer's gradient on a log
    scale, input side on the left: a falling line is a vanishing gradient, a rising one
    an exploding gradient.
    """
    plt = _pyplot()
    if loss_fn is not None:
        if x is None or y is None:
            raise ValueError("plot_gradient_histograms: pass x and y together with loss_fn")
        if hasattr(model, "zero_grad"):
            model.zero_grad()
        xin = x if isinstance(x, ag.Tensor) else ag.Tensor(np.asarray(x))
        yin = y if isinstance(y, ag.Tensor) else ag.Tensor(np.asarray(y))
        loss_fn(model(xin), yin).backward()
    params = [(n, p) for n, p in model.named_parameters()
              if p.grad is not None and (not weights_only or p.ndim >= 2)]
    if not params:
        raise ValueError("plot_gradient_histograms: no parameter has a gradient; pass loss_fn, "
                         "x and y, or call loss.backward() first")
    fig, axes = _grid(plt, len(params) + 1, title or "Gradients of the loss per layer")
    colors = _depth_colors(plt, len(params))
    stds = []
    for i, ((name, p), ax) in enumerate(zip(params, axes)):
        g = _array(p.grad).astype(np.float64).ravel()
        stds.append(float(g.std()))
        ax.hist(g, bins=bins, color=colors[i], edgecolor="none")
        ax.set_title(f"{i + 1}. {name}, shape {tuple(p.shape)}", fontsize=10)
        ax.text(0.98, 0.95, f"std {g.std():.2e}\nmax |g| {np.abs(g).max():.2e}",
                transform=ax.transAxes, ha="right", va="top", fontsize=8,
                bbox=dict(boxstyle="round", fc="white", alpha=0.8))
        ax.set_xlabel("gradient value")
        ax.set_ylabel("count")
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 2))
        ax.grid(alpha=0.3)
    ax = axes[len(params)]
    ax.plot(np.arange(1, len(stds) + 1), np.maximum(stds, 1e-30), "o-", color="tab:purple")
    ax.set_yscale("log")
    ax.set_xticks(np.arange(1, len(stds) + 1))
    ax.set_xlabel("layer (input side first)")
    ax.set_ylabel("std of gradient (log scale)")
    ax.set_title("Gradient size through depth", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    return _finish(fig, path)

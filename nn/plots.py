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

import numpy as np

import autograd as ag

__all__ = ["plot_history", "plot_decision_boundary", "plot_optimizer_paths",
           "plot_activation_histograms", "plot_gradient_histograms", "save_figure", "close"]

from ._figures import VIZ_INSTALL_HINT, _array, _finish, _pyplot, close, save_figure  # noqa: F401


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
        pred_pts, shade_note = _shade_classes(plt, ax, out, scores, gx, gy, (x0, x1, y0, y1), resolution)
    else:
        pred_pts, shade_note = _shade_probability(ax, fig, out, scores, gx, gy, names)
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


def _shade_classes(plt, ax, out, scores, gx, gy, extent, resolution):
    """C > 1 logits: each region in its class's colour, paler where the softmax is less sure."""
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
              extent=extent, aspect="auto", interpolation="bilinear")
    ax.contour(gx, gy, pred.reshape(gx.shape), levels=np.arange(c) + 0.5, colors="k",
               linewidths=1.2)
    return scores.argmax(axis=1), "region colour: predicted class (paler = less sure)"


def _shade_probability(ax, fig, out, scores, gx, gy, names):
    """One output (a logit or a probability): P(class 1) as colour, the 0.5 contour."""
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
    return (s_pts > 0.5).astype(np.int64), f"colour: P({names[1]}); black line: P = 0.5"


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
    _contour_surface(ax, fig, gx, gy, z, levels, log_levels)

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


def _contour_surface(ax, fig, gx, gy, z, levels, log_levels):
    """Filled contours of the loss with a colour bar; log-spaced levels for a positive loss."""
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


from ._histograms import plot_activation_histograms, plot_gradient_histograms  # noqa: E402

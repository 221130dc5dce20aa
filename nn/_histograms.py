"""Histograms of activations and gradients per layer (``nn.plots``)."""
import numpy as np

import autograd as ag

from ._figures import _array, _finish, _pyplot


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

"""The figure plumbing of ``nn.plots``: matplotlib on demand (Agg without a display),
saving, closing."""
import os
import sys

import numpy as np

import autograd as ag

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

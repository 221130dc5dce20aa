"""nn.plots: every helper returns a Figure, saves a PNG, and reads its inputs correctly."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")

import autograd as ag  # noqa: E402
import nn  # noqa: E402
from nn import plots  # noqa: E402
from nn.datasets import spirals  # noqa: E402
from nn.train import History  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def _png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def _history(epochs=5, steps=4):
    h = History()
    h.steps_per_epoch = steps
    for e in range(epochs):
        for s in range(steps):
            h.log("step_loss", 1.0 / (1 + e + s / steps))
            h.log("step_accuracy", 0.5 + 0.08 * e)
        h.log("loss", 1.0 / (1 + e))
        h.log("accuracy", 0.5 + 0.08 * e)
        h.log("val_loss", 1.1 / (1 + e))
        h.log("val_accuracy", 0.45 + 0.09 * e)
        h.epochs += 1
    return h


def test_plot_history(tmp_path):
    fig = plots.plot_history(_history(), tmp_path / "sub" / "curves.png", title="demo")
    _png(tmp_path / "sub" / "curves.png")
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_xlabel() == "epoch" and "loss" in loss_ax.get_ylabel()
    assert "%" in acc_ax.get_ylabel()
    labels = [t.get_text() for t in acc_ax.get_legend().get_texts()]
    assert any("validation" in t for t in labels) and any("best" in t for t in labels)
    # a plain dict with only losses gives one panel
    fig = plots.plot_history({"loss": [3.0, 2.0, 1.0]})
    assert len(fig.axes) == 1
    with pytest.raises(ValueError):
        plots.plot_history({"loss": []})


def test_plot_decision_boundary_multiclass_and_binary(tmp_path):
    X, y = spirals(n=30)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    fig = plots.plot_decision_boundary(model, X, y, tmp_path / "db.png", resolution=60)
    _png(tmp_path / "db.png")
    ax = fig.axes[0]
    assert "accuracy" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["class 0", "class 1", "class 2"] and "decision boundary" in labels
    # one output (a logit): probability shading with a colour bar; transform applied to inputs
    binary = nn.Sequential(nn.Linear(2, 1))
    seen = []
    fig = plots.plot_decision_boundary(binary, X, (y > 0).astype(np.int64), resolution=40,
                                       transform=lambda Z: seen.append(Z.shape) or Z * 2)
    assert len(fig.axes) == 2 and "P(" in fig.axes[1].get_ylabel()
    assert seen[0] == (1600, 2)
    with pytest.raises(ValueError, match="2-D"):
        plots.plot_decision_boundary(model, np.zeros((5, 3)), np.zeros(5))


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 10 * (y - x ** 2) ** 2


def test_plot_optimizer_paths(tmp_path):
    path_a = np.array([[-1.0, 1.5], [-0.5, 0.5], [0.5, 0.3], [1.0, 1.0]])
    path_b = [ag.tensor([-1.0, 1.5]), ag.tensor([0.0, 0.0])]
    fig = plots.plot_optimizer_paths(_rosenbrock, {"A": path_a, "B": path_b}, tmp_path / "p.png",
                                     minimum=(1, 1), resolution=50)
    _png(tmp_path / "p.png")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("A: 3 steps") and labels[1].startswith("B: 1 steps")
    assert "start" in labels and "minimum" in labels
    assert "log" in fig.axes[1].get_ylabel()
    # a saddle (negative values: linear levels), a function of one point, fixed window
    fig = plots.plot_optimizer_paths(lambda p: p[0] ** 2 - p[1] ** 2, {"GD": path_a}, resolution=15,
                                     xlim=(-2, 2), ylim=(-2, 2))
    assert fig.axes[0].get_xlim() == (-2, 2)
    with pytest.raises(ValueError, match="T, 2"):
        plots.plot_optimizer_paths(_rosenbrock, {"bad": np.zeros((3, 3))})


def test_activation_and_gradient_histograms(tmp_path):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Sigmoid(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Dropout(0.5), nn.Linear(16, 3))
    X, y = spirals(n=20)
    model.train()
    fig = plots.plot_activation_histograms(model, X, tmp_path / "act.png")
    _png(tmp_path / "act.png")
    titles = [a.get_title() for a in fig.axes if a.get_visible()]
    assert len(titles) == 5 and "Sigmoid" in titles[1] and "Dropout" not in " ".join(titles)
    assert model.training  # mode restored
    assert all(not m._forward_hooks for m in model.modules())  # hooks removed
    fig = plots.plot_activation_histograms(model, X, layers=[nn.ReLU])
    assert len([a for a in fig.axes if a.get_visible()]) == 1

    fig = plots.plot_gradient_histograms(model, X, y, nn.CrossEntropyLoss(), tmp_path / "g.png")
    _png(tmp_path / "g.png")
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == 4  # three weight matrices and the summary panel
    assert visible[-1].get_yscale() == "log"
    model.zero_grad()
    with pytest.raises(ValueError, match="no parameter has a gradient"):
        plots.plot_gradient_histograms(model)

"""micrograd's moons demo: an MLP 2-16-16-1 (ReLU) on 100 points of two moons,
max-margin (hinge) loss mean(relu(1 - y * score)) + 1e-4 * sum(p^2), SGD with
lr = 1 - 0.9 k / 100: one full training step (full batch).

gradtable, numpy (hand backward) and torch train it vectorised, on (100, 2)
arrays; micrograd trains it as in its demo, one scalar Value per number.
"""
import numpy as np

from .. import numpy_ref as npr
from ..common import Row, import_micrograd, import_torch, measure

SIDES = ("gradtable", "numpy", "torch", "micrograd")
NAME = "moons"
TITLE = "micrograd's moons demo: MLP 2-16-16-1, 100 points, hinge loss, one step"
ALPHA = 1e-4


def make_moons(n, noise=0.1, seed=0):
    """Two interleaving half circles with Gaussian noise; labels -1 and +1."""
    rng = np.random.default_rng(seed)
    n1 = n // 2
    n2 = n - n1
    t1 = np.linspace(0, np.pi, n1)
    t2 = np.linspace(0, np.pi, n2)
    a = np.stack([np.cos(t1), np.sin(t1)], 1)
    b = np.stack([1 - np.cos(t2), 0.5 - np.sin(t2)], 1)
    x = np.concatenate([a, b]) + rng.normal(0, noise, (n, 2))
    y = np.concatenate([-np.ones(n1), np.ones(n2)])
    return x.astype(np.float32), y.astype(np.float32)


def numpy_step(params, x, y, lr):
    (w1, b1), (w2, b2), (w3, b3) = params
    z1 = x @ w1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2.T + b2
    a2 = np.maximum(z2, 0)
    s = (a2 @ w3.T + b3)[:, 0]
    margin = 1 - y * s
    data_loss = np.maximum(margin, 0).mean()
    reg = ALPHA * sum((w * w).sum() + (b * b).sum() for w, b in params)
    gs = (-(y * (margin > 0)) / len(y))[:, None]
    gw3, gb3 = gs.T @ a2, gs.sum(0)
    g = (gs @ w3) * (z2 > 0)
    gw2, gb2 = g.T @ a1, g.sum(0)
    g = (g @ w2) * (z1 > 0)
    gw1, gb1 = g.T @ x, g.sum(0)
    for (w, b), (gw, gb) in zip(params, [(gw1, gb1), (gw2, gb2), (gw3, gb3)]):
        w -= lr * (gw + 2 * ALPHA * w)
        b -= lr * (gb + 2 * ALPHA * b)
    return data_loss + reg


def run(cfg):
    n_pts = cfg.n(100, 10)
    reps, warm = cfg.reps(30, 3), cfg.warm(3, 1)
    row = Row(f"moons MLP 2-16-16-1, {n_pts} points, training step", "ms")
    x, y = make_moons(n_pts)
    rng = np.random.default_rng(1)
    weights = [npr.init_linear(rng, a, b) for a, b in [(2, 16), (16, 16), (16, 1)]]
    lr = 0.5

    def fresh():
        return [(w.copy(), b.copy()) for w, b in weights]

    if "numpy" in cfg.sides:
        params = fresh()
        measure(row, "numpy", lambda: numpy_step(params, x, y, lr), reps, warm, 1e3)
    if "gradtable" in cfg.sides:
        import autograd as ag

        ps = [ag.Tensor(a, requires_grad=True) for wb in fresh() for a in wb]
        xt, yt = ag.Tensor(x), ag.Tensor(y)

        def gt_step():
            w1, b1, w2, b2, w3, b3 = ps
            h = ag.relu(xt @ w1.T + b1)
            h = ag.relu(h @ w2.T + b2)
            s = (h @ w3.T + b3).reshape(-1)
            loss = ag.relu(1 - yt * s).mean() + ALPHA * sum((p * p).sum() for p in ps)
            loss.backward()
            for p in ps:
                p.array -= lr * p.grad.array
                p.grad = None
            return loss
        measure(row, "gradtable", gt_step, reps, warm, 1e3)
    if "micrograd" in cfg.sides:
        Value, label = import_micrograd()
        mg = [[[Value(float(v)) for v in r] for r in w] + [[Value(float(v)) for v in b]]
              for w, b in fresh()]
        flat = [v for layer in mg for r in layer for v in r]
        xs = [[Value(float(a)) for a in r] for r in x]
        ys = [float(t) for t in y]

        def mg_step():
            scores = []
            for xi in xs:
                h = xi
                for k, layer in enumerate(mg):
                    ws, bs = layer[:-1], layer[-1]
                    # NOTE: micrograd's Neuron: sum((wi * xi for ...), b), ReLU except last
                    h = [sum((wi * hi for wi, hi in zip(wr, h)), b) for wr, b in zip(ws, bs)]
                    if k < len(mg) - 1:
                        h = [v.relu() for v in h]
                scores.append(h[0])
            losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
            loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in flat)
            for p in flat:
                p.grad = 0.0
            loss.backward()
            for p in flat:
                p.data -= lr * p.grad
            return loss
        measure(row, "micrograd", mg_step, cfg.reps(3, 1), 1, 1e3)
        row.note = f"micrograd column: {label}, scalar Values"
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        ps = [torch.tensor(a, requires_grad=True) for wb in fresh() for a in wb]
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        relu = torch.relu

        def t_step():
            w1, b1, w2, b2, w3, b3 = ps
            h = relu(xt @ w1.T + b1)
            h = relu(h @ w2.T + b2)
            s = (h @ w3.T + b3).reshape(-1)
            loss = relu(1 - yt * s).mean() + ALPHA * sum((p * p).sum() for p in ps)
            loss.backward()
            with torch.no_grad():
                for p in ps:
                    p -= lr * p.grad
                    p.grad = None
            return loss
        measure(row, "torch", t_step, reps, warm, 1e3)
    return [row]

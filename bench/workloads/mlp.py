"""MLP 784-256-256-10, ReLU, cross-entropy, SGD, batch 128: one full training step
(zero grad, forward, loss, backward, update)."""
import numpy as np

from .. import numpy_ref as npr
from ..common import Row, import_torch, measure

SIDES = ("gradtable", "numpy", "torch", "jax")
NAME = "mlp"
TITLE = "MLP 784-256-256-10 training step, batch 128"
LR = 0.01


def sizes(cfg):
    return cfg.n((784, 256, 256, 10), (64, 32, 32, 10)), cfg.n(128, 16)


def data(dims, batch, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, dims[0])).astype(np.float32)
    y = rng.integers(0, dims[-1], batch)
    weights = [npr.init_linear(rng, a, b) for a, b in zip(dims[:-1], dims[1:])]
    return x, y, weights


def copy_weights(weights):
    return [(w.copy(), b.copy()) for w, b in weights]


def run(cfg):
    dims, batch = sizes(cfg)
    reps, warm = cfg.reps(50, 3), cfg.warm(5, 1)
    row = Row(f"MLP {'-'.join(map(str, dims))} step, batch {batch}", "ms")
    x, y, weights = data(dims, batch)
    if "numpy" in cfg.sides:
        params = copy_weights(weights)
        measure(row, "numpy", lambda: npr.mlp_step(params, x, y, LR), reps, warm, 1e3)
    if "gradtable" in cfg.sides:
        import autograd as ag

        from ..gtside import MLP

        model = MLP(copy_weights(weights), lr=LR)
        xt, yt = ag.Tensor(x), ag.Tensor(y)
        measure(row, "gradtable", lambda: model.step(xt, yt), reps, warm, 1e3)
        row.note = f"gradtable: {model.variant}"
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        from .. import torchside as ts

        model = ts.mlp(torch, copy_weights(weights))
        xt, yt = ts.as_tensors(torch, x, y)
        measure(row, "torch", ts.train_step_fn(torch, model, xt, yt, LR), reps, warm, 1e3)
    from .. import jaxside

    jaxside.add_side(row, cfg, lambda jax: jaxside.mlp_step(jax, copy_weights(weights), x, y, LR),
                     reps, warm, 1e3)
    return [row]

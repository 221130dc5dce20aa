"""LeNet-style CNN on 1x28x28, batch 64: conv(1->6, 5x5, pad 2) + ReLU + maxpool 2 ->
conv(6->16, 5x5) + ReLU + maxpool 2 -> 120 -> 84 -> 10, cross-entropy, SGD: one full
training step."""
import numpy as np

from .. import numpy_ref as npr
from ..common import Row, import_torch, measure

SIDES = ("gradtable", "numpy", "torch", "jax")
NAME = "cnn"
TITLE = "LeNet-style CNN training step, 1x28x28, batch 64"
LR = 0.01


def run(cfg):
    batch = cfg.n(64, 4)
    reps, warm = cfg.reps(30, 3), cfg.warm(3, 1)
    row = Row(f"LeNet CNN step, batch {batch}", "ms")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    weights = npr.lenet_init(rng)

    def fresh():
        return [(w.copy(), b.copy()) for w, b in weights]

    if "numpy" in cfg.sides:
        params = fresh()
        measure(row, "numpy", lambda: npr.lenet_step(params, x, y, LR), reps, warm, 1e3)
    if "gradtable" in cfg.sides:
        import autograd as ag

        from ..gtside import LeNet

        model = LeNet(fresh(), lr=LR)
        xt, yt = ag.Tensor(x), ag.Tensor(y)
        measure(row, "gradtable", lambda: model.step(xt, yt), reps, warm, 1e3)
        row.note = f"gradtable: {model.variant}"
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        from .. import torchside as ts

        model = ts.lenet(torch, fresh())
        xt, yt = ts.as_tensors(torch, x, y)
        measure(row, "torch", ts.train_step_fn(torch, model, xt, yt, LR), reps, warm, 1e3)
    from .. import jaxside

    jaxside.add_side(row, cfg, lambda jax: jaxside.lenet_step(jax, fresh(), x, y, LR),
                     reps, warm, 1e3)
    return [row]

"""MaxPool2d(2) forward + backward alone, on the output shape of the conv
benchmark: (64, 16, 32, 32) -> (64, 16, 16, 16)."""
import numpy as np

from .. import numpy_ref as npr
from ..common import Row, import_torch, measure

SIDES = ("gradtable", "numpy", "torch")
NAME = "pool"
TITLE = "MaxPool2d(2) fwd+bwd on (64,16,32,32)"


def run(cfg):
    n, hw = cfg.n(64, 4), cfg.n(32, 8)
    reps, warm = cfg.reps(30, 3), cfg.warm(3, 1)
    row = Row(f"MaxPool2d(2), ({n},16,{hw},{hw}) fwd+bwd", "ms")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 16, hw, hw)).astype(np.float32)
    g = rng.standard_normal((n, 16, hw // 2, hw // 2)).astype(np.float32)

    if "numpy" in cfg.sides:
        def np_step():
            out, cache = npr.maxpool2_forward(x)
            return npr.maxpool2_backward(g, cache)
        measure(row, "numpy", np_step, reps, warm, 1e3)
    if "gradtable" in cfg.sides:
        import autograd as ag

        from ..gtside import max_pool2d

        xt = ag.Tensor(x.copy(), requires_grad=True)
        gt = ag.Tensor(g)

        def gt_step():
            xt.grad = None
            max_pool2d(xt).backward(gt)
        measure(row, "gradtable", gt_step, reps, warm, 1e3)
        row.note = "gradtable: nn.functional.max_pool2d"
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        xt = torch.tensor(x, requires_grad=True)
        gt = torch.from_numpy(g)
        pool = torch.nn.functional.max_pool2d

        def t_step():
            xt.grad = None
            pool(xt, 2).backward(gt)
        measure(row, "torch", t_step, reps, warm, 1e3)
    return [row]

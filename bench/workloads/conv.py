"""Conv2d(3->16, 3x3, pad 1) on (64, 3, 32, 32), forward + backward alone (gradients
for the input, the weight and the bias, from a fixed upstream gradient)."""
import numpy as np

from .. import numpy_ref as npr
from ..common import Row, import_torch, measure

SIDES = ("gradtable", "numpy", "torch")
NAME = "conv"
TITLE = "Conv2d(3->16, 3x3, pad 1) fwd+bwd on (64,3,32,32)"


def run(cfg):
    n, hw = cfg.n(64, 4), cfg.n(32, 8)
    reps, warm = cfg.reps(30, 3), cfg.warm(3, 1)
    row = Row(f"Conv2d 3->16 3x3 pad 1, ({n},3,{hw},{hw}) fwd+bwd", "ms")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 3, hw, hw)).astype(np.float32)
    w, b = npr.init_conv(rng, 3, 16, 3)
    g = rng.standard_normal((n, 16, hw, hw)).astype(np.float32)

    if "numpy" in cfg.sides:
        def np_step():
            out, cache = npr.conv2d_forward(x, w, b, 1)
            return npr.conv2d_backward(g, cache)
        measure(row, "numpy", np_step, reps, warm, 1e3)
    if "gradtable" in cfg.sides:
        import autograd as ag

        from ..gtside import conv2d

        xt = ag.Tensor(x.copy(), requires_grad=True)
        wt = ag.Tensor(w.copy(), requires_grad=True)
        bt = ag.Tensor(b.copy(), requires_grad=True)
        gt = ag.Tensor(g)

        def gt_step():
            xt.grad = wt.grad = bt.grad = None
            conv2d(xt, wt, bt, 1).backward(gt)
        measure(row, "gradtable", gt_step, reps, warm, 1e3)
        row.note = "gradtable: nn.functional.conv2d"
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        xt = torch.tensor(x, requires_grad=True)
        wt = torch.tensor(w, requires_grad=True)
        bt = torch.tensor(b, requires_grad=True)
        gt = torch.from_numpy(g)
        conv = torch.nn.functional.conv2d

        def t_step():
            xt.grad = wt.grad = bt.grad = None
            conv(xt, wt, bt, padding=1).backward(gt)
        measure(row, "torch", t_step, reps, warm, 1e3)
    return [row]

"""Elementwise activations and pooling on a large float32 tensor, forward + backward:
sigmoid, tanh, relu, gelu, avg_pool2d(2) and max_pool2d(2) on (256, 6, 28, 28) (d2l's
sigmoid LeNet's first feature map), given the output gradient. No Python overhead to
blame here: what counts is the passes over memory and the temporaries.

The numpy floor is the same forward and hand-derived backward written with in-place
ufuncs (one new buffer for the output and one for the gradient where it can be).
"""
import numpy as np

from ..common import Row, import_torch, measure

SIDES = ("gradtable", "numpy", "torch")
NAME = "elementwise"
TITLE = "activations and 2x2 pooling on (256,6,28,28) float32, fwd+bwd"


def _np_sigmoid(x, g):
    y = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1
    np.divide(1, y, out=y)
    r = np.subtract(1, y)
    r *= y
    r *= g
    return y, r


def _np_tanh(x, g):
    y = np.tanh(x)
    r = np.multiply(y, y)
    np.subtract(1, r, out=r)
    r *= g
    return y, r


def _np_relu(x, g):
    return np.maximum(x, 0), np.multiply(g, x > 0, dtype=g.dtype)


def _np_avg(x, g):
    y = np.add(x[..., 0::2, 0::2], x[..., 0::2, 1::2])
    y += x[..., 1::2, 0::2]
    y += x[..., 1::2, 1::2]
    y *= 0.25
    r = np.empty_like(x)
    q = g * np.float32(0.25)
    for a in (0, 1):
        for b in (0, 1):
            r[..., a::2, b::2] = q
    return y, r


def _np_max(x, g):
    win = x.reshape(x.shape[:-2] + (x.shape[-2] // 2, 2, x.shape[-1] // 2, 2))
    win = win.transpose(0, 1, 2, 4, 3, 5).reshape(x.shape[:-2] + (x.shape[-2] // 2, x.shape[-1] // 2, 4))
    idx = win.argmax(axis=-1)
    y = np.take_along_axis(win, idx[..., None], -1)[..., 0]
    r = np.zeros_like(x)
    for k in range(4):
        a, b = divmod(k, 2)
        r[..., a::2, b::2] = np.where(idx == k, g, 0)
    return y, r


def cases(F):
    """(name, gradtable fn, numpy fn, torch fn, pooled?)"""
    return [
        ("sigmoid", F.sigmoid, _np_sigmoid, "sigmoid", False),
        ("tanh", F.tanh, _np_tanh, "tanh", False),
        ("relu", F.relu, _np_relu, "relu", False),
        ("gelu", F.gelu, None, "gelu", False),
        ("avg_pool2d(2)", lambda x: F.avg_pool2d(x, 2), _np_avg, "avg_pool2d", True),
        ("max_pool2d(2)", lambda x: F.max_pool2d(x, 2), _np_max, "max_pool2d", True),
    ]


def run(cfg):
    shape = cfg.n((256, 6, 28, 28), (4, 6, 8, 8))
    reps, warm = cfg.reps(30, 3), cfg.warm(3, 1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    g_full = rng.standard_normal(shape).astype(np.float32)
    g_pool = rng.standard_normal(shape[:2] + (shape[2] // 2, shape[3] // 2)).astype(np.float32)
    sname = "x".join(map(str, shape))
    import nn.functional as F

    rows = []
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    for name, gfn, nfn, tname, pooled in cases(F):
        g = g_pool if pooled else g_full
        row = Row(f"{name} fwd+bwd, ({sname})", "ms")
        if "numpy" in cfg.sides and nfn is not None:
            measure(row, "numpy", lambda: nfn(x, g), reps, warm, 1e3)
        if "gradtable" in cfg.sides:
            import autograd as ag

            xa, ga = ag.Tensor(x.copy(), requires_grad=True), ag.Tensor(g)

            def gt_step():
                xa.grad = None
                gfn(xa).backward(ga)
            measure(row, "gradtable", gt_step, reps, warm, 1e3)
        if torch is not None:
            tf = getattr(torch.nn.functional, tname) if pooled or tname == "gelu" else getattr(torch, tname)
            xt, gt = torch.tensor(x, requires_grad=True), torch.from_numpy(g)

            def t_step():
                xt.grad = None
                (tf(xt, 2) if pooled else tf(xt)).backward(gt)
            measure(row, "torch", t_step, reps, warm, 1e3)
        rows.append(row)
    return rows

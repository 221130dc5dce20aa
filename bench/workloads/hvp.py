"""Higher order: a Hessian-vector product against a gradient on an MLP
(784-256-256-10, tanh, cross-entropy, batch 128), both including the forward.

gradtable: ag.grad(loss, params) against ag.functional.hvp(f, params, v).
torch: torch.autograd.grad against double backward (grad with create_graph, a dot
with v, grad again), the cheapest HVP torch offers; torch.autograd.functional.hvp
is reported on its own row. numpy: the gradient only (no hand HVP), so its HVP
cell is empty. The ratio row is HVP time / gradient time within each side.
"""
import numpy as np

from .. import numpy_ref as npr
from ..common import Row, import_torch, measure
from .mlp import data

SIDES = ("gradtable", "numpy", "torch")
NAME = "hvp"
TITLE = "Hessian-vector product vs gradient, MLP 784-256-256-10 tanh, batch 128"


def run(cfg):
    dims, batch = cfg.n((784, 256, 256, 10), (32, 16, 16, 10)), cfg.n(128, 8)
    reps, warm = cfg.reps(20, 3), cfg.warm(3, 1)
    label = f"MLP {'-'.join(map(str, dims))} tanh, batch {batch}"
    g_row = Row(f"{label}: gradient", "ms")
    h_row = Row(f"{label}: Hessian-vector product", "ms")
    r_row = Row(f"{label}: HVP / gradient", "x")
    x, y, weights = data(dims, batch)
    rng = np.random.default_rng(5)
    vs = [rng.standard_normal(a.shape).astype(np.float32) for wb in weights for a in wb]

    if "numpy" in cfg.sides:
        measure(g_row, "numpy", lambda: npr.mlp_loss_grad(weights, x, y, act="tanh"), reps, warm, 1e3)
    if "gradtable" in cfg.sides:
        import autograd as ag

        from ..gtside import MLP

        model = MLP(weights, act="tanh", use_nn=False)
        params = tuple(model.params)
        xt, yt = ag.Tensor(x), ag.Tensor(y)
        vt = tuple(ag.Tensor(v) for v in vs)

        def f(*ps):
            return model.loss(xt, yt, params=list(ps))

        measure(g_row, "gradtable", lambda: ag.grad(f(*params), params), reps, warm, 1e3)
        measure(h_row, "gradtable", lambda: ag.functional.hvp(f, params, vt), reps, warm, 1e3)
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        F = torch.nn.functional
        params = tuple(torch.tensor(a, requires_grad=True) for wb in weights for a in wb)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        vt = tuple(torch.from_numpy(v) for v in vs)

        def f(*ps):
            h = xt
            for i in range(0, len(ps), 2):
                h = F.linear(h, ps[i], ps[i + 1])
                if i + 2 < len(ps):
                    h = torch.tanh(h)
            return F.cross_entropy(h, yt)

        def t_hvp():
            gs = torch.autograd.grad(f(*params), params, create_graph=True)
            dot = sum((g * v).sum() for g, v in zip(gs, vt))
            return torch.autograd.grad(dot, params)

        measure(g_row, "torch", lambda: torch.autograd.grad(f(*params), params), reps, warm, 1e3)
        measure(h_row, "torch", t_hvp, reps, warm, 1e3)
        fh = Row(f"{label}: torch.autograd.functional.hvp", "ms",
                 note="reference only: torch's functional hvp (double-vjp trick)")
        measure(fh, "torch", lambda: torch.autograd.functional.hvp(f, params, vt), reps, warm, 1e3)
    for side in ("gradtable", "torch"):
        if side in h_row.values and side in g_row.values:
            r_row.values[side] = h_row.values[side] / g_row.values[side]
    rows = [g_row, h_row, r_row]
    if torch is not None:
        rows.append(fh)
    return rows

"""Where the elementwise activations' time goes on (256, 6, 28, 28) float32, 1 thread:
each numpy pass of gradtable's sigmoid / relu kernels on its own, the GELU kernel
(forward with dy/dx, and the backward multiply), gradtable's full fwd+bwd through the
engine, and torch's forward and fwd+bwd. Thread CPU time, min over interleaved rounds."""
import sys, time
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag, nn.functional as F
from autograd.ops import elementwise as E, special as S
rng = np.random.default_rng(0)
x = rng.standard_normal((256, 6, 28, 28)).astype(np.float32); g = rng.standard_normal(x.shape).astype(np.float32)
e, o, b = np.empty_like(x), np.empty_like(x), np.empty(x.shape, bool)
y = 1 / (1 + np.exp(-x)); xa, ga = ag.Tensor(x.copy(), requires_grad=True), ag.Tensor(g)
np.seterr(all="ignore")
def gt(f):
    def step():
        xa.grad = None
        f(xa).backward(ga)
    return step
cases = {
    "sigmoid fwd: -x": lambda: np.negative(x, out=e), "sigmoid fwd: expm1": lambda: np.expm1(e, out=e),
    "sigmoid fwd: (exp instead)": lambda: np.exp(x, out=o),
    "sigmoid fwd: += 2": lambda: np.add(e, 2, out=e), "sigmoid fwd: 1 / e": lambda: np.divide(1, e, out=e),
    "sigmoid bwd: 1 - y": lambda: np.subtract(1, y, out=o), "sigmoid bwd: *= y": lambda: np.multiply(o, y, out=o),
    "sigmoid bwd: *= g": lambda: np.multiply(o, g, out=o),
    "relu fwd: max(x, 0) rows": lambda: E._max0_rows(x),
    "relu bwd: x > 0": lambda: np.greater(x, 0, out=b), "relu bwd: bool -> float": lambda: np.copyto(o, b),
    "relu bwd: *= g": lambda: np.multiply(o, g, out=o),
    "gelu fwd (y and dy/dx)": lambda: S._gelu32(x), "gelu bwd: g * dy/dx": lambda: np.multiply(g, y, out=o),
    "gradtable sigmoid fwd+bwd": gt(F.sigmoid), "gradtable relu fwd+bwd": gt(F.relu), "gradtable gelu fwd+bwd": gt(F.gelu),
}
try:
    import torch
    torch.set_num_threads(1)
    xt, gt_ = torch.tensor(x, requires_grad=True), torch.from_numpy(g)
    for name, f in (("sigmoid", torch.sigmoid), ("relu", torch.relu), ("gelu", torch.nn.functional.gelu)):
        cases[f"torch {name} fwd"] = lambda f=f: f(xt)
        def tstep(f=f):
            xt.grad = None
            f(xt).backward(gt_)
        cases[f"torch {name} fwd+bwd"] = tstep
except ImportError:
    pass
res = {k: [] for k in cases}
for r in range(15):
    for k, f in cases.items():
        f()
        t0 = time.thread_time(); f(); res[k].append(time.thread_time() - t0)
for k, v in res.items():
    print(f"{k:30s} {min(v) * 1e3:7.3f} ms")

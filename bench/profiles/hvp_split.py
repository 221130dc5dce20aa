"""HVP / gradient of the hvp workload with the calls alternated in one process (CPU
clock, medians), each split into BLAS (np.matmul) time and the rest, and per phase of
the HVP: forward, first pass (create_graph), second pass."""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag
import autograd.functional as AF
import autograd.ops.linalg as L
from autograd.ops.raw import RAW
from bench.gtside import MLP
from bench.workloads.mlp import data
x, y, w = data((784, 256, 256, 10), 128)
model = MLP(w, act="tanh", use_nn=False)
params = tuple(model.params)
xt, yt = ag.Tensor(x), ag.Tensor(y)
rng = np.random.default_rng(5)
vt = tuple(ag.Tensor(rng.standard_normal(p.shape).astype(np.float32)) for p in params)
acc = {}
_mm, _grad, _clock = np.matmul, AF.grad, time.process_time


def timed(key, fn):
    def run(*a, **k):
        t0 = _clock(); r = fn(*a, **k); acc[key] = acc.get(key, 0.0) + _clock() - t0; return r
    return run


L.np = type("np_matmul_timed", (), {"matmul": staticmethod(timed("blas", _mm))})
RAW.matmul = staticmethod(timed("blas", _mm))
AF.grad = lambda *a, **k: timed("pass 1" if k.get("create_graph") else "pass 2", _grad)(*a, **k)
f = timed("forward", lambda *ps: model.loss(xt, yt, params=list(ps)))


def sample(fn):
    acc.clear(); t0 = _clock(); fn(); return dict(acc, total=_clock() - t0)


G = lambda: ag.grad(f(*params), params)
H = lambda: AF.hvp(f, params, vt)
for _ in range(5): G(); H()
gs, hs = [], []
for _ in range(80):
    gs.append(sample(G)); hs.append(sample(H))
med = lambda ss, k: np.median([s.get(k, 0.0) for s in ss]) * 1e3
g, h = med(gs, "total"), med(hs, "total")
print("gradient %.2f ms (BLAS %.2f) | HVP %.2f ms (BLAS %.2f) | HVP/gradient %.2f, BLAS alone %.2f"
      % (g, med(gs, "blas"), h, med(hs, "blas"), h / g, med(hs, "blas") / med(gs, "blas")))
print("HVP phases (ms, BLAS inside each not separated): " + ", ".join(
    "%s %.2f" % (k, med(hs, k)) for k in ("forward", "pass 1", "pass 2")))

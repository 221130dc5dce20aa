"""HVP and gradient of the hvp workload's MLP: CPU time and minor page faults per call."""
import os, resource, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag
from bench.gtside import MLP
from bench.workloads.mlp import data
x, y, w = data((784, 256, 256, 10), 128)
model = MLP(w, act="tanh", use_nn=False)
params = tuple(model.params)
xt, yt = ag.Tensor(x), ag.Tensor(y)
rng = np.random.default_rng(5)
vt = tuple(ag.Tensor(rng.standard_normal(p.shape).astype(np.float32)) for p in params)
f = lambda *ps: model.loss(xt, yt, params=list(ps))
def med(fn, n=30):
    for _ in range(3): fn()
    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt; ts = []
    for _ in range(n):
        t0 = time.process_time(); fn(); ts.append(time.process_time() - t0)
    return np.median(ts) * 1e3, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0) / n
g = med(lambda: ag.grad(f(*params), params)); h = med(lambda: ag.functional.hvp(f, params, vt))
print('gradient %.2f ms (%d faults/call) | hvp %.2f ms (%d faults/call) | ratio %.2f' % (*g, *h, h[0] / g[0]))
if "--profile" in sys.argv:
    import cProfile, pstats
    pr = cProfile.Profile(time.process_time); pr.enable()
    for _ in range(30): ag.functional.hvp(f, params, vt)
    pr.disable(); pstats.Stats(pr).sort_stats('tottime').print_stats(14)

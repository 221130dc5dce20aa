import sys, time, resource
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag
from bench import numpy_ref as npr
from bench.gtside import MLP, LeNet
from bench.workloads.mlp import data
def med(f, n=100):
    for _ in range(5): f()
    ts = []
    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(n):
        t0 = time.process_time(); f(); ts.append(time.process_time() - t0)
    return np.median(ts) * 1e3, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0) / n
x, y, w = data((784, 256, 256, 10), 128)
cp = lambda w: [(a.copy(), b.copy()) for a, b in w]
m = MLP(cp(w)); xt, yt = ag.Tensor(x), ag.Tensor(y); W = cp(w)
rng = np.random.default_rng(0)
xc = rng.standard_normal((64, 1, 28, 28)).astype(np.float32); yc = rng.integers(0, 10, 64); ws = npr.lenet_init(rng)
L = LeNet(cp(ws)); xct, yct = ag.Tensor(xc), ag.Tensor(yc); WL = cp(ws)
print('MLP gt %.2f ms (%d faults) numpy %.2f ms (%d faults) | LeNet gt %.2f ms (%d faults) numpy %.2f ms (%d faults)' % (
    *med(lambda: m.step(xt, yt)), *med(lambda: npr.mlp_step(W, x, y, 0.01)),
    *med(lambda: L.step(xct, yct), 30), *med(lambda: npr.lenet_step(WL, xc, yc, 0.01), 30)))

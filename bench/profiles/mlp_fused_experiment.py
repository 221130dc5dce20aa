"""Experiment (not part of the library): what a fused linear primitive and a fused
cross-entropy primitive would save on the MLP step, registered from outside."""
import sys, time
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag
from autograd.ops.registry import primitive
from bench import numpy_ref as npr
from bench.gtside import MLP
from bench.workloads.mlp import data

@primitive("x_linear")
def linear(x, w, b):
    out = x @ w.T
    out += b
    return out

@linear.defvjp
def _(F, n, g, out, x, w, b):
    a, _, _ = n.inputs
    return (F.matmul(g, w) if a._rg else None, F.matmul(F.swapaxes(g, 0, 1), x), F.sum(g, axis=0))

@primitive("x_relu")
def relu(x):
    return np.maximum(x, 0)

@relu.defvjp
def _(F, n, g, out, x):
    # the incoming g is a fresh buffer owned by the engine: zero it in place
    g[out <= 0] = 0
    return (g,)

@primitive("x_ce", saves=True)
def ce(z, y):
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(z.shape[0])
    loss = -(z[rows, y] - m[:, 0] - np.log(s[:, 0])).mean()
    p = e / s
    return np.asarray(loss, dtype=z.dtype), p

@ce.defvjp
def _(F, n, g, out, z, y):
    p = n.saved.copy()
    p[np.arange(p.shape[0]), y] -= 1
    p *= g / p.shape[0]
    return (p, None)

x, y, w = data((784, 256, 256, 10), 128)
cp = lambda w: [(a.copy(), b.copy()) for a, b in w]
xt, yt = ag.Tensor(x), ag.Tensor(y)
m = MLP(cp(w))
ps = [ag.Tensor(a, requires_grad=True) for wb in cp(w) for a in wb]
def fused_step():
    h = xt
    for i in range(0, 6, 2):
        h = linear(h, ps[i], ps[i + 1])
        if i < 4: h = relu(h)
    loss = ce(h, yt)
    loss.backward()
    for p in ps:
        p.array -= 0.01 * p.grad.array
        p.grad = None
    return loss
W = cp(w)
print([float(fused_step().array) for _ in range(2)], [float(npr.mlp_step(cp(w), x, y, 0.01))])
def med(f, n=200):
    for _ in range(10): f()
    ts = []
    for _ in range(n):
        t0 = time.process_time(); f(); ts.append(time.process_time() - t0)
    return np.median(ts) * 1e3
for _ in range(2):
    print('nn+optim step %.2f ms | fused linear+relu+CE step %.2f ms | numpy floor %.2f ms' % (
        med(lambda: m.step(xt, yt)), med(fused_step), med(lambda: npr.mlp_step(W, x, y, 0.01))))
import cProfile, pstats
pr = cProfile.Profile(time.process_time); pr.enable()
for _ in range(300): fused_step()
pr.disable(); pstats.Stats(pr).sort_stats('tottime').print_stats(15)
pr = cProfile.Profile(time.process_time); pr.enable()
for _ in range(300): npr.mlp_step(W, x, y, 0.01)
pr.disable(); pstats.Stats(pr).sort_stats('tottime').print_stats(8)

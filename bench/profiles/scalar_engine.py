"""Experiment: how fast can the engine's backward of the 100k-node scalar graph be
when 0-d values travel as Python floats? Uses the library's own nodes and its own
VJP rules (tanh, mul, add are plain arithmetic, so they accept floats); only the
loop is re-written here, leaner. Not part of the library."""
import gc, sys, time
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag
from autograd.ops.registry import REGISTRY
from bench.workloads import scalar as S
from micrograd.engine import Value
sys.setrecursionlimit(100000)

def proto_backward(root, item=True):
    deps = {}
    stack = [root]
    while stack:
        for p in stack.pop().grad_fn.inputs:
            if p._rg:
                c = deps.get(p)
                if c is None:
                    deps[p] = 1
                    if p.grad_fn is not None:
                        stack.append(p)
                else:
                    deps[p] = c + 1
    grads = {root: 1.0}
    ready = [root]
    while ready:
        t = ready.pop()
        g = grads.pop(t)
        node = t.grad_fn
        if node is None:
            t.grad = g
            continue
        ins = node.inputs
        gins = node.op.vjp(None, node, g, t.array.item(), *[x.array.item() for x in ins])
        for p, gp in zip(ins, gins):
            if gp is None or not p._rg:
                continue
            if p in grads:
                grads[p] += gp
            else:
                grads[p] = gp
            n = deps[p] - 1
            deps[p] = n
            if n == 0:
                ready.append(p)

x0 = S.leaves(100)
xs = [ag.tensor(v, requires_grad=True, dtype='float64') for v in x0]
mg = [Value(v) for v in x0]; tanh = S._micrograd_tanh(Value)
def cpu(f):
    t0 = time.process_time(); f(); return time.process_time() - t0
def best(make, back, n=5):
    r = []
    for _ in range(n):
        o = make(); r.append(cpu(lambda: back(o))); del o
    return min(r) * 1e3
for xs_ in [xs]:
    for x in xs_: x.grad = None
base = best(lambda: S.build(xs, ag.tanh, 333), lambda o: o.backward())
proto = best(lambda: S.build(xs, ag.tanh, 333), proto_backward)
o = S.build(xs, ag.tanh, 333); proto_backward(o); gp = np.array([x.grad for x in xs])
for x in xs: x.grad = None
o = S.build(xs, ag.tanh, 333); o.backward(); ge = np.array([x.grad.item() for x in xs])
micro = best(lambda: S.build(mg, tanh, 333), lambda o: o.backward())
# engine alone: VJPs replaced by pass-through (accumulation adds remain)
saved = {k: REGISTRY[k].vjp for k in ('mul', 'tanh')}
REGISTRY['mul'].vjp = lambda F, n, g, out, x, y: (g, g)
REGISTRY['tanh'].vjp = lambda F, n, g, out, x: (g,)
trivial = best(lambda: S.build(xs, ag.tanh, 333), lambda o: o.backward())
for k, v in saved.items(): REGISTRY[k].vjp = v
print('100,099-node scalar graph, backward only, CPU ms (best of 5):')
print(f'  gradtable engine as is            {base:7.1f}')
print(f'  same engine, VJPs made trivial    {trivial:7.1f}   (engine bookkeeping + 0-d accumulation adds)')
print(f'  lean loop, Python floats          {proto:7.1f}   (same nodes, same VJP rules; max |diff| {np.abs(gp - ge).max():.1e})')
print(f'  micrograd                         {micro:7.1f}')

def count_only(root):
    deps = {}
    stack = [root]
    while stack:
        for p in stack.pop().grad_fn.inputs:
            if p._rg:
                c = deps.get(p)
                if c is None:
                    deps[p] = 1
                    if p.grad_fn is not None:
                        stack.append(p)
                else:
                    deps[p] = c + 1
    return deps
def items_only(root):
    # the .item() conversions the float loop does, alone
    stack = [root]; seen = set()
    while stack:
        t = stack.pop()
        t.array.item()
        for p in t.grad_fn.inputs:
            p.array.item()
            if p.grad_fn is not None and p not in seen:
                seen.add(p); stack.append(p)
print(f'  of which: consumer count sweep    {best(lambda: S.build(xs, ag.tanh, 333), count_only):7.1f}')
print(f'  .item() conversions (+ a walk)    {best(lambda: S.build(xs, ag.tanh, 333), items_only):7.1f}')
gc.disable()
print(f'  lean loop, gc off                 {best(lambda: S.build(xs, ag.tanh, 333), proto_backward):7.1f}')
print(f'  micrograd, gc off                 {best(lambda: S.build(mg, tanh, 333), lambda o: o.backward()):7.1f}')

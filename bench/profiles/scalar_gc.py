import gc, sys, time
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import autograd as ag
from bench.workloads import scalar as S
from micrograd.engine import Value
sys.setrecursionlimit(100000)
x0 = S.leaves(100)
xs = [ag.tensor(v, requires_grad=True) for v in x0]
mg = [Value(v) for v in x0]; tanh = S._micrograd_tanh(Value)
def run(label, make, n=3):
    bs, ks = [], []
    for _ in range(n):
        t0 = time.process_time(); o = make(); t1 = time.process_time(); o.backward(); t2 = time.process_time()
        bs.append(t1 - t0); ks.append(t2 - t1); del o
    print(f"{label:28s} build {min(bs):.3f}s  backward {min(ks):.3f}s")
for on in (True, False):
    (gc.enable if on else gc.disable)()
    run(f"gradtable gc={'on' if on else 'off'}", lambda: S.build(xs, ag.tanh, 333))
    run(f"micrograd gc={'on' if on else 'off'}", lambda: S.build(mg, tanh, 333))
gc.enable()
print(gc.get_threshold())

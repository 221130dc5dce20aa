import cProfile, pstats, sys, time
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag
from bench import numpy_ref as npr
from bench.gtside import LeNet
rng = np.random.default_rng(0)
x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32); y = rng.integers(0, 10, 64)
ws = npr.lenet_init(rng)
m = LeNet([(a.copy(), b.copy()) for a, b in ws]); xt, yt = ag.Tensor(x), ag.Tensor(y)
print(m.variant)
def med(f, n=40):
    for _ in range(3): f()
    ts = []
    for _ in range(n):
        t0 = time.process_time(); f(); ts.append(time.process_time() - t0)
    return np.median(ts) * 1e3
W = [(a.copy(), b.copy()) for a, b in ws]
print('gradtable %.2f ms  numpy %.2f ms' % (med(lambda: m.step(xt, yt)), med(lambda: npr.lenet_step(W, x, y, 0.01))))
pf = cProfile.Profile(time.process_time); pb = cProfile.Profile(time.process_time)
for _ in range(40):
    m.opt.zero_grad()
    pf.enable(); loss = m.loss(xt, yt); pf.disable()
    pb.enable(); loss.backward(); pb.disable()
    m.opt.step()
for name, p in (('FORWARD', pf), ('BACKWARD', pb)):
    print('=====', name); pstats.Stats(p).sort_stats('tottime').print_stats(14)
pr = cProfile.Profile(time.process_time); pr.enable()
for _ in range(40): npr.lenet_step(W, x, y, 0.01)
pr.disable(); print('===== NUMPY'); pstats.Stats(pr).sort_stats('tottime').print_stats(10)

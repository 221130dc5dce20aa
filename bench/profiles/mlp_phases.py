import cProfile, pstats, sys, time
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag
from bench.gtside import MLP
from bench.workloads.mlp import data
x, y, w = data((784, 256, 256, 10), 128)
m = MLP([(a.copy(), b.copy()) for a, b in w]); xt, yt = ag.Tensor(x), ag.Tensor(y)
for _ in range(10): m.step(xt, yt)
pf = cProfile.Profile(time.process_time); pb = cProfile.Profile(time.process_time); ps = cProfile.Profile(time.process_time)
for _ in range(300):
    m.opt.zero_grad()
    pf.enable(); loss = m.loss(xt, yt); pf.disable()
    pb.enable(); loss.backward(); pb.disable()
    ps.enable(); m.opt.step(); ps.disable()
for name, p in (('FORWARD', pf), ('BACKWARD', pb), ('STEP', ps)):
    print('=====', name)
    pstats.Stats(p).sort_stats('tottime').print_stats(12)

import sys
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
from line_profiler import LineProfiler
import autograd as ag
from autograd import engine
from autograd.ops import registry
from bench.workloads.perop import chain_step, _data
x0, y0 = _data((10, 10))
x = ag.Tensor(x0.copy(), requires_grad=True); y = ag.Tensor(y0.copy(), requires_grad=True)
lp = LineProfiler(engine.run_backward, registry.Op.__call__, engine._consumer_counts)
for _ in range(10): chain_step(ag, x, y, 200)
lp.enable()
for _ in range(100): chain_step(ag, x, y, 200)
lp.disable()
lp.print_stats(stripzeros=True)

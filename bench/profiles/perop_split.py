import sys, time
sys.path.insert(0, __import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '..', '..'))
import numpy as np, autograd as ag, torch
torch.set_num_threads(1)
from bench.workloads.perop import _data, numpy_forward
x0, y0 = _data((10, 10))
x = ag.Tensor(x0.copy(), requires_grad=True); y = ag.Tensor(y0.copy(), requires_grad=True)
def fwd(x, y, tanh=ag.tanh, exp=ag.exp):
    h = x
    for i in range(200):
        k = i & 3
        if k == 0: h = h + y
        elif k == 1: h = h * y
        elif k == 2: h = tanh(h)
        else: h = exp(h)
    return h.sum()
def t(f, n=300):
    ts=[]
    for _ in range(n):
        t0=time.process_time(); f(); ts.append(time.process_time()-t0)
    return np.median(ts)/200*1e6
def fb():
    x.grad=y.grad=None; fwd(x,y).backward()
def nog():
    with ag.no_grad(): fwd(x,y)
outs=[]
def fonly(): outs.append(fwd(x,y))
xt=torch.tensor(x0,requires_grad=True); yt=torch.tensor(y0,requires_grad=True)
def tfb():
    xt.grad=yt.grad=None; fwd(xt,yt,torch.tanh,torch.exp).backward()
for r in range(2):
    print('numpy fwd %.2f  gt no_grad fwd %.2f  gt recorded fwd %.2f  gt fwd+bwd %.2f  torch fwd+bwd %.2f us/op' % (
        t(lambda: numpy_forward(x0,y0,200)), t(nog), t(fonly), t(fb), t(tfb)))
    outs.clear()

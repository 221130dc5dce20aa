"""Per-op overhead: a chain of mixed elementwise ops (add, mul, tanh, exp) on 10x10
float32 tensors, forward + backward, in microseconds per op.

The chain repeats h = h + y; h = h * y; h = tanh(h); h = exp(h), which keeps values
bounded (|y| < 1), then sums to a scalar and back-propagates to x and y. The numpy
floor is the bare forward in numpy (the issue's 0.9 us per op); the hand-written
forward + backward in numpy is reported as a second row for reference.
"""
import numpy as np

from ..common import Row, measure

SIDES = ("gradtable", "numpy", "torch", "jax")
NAME = "perop"
TITLE = "per-op overhead, 200 mixed elementwise ops on 10x10, fwd+bwd"


def _data(shape):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    y = rng.uniform(-0.9, 0.9, shape).astype(np.float32)
    return x, y


def numpy_forward(x, y, n_ops):
    h = x
    for i in range(n_ops):
        k = i & 3
        if k == 0:
            h = h + y
        elif k == 1:
            h = h * y
        elif k == 2:
            h = np.tanh(h)
        else:
            h = np.exp(h)
    return h.sum()


def numpy_forward_backward(x, y, n_ops):
    """The same chain with its backward derived by hand (what each VJP computes)."""
    h = x
    saved = []
    for i in range(n_ops):
        k = i & 3
        if k == 0:
            h = h + y
            saved.append(None)
        elif k == 1:
            saved.append(h)
            h = h * y
        elif k == 2:
            h = np.tanh(h)
            saved.append(h)
        else:
            h = np.exp(h)
            saved.append(h)
    loss = h.sum()
    g = np.ones_like(h)
    gy = np.zeros_like(y)
    for i in range(n_ops - 1, -1, -1):
        k = i & 3
        s = saved[i]
        if k == 0:
            gy += g
        elif k == 1:
            gy += g * s
            g = g * y
        elif k == 2:
            g = g * (1 - s * s)
        else:
            g = g * s
    return loss, g, gy


def chain_step(ns, x, y, n_ops):
    """One forward + backward of the 200-op chain, in namespace ``ns`` (autograd or
    torch: both spell tanh and exp the same way)."""
    x.grad = None
    y.grad = None
    h = x
    for i in range(n_ops):
        k = i & 3
        if k == 0:
            h = h + y
        elif k == 1:
            h = h * y
        elif k == 2:
            h = ns.tanh(h)
        else:
            h = ns.exp(h)
    h.sum().backward()


def run(cfg):
    from ..common import import_torch

    n_ops = cfg.n(200, 20)
    shape = (10, 10)
    reps, warm = cfg.reps(30, 3), cfg.warm(5, 1)
    us = 1e6 / n_ops
    row = Row(f"per-op fwd+bwd ({n_ops} ops, 10x10)", "us/op")
    ref = Row(f"per-op, numpy hand fwd+bwd ({n_ops} ops)", "us/op",
              note="numpy column: forward and hand-derived backward")
    x0, y0 = _data(shape)
    if "numpy" in cfg.sides:
        measure(row, "numpy", lambda: numpy_forward(x0, y0, n_ops), reps, warm, us)
        measure(ref, "numpy", lambda: numpy_forward_backward(x0, y0, n_ops), reps, warm, us)
    if "gradtable" in cfg.sides:
        import autograd as ag

        x = ag.Tensor(x0.copy(), requires_grad=True)
        y = ag.Tensor(y0.copy(), requires_grad=True)
        measure(row, "gradtable", lambda: chain_step(ag, x, y, n_ops), reps, warm, us)
        ref.values["gradtable"] = row.values["gradtable"]
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        x = torch.tensor(x0, requires_grad=True)
        y = torch.tensor(y0, requires_grad=True)
        measure(row, "torch", lambda: chain_step(torch, x, y, n_ops), reps, warm, us)
        ref.values["torch"] = row.values["torch"]
    from .. import jaxside

    jaxside.add_side(row, cfg, lambda jax: jaxside.chain_fn(jax, x0, y0, n_ops), reps, warm, us,
                     note="jax: the whole chain jit-compiled into fused loops (no per-op dispatch)")
    if "jax" in row.values:
        ref.values["jax"] = row.values["jax"]
    return [row, ref]

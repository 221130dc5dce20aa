"""Measurements that need a process of their own, so that peak resident memory is
one side's alone: ``python -m bench.probe KIND SIDE 'JSON args'`` prints one JSON
line. Only the side's own library is imported (torch's libraries alone take
hundreds of MB and must not be charged to numpy or gradtable).
"""
import json
import sys

from .common import now, peak_rss_mb, rss_mb, set_clock


def depth(side, n, threads=1, clock="wall"):
    set_clock(clock)
    """Build a chain h = tanh(h) of ``n`` nodes from a 0-d leaf, then backward."""
    if side == "gradtable":
        import autograd as ag

        x = ag.tensor(0.5, requires_grad=True)
        tanh = ag.tanh

        def run_backward(h):
            h.backward()
            return float(x.grad.item())
    elif side == "torch":
        import torch

        torch.set_num_threads(threads)
        x = torch.tensor(0.5, requires_grad=True)
        tanh = torch.tanh

        def run_backward(h):
            h.backward()
            return float(x.grad.item())
    elif side == "numpy":  # the floor: Python floats, hand backward
        import math

        x = 0.5
        vals = []

        def tanh(h):
            t = math.tanh(h)
            vals.append(t)
            return t

        def run_backward(h):
            g = 1.0
            for t in reversed(vals):
                g *= 1 - t * t
            return g
    else:
        raise ValueError(side)
    base = rss_mb()
    t0 = now()
    h = x
    for _ in range(n):
        h = tanh(h)
    t1 = now()
    peak_build = peak_rss_mb()
    g = run_backward(h)
    t2 = now()
    return {"build_s": t1 - t0, "backward_s": t2 - t1, "base_mb": base,
            "peak_build_mb": peak_build, "peak_mb": peak_rss_mb(), "grad": g}


def memory(side, steps, dims, batch, threads=1, clock="wall"):
    set_clock(clock)
    """Train the MLP for ``steps`` steps; RSS at step 10 and at the end, and the peak."""
    import numpy as np

    from .workloads.mlp import data

    x, y, weights = data(tuple(dims), batch)
    if side == "numpy":
        from . import numpy_ref as npr

        def step():
            npr.mlp_step(weights, x, y, 0.01)
    elif side == "gradtable":
        import autograd as ag

        from .gtside import MLP

        model = MLP(weights)
        xt, yt = ag.Tensor(x), ag.Tensor(y)

        def step():
            model.step(xt, yt)
    elif side == "torch":
        import torch

        from . import torchside as ts

        torch.set_num_threads(threads)
        model = ts.mlp(torch, weights)
        xt, yt = ts.as_tensors(torch, x, y)
        step = ts.train_step_fn(torch, model, xt, yt)
    else:
        raise ValueError(side)
    if side != "numpy":
        # NOTE: every side holds one copy of the weights: the numpy floor trains the given
        # arrays in place, gradtable and torch have copied them into their layers
        weights = None  # noqa: F841
    base = rss_mb()
    at10 = None
    t0 = now()
    for i in range(1, steps + 1):
        step()
        if i == min(10, steps):
            at10 = rss_mb()
    t = now() - t0
    return {"base_mb": base, "rss10_mb": at10, "rss_end_mb": rss_mb(),
            "peak_mb": peak_rss_mb(), "seconds": t, "steps": steps,
            "variant": getattr(locals().get("model"), "variant", side)}


def main():
    kind, side, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    out = {"depth": depth, "memory": memory}[kind](side, **args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

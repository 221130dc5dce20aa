"""Scalar graphs: build and backward of a ~100,000-node graph of 0-d values mixing
+, * and tanh.

W leaves feed L layers; each layer computes, for every i,
    v'[i] = tanh(v[i] * v[i+1] + v[i+2])      (indices mod W)
which is three nodes per element, then the last layer is summed to a scalar. With
W = 100 and L = 333 the graph has 100,099 nodes and depth ~1,100, wide enough to
be realistic (an MLP's scalar graph) and deep enough to exercise the engine.

Sides: gradtable (0-d Tensors), micrograd (Python-float Values; the published
package if installed, else bench/scalar_ref.py, labelled "micrograd-style"), torch
(0-d tensors) and, in the numpy column, the floor for scalar code: the same
forward and its hand-derived backward on Python floats.
"""
import math
import statistics
import sys

import numpy as np

from ..common import Row, import_micrograd, import_torch, now

SIDES = ("gradtable", "numpy", "torch", "micrograd")
NAME = "scalar"
TITLE = "scalar graph of 100,000 0-d nodes (+, *, tanh): build and backward"


def shape(cfg):
    return cfg.n(100, 10), cfg.n(333, 10)


def leaves(width):
    return np.random.default_rng(0).uniform(-1, 1, width).tolist()


def build(v, tanh, layers):
    w = len(v)
    for _ in range(layers):
        v = [tanh(v[i] * v[(i + 1) % w] + v[(i + 2) % w]) for i in range(w)]
    s = v[0]
    for t in v[1:]:
        s = s + t
    return s


def node_count(width, layers):
    return width + 3 * width * layers + (width - 1)


# --------------------------------------------------------------- the floor
def hand_forward(x, layers):
    w = len(x)
    vs = [x]
    v = x
    for _ in range(layers):
        v = [math.tanh(v[i] * v[(i + 1) % w] + v[(i + 2) % w]) for i in range(w)]
        vs.append(v)
    return sum(v), vs


def hand_backward(vs):
    w = len(vs[0])
    g = [1.0] * w
    for k in range(len(vs) - 1, 0, -1):
        out, v = vs[k], vs[k - 1]
        gin = [0.0] * w
        for i in range(w):
            gb = g[i] * (1 - out[i] * out[i])
            j, m = (i + 1) % w, (i + 2) % w
            gin[i] += gb * v[j]
            gin[j] += gb * v[i]
            gin[m] += gb
        g = gin
    return g


def _time_pairs(make, backward, reps, warm):
    builds, backs = [], []
    for r in range(warm + reps):
        t0 = now()
        state = make()
        t1 = now()
        backward(state)
        t2 = now()
        if r >= warm:
            builds.append(t1 - t0)
            backs.append(t2 - t1)
        del state
    return builds, backs


def _store(row_b, row_g, side, builds, backs):
    for row, s in ((row_b, builds), (row_g, backs)):
        ms = [t * 1e3 for t in s]
        row.values[side] = statistics.median(ms)
        row.spread[side] = (min(ms), max(ms))
        row.samples[side] = ms


def run(cfg):
    width, layers = shape(cfg)
    n = node_count(width, layers)
    reps, warm = cfg.reps(5, 2), cfg.warm(1, 1)
    row_b = Row(f"scalar graph, {n:,} nodes: build", "ms")
    row_g = Row(f"scalar graph, {n:,} nodes: backward", "ms",
                note="numpy column: hand-written forward/backward on Python floats")
    x0 = leaves(width)
    if "numpy" in cfg.sides:
        b, g = _time_pairs(lambda: hand_forward(x0, layers)[1], hand_backward, reps, warm)
        _store(row_b, row_g, "numpy", b, g)
    if "gradtable" in cfg.sides:
        import autograd as ag

        xs = [ag.tensor(v, requires_grad=True) for v in x0]

        def gt_make():
            for x in xs:
                x.grad = None
            return build(xs, ag.tanh, layers)
        b, g = _time_pairs(gt_make, lambda out: out.backward(), reps, warm)
        _store(row_b, row_g, "gradtable", b, g)
    if "micrograd" in cfg.sides:
        Value, label = import_micrograd()
        tanh = _micrograd_tanh(Value)
        xs = [Value(v) for v in x0]

        def mg_make():
            for x in xs:
                x.grad = 0.0
            return build(xs, tanh, layers)
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 20 * layers + 10 * width + 1000))  # its topo sort recurses
        try:
            b, g = _time_pairs(mg_make, lambda out: out.backward(), min(reps, 3), warm)
        finally:
            sys.setrecursionlimit(old)
        _store(row_b, row_g, "micrograd", b, g)
        row_g.note += f"; micrograd column: {label}"
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        xs = [torch.tensor(v, dtype=torch.float32, requires_grad=True) for v in x0]

        def t_make():
            for x in xs:
                x.grad = None
            return build(xs, torch.tanh, layers)
        b, g = _time_pairs(t_make, lambda out: out.backward(), reps, warm)
        _store(row_b, row_g, "torch", b, g)
    return [row_b, row_g]


def _micrograd_tanh(Value):
    """micrograd's Value.tanh when it has one; the published 0.1.0 package has only
    relu, so add tanh in its own style (a closure adding (1 - t^2) * out.grad)."""
    if hasattr(Value, "tanh"):
        return Value.tanh

    def tanh(v):
        t = math.tanh(v.data)
        out = Value(t, (v,), "tanh")

        def _backward():
            v.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out
    return tanh

"""The backward pass's checks, and its loop for scalar graphs (every tensor 0-d,
micrograd's kind), which runs the rules on Python floats.

The loop is :func:`autograd.engine.run_backward`'s, less what a scalar graph never
needs (recorded rules, unbroadcasting, dtype casts, husks): the same order, the same
readers (hooks, retained and leaf gradients, the grad table, ``ag.grad``'s targets,
through ``seen.final``), the same in-place and freed-graph checks.
"""
import numpy as np

from ._tensor import MUTATIONS as mutations

__all__ = ["scalar_loop", "check_versions", "freed_error", "pass_nothing"]


def check_versions(node, t):
    """Refuse a value that the node's rule reads and that changed in place since."""
    e = node.epoch
    for i in node.op.reads(node):
        x = t if i < 0 else node.inputs[i]
        if x._vc[0] > e:
            raise _modified_error(node, x, i)


def _modified_error(node, x, i):
    which = "its output" if i < 0 else f"its input {i}"
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: the '{node.op.name}' op saved {which} (a tensor of shape "
        f"{tuple(x.shape)} and dtype {x.dtype}), which was changed in place after that "
        f"(it is now at version {x._vc[1]}). Change a copy instead (x.clone()), or make "
        f"the in-place change after backward")


def freed_error(t):
    return RuntimeError(
        f"graph already freed; pass retain_graph=True to the first backward (or ag.grad) "
        f"if you need to backward through the graph a second time (the node "
        f"'{t.grad_fn.op.name}' of shape {t.shape} was freed by an earlier backward)"
    )


def pass_nothing(node, deps, push):
    """No gradient reached this tensor: its inputs still lose one consumer each."""
    if node is not None:
        for p in node.inputs:
            if p._rg:
                deps[p] -= 1
                if deps[p] == 0:
                    push(p)


def scalar_loop(ns, ready, grads, deps, seen, retain_graph, inlined):
    """Emit the tensors of a scalar graph in reverse topological order, each rule run on
    Python floats (:func:`_scalar_vjp`; the ops ``inlined``, tanh, add and mul, have their
    VJPs' formulas written out here); gradients are floats inside the pass and take their
    tensor's dtype when they leave it (``seen.final``)."""
    _TANH, _ADD, _MUL = inlined
    watched = seen.watched
    pop, push, take, peek = ready.pop, ready.append, grads.pop, grads.get
    while ready:
        t = pop()
        g = take(t, None)  # interior gradients are dropped as soon as they are consumed
        node = t.grad_fn
        if g is None:  # every consumer's rule returned None for it: nothing flows on
            pass_nothing(node, deps, push)
            continue
        if node is None or watched or t._hooks or t._retains_grad:
            g = seen.final(t, g)
            if node is None:
                continue
        if node.freed:
            raise freed_error(t)
        if node.epoch != mutations[0]:
            check_versions(node, t)
        inputs, op = node.inputs, node.op
        if op is _TANH:  # tanh_vjp: g (1 - y^2)
            y = float(t.array)
            gins = (g * (1 - y * y),)
        elif op is _ADD:  # add_vjp
            gins = (g, g)
        elif op is _MUL:  # mul_vjp: (g y, g x); an input that needs none is skipped below
            gins = (g * float(inputs[1].array), g * float(inputs[0].array))
        else:
            gins = _scalar_vjp(ns, node, g, t, inputs)
        if not retain_graph:
            node.saved = None
            node.freed = True
        p = inputs[0]  # NOTE: one and two inputs spelled out (no zip, no tuples)
        if p._rg:
            gp = gins[0]
            if gp is not None:
                q = peek(p)
                grads[p] = gp if q is None else q + gp
            n = deps[p] - 1  # drops even when gp is None: p's inputs are still reached
            deps[p] = n
            if n == 0:
                push(p)
        if len(inputs) == 1:
            continue
        if len(inputs) > 2:
            _pass_rest(inputs, gins, grads, deps, push)
        p = inputs[1]
        if p._rg:
            gp = gins[1]
            if gp is not None:
                q = peek(p)
                grads[p] = gp if q is None else q + gp
            n = deps[p] - 1
            deps[p] = n
            if n == 0:
                push(p)


def _pass_rest(inputs, gins, grads, deps, push):
    """The third and later inputs' shares (the loop spells out the first two)."""
    for p, gp in zip(inputs[2:], gins[2:]):
        if p._rg:
            if gp is not None:
                q = grads.get(p)
                grads[p] = gp if q is None else q + gp
            n = deps[p] - 1
            deps[p] = n
            if n == 0:
                push(p)


def _scalar_vjp(ns, node, g, t, inputs):
    """A rule run on Python floats (a scalar graph's fast path).

    NOTE: float arithmetic is several times cheaper than numpy-scalar arithmetic, and
    exact for +, -, *; where it differs from numpy's (division by zero raises instead
    of giving inf, a rule asks for .dtype), the rule is run again on numpy scalars,
    which follow numpy's rules exactly. Exceptions cost nothing until raised.
    """
    vjp = node.op.vjp
    try:
        if len(inputs) == 1:
            return vjp(ns, node, g, float(t.array), float(inputs[0].array))
        if len(inputs) == 2:
            return vjp(ns, node, g, float(t.array), float(inputs[0].array), float(inputs[1].array))
        return vjp(ns, node, g, float(t.array), *[float(x.array) for x in inputs])
    except _FLOAT_ONLY:
        return _numpy_vjp(ns, node, g, t, inputs)


def _numpy_vjp(ns, node, g, t, inputs):
    """The rule again on numpy scalars, where floats raised (see :func:`_scalar_vjp`)."""
    g = np.asarray(g, dtype=t.array.dtype)[()]
    return node.op.vjp(ns, node, g, t.array[()], *[x.array[()] for x in inputs])


# What float arithmetic raises where numpy's scalars follow IEEE (x / 0, exp(1000),
# math-domain errors) or where a rule asks a float for an array attribute (.dtype).
# Anything else is a real error and propagates.
_FLOAT_ONLY = (ArithmeticError, ValueError, AttributeError)

"""The pieces of a drawing that need no graph walk: the outputs and names it is
given, module titles, op parameters, value rows, one line of the text description,
and the longest chain of the layout."""
import numpy as np

from ..engine import FreedTensor
from .._tensor import Tensor
from . import _format as fm

__all__ = ["OP_SYMBOL", "COMMUTATIVE", "LONG_CHAIN", "outputs", "pairs", "path_name",
           "fold_parameter_free", "module_title", "extra_repr", "op_params", "longest_chain",
           "text_line", "value_lines"]

OP_SYMBOL = {"add": "+", "sub": "\u2212", "mul": "\u00d7", "div": "\u00f7", "matmul": "@",
             "pow": "**", "pow_scalar": "**", "neg": "\u2212"}
COMMUTATIVE = {"add", "mul", "maximum", "minimum"}
LONG_CHAIN = 12  # above this many nodes in a row, the automatic layout runs top to bottom


def outputs(out):
    if isinstance(out, Tensor):
        return [out], {id(out): out.name or "output"}
    if isinstance(out, dict):
        items = list(out.items())
    elif isinstance(out, (list, tuple)):
        items = [(t.name or f"output {i + 1}", t) for i, t in enumerate(out)]
    else:
        raise TypeError(f"draw expects a Tensor, or a list or dict of Tensors, got {type(out).__name__}")
    outs, onames = [], {}
    for name, t in items:
        if not isinstance(t, Tensor):
            raise TypeError(f"draw: output {name!r} is a {type(t).__name__}, not a Tensor")
        if id(t) not in onames:
            outs.append(t)
            onames[id(t)] = str(name)
    if not outs:
        raise ValueError("draw: no tensors to draw")
    return outs, onames


def pairs(obj, what):
    """(name, tensor) pairs from a dict either way round, or from an iterable of pairs."""
    if obj is None:
        return []
    items = obj.items() if isinstance(obj, dict) else obj
    out = []
    for item in items:
        a, b = item
        if isinstance(a, Tensor) and not isinstance(b, Tensor):
            a, b = b, a
        if not isinstance(b, Tensor):
            raise TypeError(f"draw: {what} must map names to Tensors, got {type(b).__name__}")
        out.append((str(a), b))
    return out


def path_name(path):
    return ".".join(path)


def fold_parameter_free(box, order, modules):
    """In a collapsed drawing, draw a module without parameters (ReLU, pooling,
    Flatten, Dropout) inside the box of the sibling layer that feeds it, as the notes
    draw a layer with its activation: a 12-layer MLP stays 12 boxes. Returns the new
    box map and, per box, the modules folded into it (in forward order)."""
    def has_params(path):
        m = modules.get(path)
        return m is None or not hasattr(m, "parameters") or any(True for _ in m.parameters())

    into, folded = {}, {}
    for t in order:
        p = box.get(id(t))
        if p is None or p in into or t.grad_fn is None:
            continue
        if not p or has_params(p):
            into[p] = p
            continue
        src = None  # the box of the data this module's first op reads
        for x in t.grad_fn.inputs:
            q = box.get(id(x))
            if x.grad_fn is not None and q is not None and q != p:
                src = into.get(q, q)
        if src is not None and src and src[:-1] == p[:-1] and has_params(src):
            into[p] = src
            folded.setdefault(src, []).append(p)
        else:
            into[p] = p
    return {k: into.get(p, p) for k, p in box.items()}, folded


def module_title(path, m):
    cls = type(m).__name__
    return f"{path_name(path)}: {cls}" if path else cls


def extra_repr(m, limit=44):
    try:
        s = m.extra_repr() if hasattr(m, "extra_repr") else ""
    except Exception:  # a module's repr must never break a drawing
        s = ""
    s = " ".join(str(s).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def op_params(node, limit=2):
    parts = []
    for k, v in (node.params or {}).items():
        if v is None or v is False or (isinstance(v, (tuple, list)) and not v):
            continue
        if isinstance(v, np.ndarray):
            v = f"array{v.shape}"
        s = f"{k}={v}"
        if len(s) > 26:
            s = s[:23] + "..."
        parts.append(s)
        if len(parts) == limit:
            break
    return parts


def longest_chain(edges):
    """The number of nodes on the longest path of the drawing (Kahn's algorithm)."""
    succ, indeg = {}, {}
    for s, d in edges:
        succ.setdefault(s, []).append(d)
        indeg[d] = indeg.get(d, 0) + 1
        indeg.setdefault(s, 0)
    level = {n: 1 for n, k in indeg.items() if k == 0}
    ready = list(level)
    best = 1 if indeg else 0
    while ready:
        n = ready.pop()
        for d in succ.get(n, ()):
            level[d] = max(level.get(d, 1), level[n] + 1)
            best = max(best, level[d])
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    return best


def text_line(t, label, role, arg_name, show_grad, show_data):
    """One line of the text description shown when Graphviz is missing."""
    parts = [f"{label}"]
    if t.grad_fn is not None:
        args = ", ".join(arg_name(p) for p in t.grad_fn.inputs)
        parts.append(f"= {t.grad_fn.op.name}({args})")
    else:
        parts.append(f"({role})")
    parts.append(fm.shape_text(t))
    if show_data:
        parts.append(value_lines(t)[0] if t.array.size <= fm.SMALL
                     else "value " + fm.summary(t.array))
    if show_grad and t._rg and t._grad is not None:
        parts.append(" ".join(fm.value_lines("grad", t._grad.array)))
    return "  ".join(parts)


def value_lines(t):
    """The value rows of a node; a value dropped by a backward without retain_graph
    says so instead of showing numbers it no longer has."""
    if isinstance(t, FreedTensor):
        return ["value: freed by backward (draw before it, or pass retain_graph=True)"]
    return fm.value_lines("value", t.array)

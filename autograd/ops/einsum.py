"""einsum: the general sum of products, in explicit form ``"ij,jk->ik"``.

The public wrapper (``ag.einsum``) turns every equation into this explicit form
first: ellipses become letters, an implicit output (no ``->``) becomes PyTorch's and
numpy's (the letters used once, in alphabetical order). The op then sees only
letters.

The VJP of an operand is one more einsum. For out = einsum("A,B,C->O") the gradient
of the operand with subscripts A is einsum("O,B,C->A", g, y, z): the same products,
with the output's letters summed against g and A's letters kept. Three cases need
more than that, and the rule handles each:

* a letter only in A (summed away, e.g. "ij->i"): the gradient does not depend on
  it, so it is computed without it and broadcast along it;
* a letter repeated in A (a diagonal, "ii->i"): the gradient lives on the diagonal,
  so it is computed with the letter once and multiplied by an identity matrix;
* an axis of A of size 1 that the other operands broadcast: summed back to 1.
"""
import numpy as np

from .registry import primitive

__all__ = []

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@primitive("einsum")
def einsum(*xs, equation):
    """out = einsum(equation, *xs), e.g. "ij,jk->ik" (a matrix product) or "bij->bji";
    dout/dx_k for an operand with subscripts A is einsum("O,<others>->A", g, <others>)
    (see the module docstring for summed, repeated and broadcast letters)."""
    return run(equation, *xs)


def run(equation, *xs):
    """np.einsum, with numpy's contraction-order optimiser for three or more operands or
    large ones.

    NOTE: the optimiser maps contractions onto BLAS (6x faster than plain einsum for a
    batched product of 32 x 64 x 64), but planning costs about 25 us, which dominates
    for small operands; hence the size threshold.
    """
    big = len(xs) > 2 or max((np.size(x) for x in xs), default=0) >= 4096
    return np.einsum(equation, *xs, optimize=big)


def _sizes(subs, shapes):
    size = {}
    for s, shape in zip(subs, shapes):
        for c, n in zip(s, shape):
            if n != 1 or c not in size:
                size[c] = n
    return size


def _operand_grad(ns, g, xs, subs, outs, k, shapes):
    """The gradient of operand ``k`` (see the module docstring)."""
    target = subs[k]
    others = [s for i, s in enumerate(subs) if i != k]
    available = set(outs).union(*others) if others else set(outs)
    size = _sizes(subs, shapes)
    uniq = "".join(dict.fromkeys(c for c in target if c in available))
    ops = [g] + [x for i, x in enumerate(xs) if i != k]
    eq = ",".join([outs] + others) + "->" + uniq
    r = ns.einsum(eq, *ops)
    # letters that appear once in the target but nowhere else: broadcast along them
    full = "".join(dict.fromkeys(target))
    if full != uniq:
        # (uniq keeps the target's order, so inserting size-1 axes lines it up)
        r = ns.reshape(r, tuple(size[c] if c in uniq else 1 for c in full))
        r = ns.broadcast_to(r, tuple(size[c] for c in full))
    # repeated letters: place the values on the diagonal with identity matrices
    if full != target:
        fresh = iter(c for c in LETTERS if c not in "".join(subs) + outs)
        seen, renamed, eyes, eye_subs = set(), "", [], []
        for c in target:
            if c in seen:
                d = next(fresh)
                renamed += d
                eyes.append(ns.const(np.eye(size[c]), g))
                eye_subs.append(c + d)
            else:
                seen.add(c)
                renamed += c
        r = ns.einsum(",".join([full] + eye_subs) + "->" + renamed, r, *eyes)
    # axes where the operand has size 1 but the others broadcast it
    xshape = shapes[k]
    rshape = ns.value(r).shape
    axes = tuple(i for i, (a, b) in enumerate(zip(xshape, rshape)) if a == 1 and b != 1)
    if axes:
        r = ns.sum(r, axis=axes, keepdims=True)
    return r


@einsum.defvjp
def einsum_vjp(ns, n, g, out, *xs):
    ins, outs = n.params["equation"].split("->")
    subs = ins.split(",")
    shapes = [ns.value(x).shape for x in xs]
    return tuple(_operand_grad(ns, g, xs, subs, outs, k, shapes) if t._rg else None
                 for k, t in enumerate(n.inputs))


def explicit(equation, shapes):
    """The equation in explicit form with letters only: "...ij,...jk" with operands of
    ranks 3 and 2 becomes "aij,jk->aik" (ellipsis letters right-aligned, as broadcasting
    aligns axes; an implicit output is the ellipsis then the letters used once, sorted)."""
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise ValueError(f"einsum: {equation!r} has more than one '->'")
    lhs, rhs = eq.split("->") if "->" in eq else (eq, None)
    subs = lhs.split(",")
    if len(subs) != len(shapes):
        raise ValueError(f"einsum: {equation!r} names {len(subs)} operands but {len(shapes)} were given")
    free = iter(c for c in LETTERS if c not in eq)
    nell = max([len(sh) - (len(s) - 3) for s, sh in zip(subs, shapes) if "..." in s] or [0])
    ell = "".join(next(free) for _ in range(nell))
    out = []
    for i, (s, sh) in enumerate(zip(subs, shapes)):
        if "..." in s:
            k = len(sh) - (len(s) - 3)
            s = s.replace("...", ell[nell - k:] if k > 0 else "")
        if not all(c in LETTERS for c in s) or len(s) != len(sh):
            raise ValueError(f"einsum: subscripts {subs[i]!r} do not fit operand {i} of shape {sh} "
                             "(one letter per axis, or '...' for the leading ones)")
        out.append(s)
    joined = "".join(out)
    if rhs is None:
        rhs = ell + "".join(sorted(c for c in dict.fromkeys(joined) if joined.count(c) == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
        bad = [c for c in rhs if c not in joined or rhs.count(c) > 1]
        if bad:
            raise ValueError(f"einsum: output subscript {bad[0]!r} of {equation!r} is repeated or "
                             "appears in no operand")
    return ",".join(out) + "->" + rhs

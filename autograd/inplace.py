"""In-place operations with PyTorch's semantics: ``add_``, ``mul_``, ``copy_``, ``+=``,
``t[i] = v`` and the rest of the trailing-underscore family.

An in-place op changes the tensor's array itself, so every alias (a view, a
``detach()``) sees the new values, and it bumps the version counter that those
aliases share. Backward compares every value an op saved with the version it had
when it was saved, and refuses a value changed since (PyTorch's "modified by an
inplace operation" error). Three cases:

* **Nothing to record** (grad mode off, or no tensor involved requires grad): the
  array is updated, the version bumped. ``with ag.no_grad(): p -= lr * p.grad`` is the
  notes' step  θ ← θ − η ∇E  and keeps ``p`` the same leaf.
* **A leaf that requires grad, with grad mode on**: refused, since the graph would
  lose the value it started from; the message says to wrap the update in
  ``ag.no_grad()``.
* **A tensor in a graph** (or one that starts to depend on a tensor that requires
  grad): the op is recorded like its out-of-place twin, ``y += 1`` as ``y = y + 1``.
  The tensor object takes the new node, and the node it had passes to a hidden
  *shadow* tensor, so that the ops which consumed the old value still send their
  gradients to the old node (the engine routes them by the version they recorded).
  When the tensor is a view of another (``y[0] += 1``), the base's graph is updated
  too, with a ``copy_slices`` node: base = base with view replaced.
"""
import numbers

import numpy as np

from .arguments import index_arg, index_on
from .backend import asarray_like, is_array
from .grad_mode import STATE
from .ops import mutation as M
from .ops.registry import Node
from .gc_graph import retrack_tensor
from ._tensor import MUTATIONS, UNCHANGED, Tensor, shared_version
from .views import live_views

__all__ = ["inplace", "bump", "increment_version"]

_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}


def bump(t):
    """Record one in-place change of ``t``'s storage: its time on the clock of in-place
    changes, and its count (``t._version``)."""
    MUTATIONS[0] += 1
    vc = t._vc
    if vc is UNCHANGED:
        t._vc = [MUTATIONS[0], 1]
    else:
        vc[0] = MUTATIONS[0]
        vc[1] += 1


def increment_version(tensor):
    """Tell autograd that ``tensor``'s array was changed in place behind its back
    (PyTorch's ``torch.autograd.graph.increment_version``). Library code that updates
    ``t.array`` directly (optimizers, initialisers) calls it, so backward still refuses
    a value changed after it was saved."""
    if isinstance(tensor, (list, tuple)):
        for t in tensor:
            bump(t)
    else:
        bump(tensor)


def _any_requires_grad(args):
    for a in args:
        if isinstance(a, Tensor) and a._rg:
            return True
    return False


def _check_result(name, t, arr):
    if arr.shape != t.array.shape:
        raise RuntimeError(
            f"{name}: the result has shape {arr.shape} but the tensor changed in place has "
            f"shape {t.shape}; an in-place op cannot change a tensor's shape (use the "
            f"out-of-place form, e.g. t = t + other)")
    if arr.dtype != t.array.dtype and not np.can_cast(arr.dtype, t.array.dtype, "same_kind"):
        raise RuntimeError(
            f"{name}: the result has dtype {arr.dtype}, which can't be cast to the dtype "
            f"{t.dtype} of the tensor changed in place; convert first (t = t.to({arr.dtype})) "
            "or use the out-of-place form")


def _write(name, t, arr):
    _check_result(name, t, arr)
    try:
        np.copyto(t.array, arr, casting="unsafe")
    except ValueError as e:
        raise RuntimeError(
            f"{name}: cannot write into this tensor ({e}); it is a broadcast (expanded) view "
            "whose elements share memory: clone it first") from None


def _fast_arith(name, t, other):
    """``t op= other`` with a numpy ufunc writing into t's array (nothing recorded)."""
    o = other.array if isinstance(other, Tensor) else other
    if type(t.array) is not np.ndarray and isinstance(o, np.ndarray):
        o = asarray_like(o, t.array)  # host data into a device tensor
    ufunc = _UFUNCS[name]
    if isinstance(o, np.ndarray) and o.shape != t.array.shape:
        try:
            shape = np.broadcast_shapes(o.shape, t.array.shape)
        except ValueError:
            shape = o.shape
        if shape != t.array.shape:
            raise RuntimeError(
                f"{name}_: an operand of shape {o.shape} does not broadcast to the shape "
                f"{t.shape} of the tensor changed in place; use the out-of-place form")
    try:
        ufunc(t.array, o, out=t.array, casting="same_kind")
    except TypeError:  # numpy's UFuncTypeError: the result cannot be cast to t's dtype
        res = ufunc(t.array, o)
        _check_result(name + "_", t, res if is_array(res) else np.asarray(res))
        raise
    except ValueError as e:
        raise RuntimeError(f"{name}_: cannot write into this tensor ({e}); clone it first") from None


def _shadow(t):
    """A hidden tensor that takes over ``t``'s place in the graph before ``t`` changes."""
    old = Tensor._make(t.array, t._rg, t.grad_fn)
    old._vc = shared_version(t)
    old._base = t._base
    return old


def _reads(node, x):
    """Whether ``node``'s VJP reads the value of its input ``x``."""
    ins = node.inputs
    return any(i >= 0 and ins[i] is x for i in node.op.reads(node))


def _take_role(t, res, old):
    """``t`` becomes the output of ``res``'s node; ``old`` keeps ``t``'s previous role."""
    t.grad_fn = res.grad_fn
    t._rg = res._rg
    _add_role(t, MUTATIONS[0], old)


def _add_role(t, version, old):
    """Ops that consumed ``t`` before ``version`` send their gradients to ``old``."""
    if t._roles is None:
        t._roles = []
        retrack_tensor(t)  # its roles may lead back to it (autograd.gc_graph)
    t._roles.append((version, old))


def _leaf_error(name, what):
    return RuntimeError(
        f"{name}: {what} that requires grad is used in an in-place operation while grad mode "
        "is on, which would lose the value the graph starts from. Wrap the update in "
        "`with ag.no_grad():` (as optimizers do), or change a copy (t.clone()) or an "
        "untracked alias (t.detach(), t.data)")


def inplace(name, t, compute, *args):
    """Change ``t`` in place to ``compute(t, *args)`` (an out-of-place function)."""
    if not STATE.enabled or not (t._rg or _any_requires_grad(args)):
        STATE.enabled, prev = False, STATE.enabled
        try:
            res = compute(t, *args)
        finally:
            STATE.enabled = prev
        if res is not t:
            _write(name, t, res.array)
        bump(t)
        return t
    base = t._base[0] if t._base is not None else None
    if t.grad_fn is None and t._rg:
        raise _leaf_error(name, "a leaf tensor")
    if base is not None and base.grad_fn is None and base._rg:
        raise _leaf_error(name, "a view of a leaf tensor")
    old = _shadow(t)
    args = tuple(old if a is t else a for a in args)
    res = compute(old, *args)
    if res is old:
        return t
    node = res.grad_fn
    if node is not None and _reads(node, old):
        old.array = t.array.copy()  # the rule needs the value from before the change
        old._vc = [0, t._vc[1]]  # a private copy: later changes of t do not touch it
    _write(name, t, res.array)
    bump(t)
    if old._vc is not t._vc:
        old._vc[0] = MUTATIONS[0]  # the op that made the old value sees it as changed, as in PyTorch
    if node is not None:
        node.epoch = MUTATIONS[0]  # it saw t's values of before this change: they are current
    if base is None:
        _take_role(t, res, old)
    else:
        _rebase(t, base, res, old)
    _refresh_views(t)
    return t


def _refresh_views(t):
    """Move the other live views of ``t``'s storage onto its new graph.

    A sibling ``b = base[1:]`` of the changed view ``a = base[:2]`` shares memory with
    it, so after ``a.mul_(10)`` it holds values the change made; an op that reads ``b``
    from now on must send its gradient through the change. As PyTorch regenerates such
    a view's ``grad_fn``, ``b`` takes the node of its view ops replayed on the base's new
    node, and (as for the changed tensor itself) a shadow keeps ``b``'s old node for
    the ops that consumed ``b`` before the change. Views made with grad mode off are not
    registered and keep their place (PyTorch refuses this case).
    """
    v = MUTATIONS[0]
    for s in live_views(t._vc):
        if s is t or s._base is None:
            continue
        root, steps = s._base
        view = root
        for op, params in steps:
            view = op(view, **params)
        if view.grad_fn is None:
            continue
        old = _shadow(s)
        s.grad_fn, s._rg = view.grad_fn, True
        _add_role(s, v, old)


def _rebase(t, base, res, old):
    """After ``t`` (a view of ``base``) changed in place: base = copy_slices(base, res),
    and ``t`` becomes that view of the new base."""
    steps = t._base[1]
    b_old = _shadow(base)
    v = MUTATIONS[0]
    base.grad_fn = Node(M.copy_slices, (b_old, res), {"steps": steps}, None, STATE.scope)
    base._rg = True
    _add_role(base, v, b_old)
    view = base
    for op, params in steps:
        view = op(view, **params)
    t.grad_fn, t._rg = view.grad_fn, True
    _add_role(t, v, old)


# ------------------------------------------------------------------ the methods
def _arith(name, fn):
    def method(self, other, *, alpha=None):
        if alpha is not None:
            other = other * alpha
        if not STATE.enabled or not (self._rg or (isinstance(other, Tensor) and other._rg)):
            _fast_arith(name, self, other)
            bump(self)
            return self
        return inplace(name + "_", self, fn, other)

    method.__name__ = name + "_"
    method.__doc__ = f"In place: self = {name}(self, other{' * alpha' if name in ('add', 'sub') else ''})."
    return method


def _setitem(self, index, value):
    """``t[index] = value``: recorded like ``t = setitem(t, value, index)``."""
    index = index_arg(index)
    if isinstance(index, np.ndarray):
        index = index.copy()
    if type(self.array) is not np.ndarray:
        index = index_on(index, self.array)
        if isinstance(value, (np.ndarray, list)):
            value = asarray_like(value, self.array)
    if not STATE.enabled or not (self._rg or (isinstance(value, Tensor) and value._rg)):
        v = value.array if isinstance(value, Tensor) else value
        try:
            self.array[index] = v
        except ValueError as e:
            raise RuntimeError(
                f"setitem: cannot assign a value of shape {np.shape(v)} to t[{index!r}] of a "
                f"tensor of shape {self.shape}: {e}") from None
        bump(self)
        return
    if not isinstance(value, Tensor):
        value = Tensor._make(asarray_like(value, self.array, self.dtype))
    elif value.dtype != self.dtype:
        value = value.to(self.dtype)
    inplace("setitem", self, lambda s, v: M.setitem(s, v, index=index), value)


def install(ns):
    """Attach the in-place methods to ``Tensor``; ``ns`` is the namespace of the public
    functions (``autograd.recording``)."""
    T = Tensor
    for name in _UFUNCS:
        setattr(T, name + "_", _arith(name, getattr(ns, name)))
    T.__iadd__, T.__isub__, T.__imul__, T.__itruediv__ = T.add_, T.sub_, T.mul_, T.div_
    T.__setitem__ = _setitem

    def unary(name, fn):
        def method(self, *args, **kwargs):
            return inplace(name, self, lambda s, *a: fn(s, *a, **kwargs), *args)

        method.__name__ = name
        method.__doc__ = f"In place: self = {fn.__name__}(self, ...)."
        return method

    for name in ("exp log sqrt abs sin cos tan tanh sigmoid relu neg sign log1p expm1 "
                 "square reciprocal").split():
        fn = getattr(ns, name, None)
        if fn is not None:
            setattr(T, name + "_", unary(name + "_", fn))
    T.pow_ = unary("pow_", ns.pow)
    T.__ipow__ = T.pow_
    T.clamp_ = T.clip_ = unary("clamp_", ns.clip)
    T.clamp_min_ = unary("clamp_min_", lambda s, lo: ns.clip(s, min=lo))
    T.clamp_max_ = unary("clamp_max_", lambda s, hi: ns.clip(s, max=hi))
    T.addcmul_ = unary("addcmul_", lambda s, a, b, value=1: s + value * a * b)
    T.addcdiv_ = unary("addcdiv_", lambda s, a, b, value=1: s + value * a / b)
    T.lerp_ = unary("lerp_", lambda s, end, weight: s + weight * (end - s))
    T.masked_fill_ = unary("masked_fill_", lambda s, mask, value: ns.where(mask, value, s))

    def fill_(self, value):
        """Fill with ``value`` (a number or a 0-d tensor) in place."""
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(f"fill_: the value must be a number or a 0-d tensor, got shape {value.shape}")
        return inplace("fill_", self, lambda s, v: ns.where(True, ns.astype(_lift(v, s), s.dtype), s), value)

    def zero_(self):
        """Fill with zeros in place."""
        return fill_(self, 0)

    def copy_(self, src, non_blocking=False):
        """Copy ``src``'s values (broadcast to this shape, cast to this dtype) in place."""
        if not isinstance(src, Tensor):
            src = Tensor._make(asarray_like(src, self.array))
        elif type(src.array) is not type(self.array):
            src = src.to(self.device)  # PyTorch's copy_ moves between devices
        return inplace("copy_", self, lambda s, v: ns.where(True, ns.astype(v, s.dtype), s), src)

    T.fill_, T.zero_, T.copy_ = fill_, zero_, copy_

    def _random_fill(name, draw):
        def method(self, *args, generator=None, **kwargs):
            from .random import generator as default_gen

            gen = generator._rng if generator is not None else default_gen()
            arr = asarray_like(draw(gen, self.shape, *args, **kwargs), self.array, self.dtype)
            return copy_(self, Tensor._make(arr))

        method.__name__ = name
        return method

    T.normal_ = _random_fill("normal_", lambda g, shape, mean=0.0, std=1.0: g.normal(mean, std, shape))
    T.uniform_ = _random_fill("uniform_", lambda g, shape, a=0.0, b=1.0: g.uniform(a, b, shape))
    T.bernoulli_ = _random_fill("bernoulli_", lambda g, shape, p=0.5: g.random(shape) < p)
    T.exponential_ = _random_fill("exponential_", lambda g, shape, lambd=1.0: g.exponential(1 / lambd, shape))


def _lift(v, like):
    if isinstance(v, Tensor):
        return v
    if isinstance(v, numbers.Number):
        return Tensor._make(asarray_like(v, like.array, like.dtype if like.dtype.kind in "fc" else None))
    return Tensor._make(asarray_like(v, like.array))

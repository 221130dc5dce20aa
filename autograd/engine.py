"""The backward pass: the lecture notes' grad-table algorithm.

    grad_table[out] = 1
    for each node u_j in reverse topological order:
        grad_table[u_j] = sum over consumers u_i of  grad_table[u_i] * d u_i / d u_j

One function, :func:`run_backward`, does this for ``Tensor.backward``,
:func:`grad` and :func:`grad_table` alike. The order is computed without
recursion: a first sweep with an explicit stack counts every node's consumers; the
second sweep emits a node once all its consumers have handed it their share, so
its gradient is final when it is emitted (Kahn's algorithm, run from the output).
Each edge is visited once in each sweep, so the cost is linear in the number of
edges, and every shared sub-expression is differentiated once.
"""
import numpy as np

from .backend import backend_of, is_array, same_device
from .gc_graph import RECORDED, retrack
from .grad_mode import STATE, set_grad_enabled
from .ops.raw import RAW
from .ops.registry import REGISTRY, unbroadcast
from .scalar_pass import check_versions, freed_error, pass_nothing, scalar_loop
from ._tensor import MUTATIONS as mutations, Tensor

__all__ = ["backward", "grad", "run_backward", "register_recording_namespace"]


# The namespace rules compute with under create_graph=True: the public functions,
# which record. ``autograd.recording`` registers itself here on import, so the engine
# imports nothing above it.
_RECORDING = []


def register_recording_namespace(ns):
    """Make ``ns`` the namespace of rules run with ``create_graph=True``."""
    _RECORDING[:] = [ns]


def _consumer_counts(roots):
    """Count, for every tensor that requires grad and is reachable from ``roots``,
    how many recorded edges consume it. Iterative: deep graphs are fine.

    Also tells whether every tensor of the graph is 0-d (a scalar graph), which the
    backward sweep runs on numpy scalars instead of 0-d arrays.
    """
    # NOTE: the roots enter with count 0, so a root that is also an input of another
    # root is walked once; the dict alone records what was visited (no extra set).
    deps = {r: 0 for r in roots}
    scalar = all(not r.array.shape for r in roots)
    stack = [r for r in deps if r.grad_fn is not None]
    pop, push, count = stack.pop, stack.append, deps.get
    while stack:
        node = pop().grad_fn
        inputs = node.inputs
        if node.epoch != mutations[0]:  # an input may have changed in place since
            inputs = node.inputs = _route(node)
        for p in inputs:
            if p._rg:
                c = count(p)
                if c is None:
                    deps[p] = 1
                    if p.array.shape:
                        scalar = False
                    if p.grad_fn is not None:
                        push(p)
                else:
                    deps[p] = c + 1
    return deps, scalar


def _route(node):
    """The node's inputs as they were when it ran: an input changed in place since then
    has passed its old place in the graph to a shadow tensor (``autograd.inplace``)."""
    e, out = node.epoch, []
    for p in node.inputs:
        if p._roles is not None:
            for changed_at, old in p._roles:
                if changed_at > e:
                    p = old
                    break
        out.append(p)
    return tuple(out)


def run_backward(roots, root_grads, retain_graph=False, create_graph=False,
                 targets=None, accumulate=True, table=None):
    """Fill the grad table from ``roots`` (seeded with ``root_grads``) backwards.

    targets:    when given (``ag.grad``), return their gradients in a dict instead of
                only accumulating into leaves.
    accumulate: add gradients of leaves into ``.grad`` (``backward``).
    table:      when given (a dict), record every node's final gradient in it, in the
                order the gradients became final.
    """
    ns = _RECORDING[0] if create_graph else RAW
    deps, scalar = _consumer_counts(roots)
    RECORDED[0] = 0  # a new graph starts counting (autograd.gc_graph)
    if create_graph:  # the gradients' graph will point into this one: collectable again,
        retrack(deps)  # and the gradients' own nodes stay tracked (RECORDED never passes LIMIT)
        RECORDED[0] = -(1 << 62)
    # NOTE: a graph of 0-d tensors (micrograd's kind) runs its rules on Python floats
    # (autograd.scalar_pass): float arithmetic costs a tenth of 0-d-array arithmetic, and
    # every shape is (), so no unbroadcast is needed; values take their tensor's dtype
    # when they leave the pass (a leaf's .grad, ag.grad's results, hooks, the table).
    scalar = scalar and not create_graph and type(roots[0].array) is np.ndarray
    grads, ready = _first_entries(roots, root_grads, deps, scalar)
    seen = _Readers(targets, table, accumulate, create_graph, scalar)
    seen.assigned.update(id(g) for g in root_grads)  # the caller's arrays: a leaf copies them
    # NOTE: numpy's warnings are silenced for the rules (a rule may divide by an exact
    # zero whose contribution ns.scaled then drops), once for the whole pass: entering
    # np.errstate costs more than a small rule. User hooks run under the caller's
    # settings (seen.final).
    with set_grad_enabled(create_graph), np.errstate(all="ignore"):
        if scalar:
            scalar_loop(ns, ready, grads, deps, seen, retain_graph,
                        [op if op.vjp is vjp else None for op, vjp in _INLINED])
        else:
            _loop(ns, ready, grads, deps, seen, retain_graph, create_graph)
    if create_graph:
        RECORDED[0] = 0
    return seen.want


# the rules scalar_loop writes out, each while its op still has this VJP (not replaced)
_INLINED = [(REGISTRY[name], REGISTRY[name].vjp) for name in ("tanh", "add", "mul")]


def _loop(ns, ready, grads, deps, seen, retain_graph, create_graph):
    """Emit tensors in reverse topological order, running each node's rule on arrays
    (or, with ``create_graph``, on Tensors, recorded) and adding what it returns into
    its inputs' entries (scalar graphs: ``autograd.scalar_pass``)."""
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
            g = seen.final(t, g)  # hooks, the table, targets, a leaf's .grad
            if node is None:
                continue
        if node.freed:
            raise freed_error(t)
        if node.epoch != mutations[0]:  # something changed in place since the node ran
            check_versions(node, t)
        inputs = node.inputs
        if create_graph:  # the rule on Tensors, recorded
            gins = node.op.vjp(ns, node, g, t, *inputs)
        elif len(inputs) == 1:  # on arrays (one and two inputs spelled out: no list)
            gins = node.op.vjp(ns, node, g, t.array, inputs[0].array)
        elif len(inputs) == 2:
            gins = node.op.vjp(ns, node, g, t.array, inputs[0].array, inputs[1].array)
        else:
            gins = node.op.vjp(ns, node, g, t.array, *[x.array for x in inputs])
        if not retain_graph:
            node.saved = None
            node.freed = True
            for p in inputs:  # a kept output must not keep its ancestors' values alive
                if p.array.nbytes >= _HUSK_BYTES:  # (_husks' first scan, without the call)
                    node.inputs = _husks(inputs)
                    break
            # NOTE: nor may the consumer counts keep t's value alive to the end of the
            # pass: its count is spent (an HVP's second pass peaked with every value of
            # both graphs alive, 3.2 MB of heap that glibc gave back after every call)
            del deps[t]
        for p, gp in zip(inputs, gins):
            if not p._rg:
                continue
            if gp is not None:
                pa = p.array
                if gp.shape != pa.shape:
                    gp = unbroadcast(ns, gp, pa.shape)
                if gp.dtype is not pa.dtype and gp.dtype != pa.dtype:  # float32 stays float32
                    gp = ns.astype(gp, pa.dtype)
                q = peek(p)
                grads[p] = gp if q is None else q + gp
            # NOTE: the consumer count drops even when a rule returns None for an
            # input, so that input's own inputs are still reached.
            n = deps[p] - 1
            deps[p] = n
            if n == 0:
                push(p)


def _first_entries(roots, root_grads, deps, scalar):
    """The grad table's first entries (d root / d root, summed over repeated roots)
    and the roots ready to be emitted."""
    if scalar:
        root_grads = [float(g) for g in root_grads]
    grads, ready = {}, []
    for r, g in zip(roots, root_grads):
        if r in grads:
            grads[r] = grads[r] + g
        else:
            grads[r] = g
            if deps.get(r, 0) == 0:
                ready.append(r)
    return grads, ready


class _Readers:
    """Who reads a final gradient besides the pass itself: hooks, the grad table,
    ``ag.grad``'s targets, leaves' (and retained) ``.grad``."""

    __slots__ = ("want", "targets", "table", "accumulate", "create_graph", "scalar",
                 "watched", "assigned", "errstate")

    def __init__(self, targets, table, accumulate, create_graph, scalar):
        self.want = {} if targets is not None else None
        self.targets = set(targets) if targets is not None else ()
        self.table, self.accumulate = table, accumulate
        self.create_graph, self.scalar = create_graph, scalar
        self.watched = table is not None or targets is not None  # interior entries are read
        self.assigned = set()  # ids of arrays handed to a leaf's .grad in this pass
        self.errstate = np.geterr()  # the caller's numpy error settings, for hooks

    def final(self, t, g):
        """Hand ``t``'s final gradient to its readers; returns what flows on."""
        create_graph = self.create_graph
        if self.scalar:  # the value leaves the scalar pass: give it its tensor's dtype
            g = np.asarray(g, dtype=t.array.dtype)
        if t._hooks:
            with np.errstate(**self.errstate):
                g = _run_hooks(t, g, create_graph)
        if self.table is not None:
            self.table[t] = g if create_graph else Tensor._make(g)
        if t in self.targets:
            self.want[id(t)] = g
        if t.grad_fn is None:
            if self.accumulate and t._rg:
                _accumulate_leaf(t, g, create_graph, self.assigned)
                if t._post_acc_hooks:
                    _run_post_accumulate_hooks(t)
            return g
        if t._retains_grad and self.accumulate:
            _accumulate_leaf(t, g, create_graph, self.assigned)
        return g[()] if self.scalar else g


class FreedTensor(Tensor):
    """What a freed node keeps of a large input that is not a parameter: its place in
    the graph (``grad_fn``, shape, dtype, name) without its values, so a loss kept for
    logging holds nothing big and the graph can still be drawn (values show as freed)."""

    __slots__ = ()


_PLACEHOLDERS = {}


def _placeholder(arr):
    """A read-only array of ``arr``'s shape and dtype that takes no memory."""
    key = (arr.shape, arr.dtype, type(arr))
    p = _PLACEHOLDERS.get(key)
    if p is None:
        if len(_PLACEHOLDERS) > 256:
            _PLACEHOLDERS.clear()
        zero = np.zeros((), arr.dtype) if type(arr) is np.ndarray else backend_of(arr).zeros((), arr.dtype)
        p = _PLACEHOLDERS[key] = np.broadcast_to(zero, arr.shape)
    return p


def _husks(inputs):
    """The inputs a freed node keeps: large non-parameter values become husks."""
    for p in inputs:
        if p.array.nbytes >= _HUSK_BYTES:
            break
    else:
        return inputs
    out = []
    for p in inputs:
        # NOTE: parameters stay (their owner keeps them anyway), and so do small values,
        # which cost nothing and keep a drawing made after backward readable
        if p.array.nbytes >= _HUSK_BYTES and not (p._rg and p.grad_fn is None) \
                and type(p) is not FreedTensor:
            h = Tensor._make(_placeholder(p.array), p._rg, p.grad_fn)
            h.__class__ = FreedTensor
            h.name, h._vc, h._roles = p.name, p._vc, p._roles
            p = h
        out.append(p)
    return tuple(out)


_HUSK_BYTES = 4096


def _run_hooks(t, g, create_graph):
    """Pass the final gradient of ``t`` through its hooks (each may replace it)."""
    for hook in list(t._hooks.values()):
        res = hook(g if create_graph else Tensor._make(g))
        if res is not None:
            res = res if isinstance(res, Tensor) else Tensor(res)
            if res.shape != t.shape:
                raise RuntimeError(
                    f"hook returned a gradient of shape {res.shape} for a tensor "
                    f"of shape {t.shape}; a hook must keep the shape")
            g = res if create_graph else res.array
    return g


def _run_post_accumulate_hooks(t):
    """Call the leaf's post-accumulate hooks with the leaf itself, ``.grad`` now final."""
    for hook in list(t._post_acc_hooks.values()):
        hook(t)


def _accumulate_leaf(t, g, create_graph, assigned):
    """Add ``g`` into ``t._grad``. A leaf's ``.grad`` always owns its memory, so
    changing one gradient in place can never change another."""
    if create_graph:
        t._grad = g if t._grad is None else t._grad + g
        return
    if t._grad is None:
        if id(g) in assigned or g.base is not None or not getattr(g.flags, "writeable", True):
            g = np.array(g) if type(g) is np.ndarray or isinstance(g, np.generic) else g.copy()
        if type(g) is not np.ndarray:
            g = _array(g)
        assigned.add(id(g))
        t._grad = Tensor._make(g)
    else:
        s = t._grad.array + g
        t._grad = Tensor._make(s if type(s) is np.ndarray else _array(s))


def _array(g):
    """``g`` as an array: numbers and numpy scalars become numpy arrays, device arrays
    (CuPy, strict) stay as they are."""
    return g if is_array(g) else np.asarray(g)


def _seed(out, gradient, create_graph, what="backward"):
    """The starting entry of the grad table: d out / d out."""
    if gradient is None:
        if out.array.size != 1:
            raise RuntimeError(
                f"{what}: grad can be implicitly created only for a tensor with one element, "
                f"but the output has shape {out.shape}. Either reduce it to a scalar first "
                f"(e.g. out.sum().backward()), or pass the gradient d loss/d out explicitly: "
                f"out.backward(gradient) with a gradient of shape {out.shape}"
            )
        a = out.array  # NOTE: a 0-d loss's seed made in C (np.ones_like is Python-level)
        g = np.array(1, a.dtype) if type(a) is np.ndarray and a.ndim == 0 else np.ones_like(a)
        return Tensor._make(g) if create_graph else g
    if not isinstance(gradient, Tensor):
        gradient = Tensor(backend_of(out.array).asarray(gradient, out.array.dtype))
    if gradient.shape != out.shape:
        raise RuntimeError(
            f"{what}: the gradient has shape {gradient.shape} but the output has shape "
            f"{out.shape}; they must match"
        )
    if type(gradient.array) is not type(out.array):
        same_device(what, [out.array, gradient.array])
    if create_graph:
        return gradient
    if type(out.array) is not np.ndarray:
        return gradient.array.astype(out.array.dtype)  # a copy, on the device
    # NOTE: the caller's array itself, not a copy (a 4.8 MB copy was a tenth of an
    # activation's backward): no rule writes into a gradient, and a leaf that would keep
    # it as .grad copies it (run_backward marks the seeds as not the pass's to give away)
    if gradient.array.dtype == out.array.dtype and type(gradient.array) is np.ndarray:
        return gradient.array
    return np.array(gradient.array, dtype=out.array.dtype)


def _check_output(out, what):
    if not isinstance(out, Tensor):
        raise TypeError(f"{what} expects Tensors, got {type(out).__name__}")
    if not out._rg:
        raise RuntimeError(
            f"{what}: this tensor does not require grad and has no grad_fn, so there is "
            "nothing to differentiate. Create the inputs with requires_grad=True (and make "
            "sure the computation did not run under ag.no_grad())"
        )


def backward(tensors, grad_tensors=None, retain_graph=False, create_graph=False, inputs=None):
    """Back-propagate from ``tensors``, accumulating gradients into leaves' ``.grad``."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
        grad_tensors = (grad_tensors,)
    else:
        tensors = tuple(tensors)
        grad_tensors = (None,) * len(tensors) if grad_tensors is None else tuple(grad_tensors)
    for t in tensors:
        _check_output(t, "backward")
    seeds = [_seed(t, g, create_graph) for t, g in zip(tensors, grad_tensors)]
    if inputs is not None:
        inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        got = run_backward(tensors, seeds, retain_graph or create_graph, create_graph,
                           targets=inputs, accumulate=False)
        for x in inputs:
            g = got.get(id(x))
            if g is not None:
                _accumulate_leaf(x, g, create_graph, {id(s) for s in seeds})
                if x._post_acc_hooks:
                    _run_post_accumulate_hooks(x)
        return
    run_backward(tensors, seeds, retain_graph or create_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple of Tensors.

    Nothing is accumulated into ``.grad``. With ``create_graph=True`` the returned
    gradients are themselves differentiable (Hessians, Hessian-vector products).
    """
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"grad: input {i} is a {type(x).__name__}, not a Tensor")
        if not x._rg:
            raise RuntimeError(
                f"grad: input {i} (shape {x.shape}) does not require grad; create it with "
                "requires_grad=True or call x.requires_grad_()")
    for t in outputs:
        _check_output(t, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    seeds = [_seed(t, g, create_graph, "grad") for t, g in zip(outputs, grad_outputs)]
    got = run_backward(outputs, seeds, retain_graph, create_graph, targets=inputs, accumulate=False)
    result = []
    for i, x in enumerate(inputs):
        g = got.get(id(x))
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {x.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it")
            result.append(None)
        elif create_graph:
            result.append(g)
        else:
            result.append(Tensor._make(g if type(g) is np.ndarray else _array(g)))
    return tuple(result)

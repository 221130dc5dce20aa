"""Reading a computational graph for drawing, without recursion.

:func:`collect` walks the graph breadth-first from the outputs (so a capped drawing
keeps what is nearest the output) and stops drawing after ``max_nodes`` nodes while
still counting the rest; :func:`forward_order` sorts the drawn tensors inputs-first;
:func:`assign_modules` decides which ``nn.Module`` each operation belongs to.
Every walk uses an explicit stack or queue, so graphs of any depth are fine.
"""
from collections import deque

__all__ = ["collect", "forward_order", "module_info", "assign_modules", "is_constant"]

COUNT_LIMIT = 250_000  # beyond this many nodes the "not drawn" note says "at least"


def is_constant(t, known):
    """A literal folded into the graph (``x * 2.0``): a leaf that needs no gradient,
    holds one number and has no name."""
    return (t.grad_fn is None and not t._rg and t.array.size <= 1 and not t.name
            and id(t) not in known)


def collect(outputs, max_nodes, hide_constants, known):
    """Breadth-first from ``outputs``. Returns ``(drawn, hidden, exact)``: the tensors
    to draw (a tensor with a ``grad_fn`` costs two nodes, itself and its op), how many
    nodes are left out, and whether that count is exact."""
    drawn = []
    seen = set()
    queue = deque()
    for t in outputs:
        if id(t) not in seen:
            seen.add(id(t))
            queue.append(t)
    used = 0
    hidden = 0
    full = False
    while queue:
        t = queue.popleft()
        const = hide_constants and is_constant(t, known)
        cost = 0 if const else (2 if t.grad_fn is not None else 1)
        if not full and used + cost <= max_nodes:
            used += cost
            drawn.append(t)
        else:
            full = True
            hidden += cost
            if hidden >= COUNT_LIMIT:
                return drawn, hidden, False
        if t.grad_fn is not None:
            for p in t.grad_fn.inputs:
                if id(p) not in seen:
                    seen.add(id(p))
                    queue.append(p)
    return drawn, hidden, True


def forward_order(tensors):
    """The tensors sorted so that every tensor comes after its inputs (a post-order
    depth-first walk with an explicit stack; inputs outside ``tensors`` are ignored)."""
    inside = {id(t) for t in tensors}
    done = set()
    order = []
    for root in tensors:
        if id(root) in done:
            continue
        stack = [(root, False)]
        while stack:
            t, expanded = stack.pop()
            if expanded:
                order.append(t)
                continue
            if id(t) in done:
                continue
            done.add(id(t))
            stack.append((t, True))
            if t.grad_fn is not None:
                for p in reversed(t.grad_fn.inputs):
                    if id(p) in inside and id(p) not in done:
                        stack.append((p, False))
    return order


def module_info(model):
    """From a model (anything with ``named_modules()`` and ``named_parameters()``):
    ``modules`` path -> module and ``owner`` id(parameter) -> (path, dotted name).
    A path is a tuple of attribute names; the model itself is ``()``."""
    modules, owner = {}, {}
    if model is None:
        return modules, owner
    if hasattr(model, "named_modules"):
        for name, m in model.named_modules():
            modules[tuple(name.split(".")) if name else ()] = m
    else:
        modules[()] = model
    for name, p in model.named_parameters():
        parts = name.split(".")
        if id(p) not in owner:
            owner[id(p)] = (tuple(parts[:-1]), name)
    return modules, owner


def _common(paths):
    first = paths[0]
    n = len(first)
    for p in paths[1:]:
        n = min(n, len(p))
        for i in range(n):
            if p[i] != first[i]:
                n = i
                break
    return first[:n]


def assign_modules(order, owner, known, modules=None):
    """Which module each tensor of ``order`` (inputs first) belongs to: id -> path.

    0. An op recorded inside a module's ``forward`` carries that module in its node
       (``node.scope``, stamped by ``nn.Module.__call__`` through ``ag.graph_scope``
       once drawing is asked for: ``ag.viz.record_modules``):
       it belongs to exactly that module. This decides every op made by a model's
       layers; the rules below only place ops recorded outside any known module.

    Without a scope a graph does not say which ``forward`` made an op, so ownership
    is read from the parameters:

    1. A parameter belongs to the module that holds it. A tensor computed only
       from parameters (``W.T``) is *parameter-derived* and belongs there too.
    2. An op that reads a parameter-derived tensor belongs to the module owning it
       (the deepest common module when it reads several): ``x @ W.T`` is in the
       Linear that holds ``W``.
    3. An op that reads no parameter (``relu``, ``flatten``, a residual ``+``)
       joins the module of its most recently computed input, provided that some
       module op comes after it; so a ReLU joins the layer that feeds it, while
       the loss after the model's last layer stays outside the model.

    Data inputs and constants belong to no module.
    """
    pos = {id(t): i for i, t in enumerate(order)}
    derived = {}   # id -> path of parameter-derived tensors
    mod = {}
    strong = set()
    scope_path = {id(m): path for path, m in (modules or {}).items()}
    scoped = set()
    for t in order:
        if t.grad_fn is not None and getattr(t.grad_fn, "scope", None) in scope_path:
            mod[id(t)] = scope_path[t.grad_fn.scope]
            scoped.add(id(t))
            strong.add(id(t))
    for t in order:
        k = id(t)
        if t.grad_fn is None:
            if k in owner:
                derived[k] = mod[k] = owner[k][0]
            continue
        ins = t.grad_fn.inputs
        paths = [derived[id(p)] for p in ins if id(p) in derived]
        if paths:
            m = _common(paths)
            if k not in scoped:
                mod[k] = m
            strong.add(k)
            if all(id(p) in derived or is_constant(p, known) for p in ins):
                derived[k] = m
    # which tensors feed, directly or not, an op that reads a parameter
    feeds = set()
    for t in reversed(order):
        k = id(t)
        if t.grad_fn is None:
            continue
        if k in strong or k in feeds:
            for p in t.grad_fn.inputs:
                feeds.add(id(p))
    for t in order:
        k = id(t)
        if t.grad_fn is None or k in strong or k not in feeds:
            continue
        best = None
        for p in t.grad_fn.inputs:
            pk = id(p)
            if mod.get(pk) is not None and p.grad_fn is not None and pk in pos:
                if best is None or pos[pk] > pos[id(best)]:
                    best = p
        if best is not None:
            mod[k] = mod[id(best)]
    return mod

"""``draw``: a picture of the computational graph, with values and gradients.

One node per tensor and one per operation, edges in the direction the forward
pass runs. Inputs are white, parameters red, operations blue, intermediate values
yellow and the output green (a legend says so). With a ``model`` the drawing is
grouped into one box per ``nn.Module`` (see :func:`._graph.assign_modules` for
how an operation is matched to the module that made it), and ``depth`` collapses
every module below that depth into a single node. The walk over the graph is
iterative and stops drawing after ``max_nodes`` nodes, so a graph of any size
draws in about the time it takes to count it.
"""
import numpy as np

from ..tensor import Tensor
from . import _format as fm
from ._backend import drawing_class, graphviz_module
from ._graph import assign_modules, collect, forward_order, is_constant, module_info

__all__ = ["draw"]

OP_SYMBOL = {"add": "+", "sub": "\u2212", "mul": "\u00d7", "div": "\u00f7", "matmul": "@",
             "pow": "**", "pow_scalar": "**", "neg": "\u2212"}
COMMUTATIVE = {"add", "mul", "maximum", "minimum"}
LONG_CHAIN = 12  # above this many nodes in a row, the automatic layout runs top to bottom


def draw(out, show_grad=True, show_data=True, model=None, params=None, rankdir=None,
         hide_constants=False, depth=None, max_nodes=500, legend=True, names=None, title=None):
    """Draw the computational graph that produced ``out``.

    out:            a Tensor, or a list / dict of Tensors (a dict's keys name them).
    show_grad:      show each tensor's ``.grad`` ("grad: not computed yet" before
                    ``backward``; an intermediate's gradient is "not kept" unless
                    ``retain_grad()`` was called: ``draw_grad_table`` shows them all).
    show_data:      show values (tensors of at most 6 elements) or their range.
    model:          an ``nn.Module`` (anything with ``named_parameters()`` and
                    ``named_modules()``): names parameters and groups the drawing
                    into one box per module.
    params:         a dict name -> Tensor (or ``(name, tensor)`` pairs) of parameters
                    to name and colour as such, for graphs built without nn.
    rankdir:        "LR" (left to right) or "TB" (top to bottom); by default LR,
                    or TB when the longest chain is over 12 nodes (deep models
                    then read down the page instead of running off its side).
    hide_constants: leave out literal numbers (``x * 2``); the op shows them instead.
    depth:          with a model, draw modules deeper than this as single boxes:
                    ``depth=1`` draws one box per layer of a Sequential, ``0`` the
                    whole model as one box.
    max_nodes:      draw at most this many nodes (those nearest the output); a note
                    says how many more there are.
    legend:         add a legend explaining the colours.
    names:          a dict Tensor -> name (or name -> Tensor) for any tensor.
    title:          a caption above the drawing.

    Returns a ``graphviz.Digraph``: shows inline in a notebook, ``.render(path,
    format="png")`` writes a file, ``.source`` is the DOT text. Without the Graphviz
    program the DOT text is still valid and a notebook shows a text description.
    """
    return build(out, show_grad=show_grad, show_data=show_data, model=model, params=params,
                 rankdir=rankdir, hide_constants=hide_constants, depth=depth,
                 max_nodes=max_nodes, legend=legend, names=names, title=title)


# ---------------------------------------------------------------------- inputs
def _outputs(out):
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


def _pairs(obj, what):
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


def _path_name(path):
    return ".".join(path)


def _fold_parameter_free(box, order, modules):
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


def _module_title(path, m):
    cls = type(m).__name__
    return f"{_path_name(path)}: {cls}" if path else cls


def _extra(m, limit=44):
    try:
        s = m.extra_repr() if hasattr(m, "extra_repr") else ""
    except Exception:  # a module's repr must never break a drawing
        s = ""
    s = " ".join(str(s).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _op_params(node, limit=2):
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


# ---------------------------------------------------------------------- the builder
def build(out, show_grad=True, show_data=True, model=None, params=None, rankdir=None,
          hide_constants=False, depth=None, max_nodes=500, legend=True, names=None, title=None,
          decorate=None, side_nodes=(), legend_extra=(), highlight_edges=None, title_width=None):
    """``draw`` with hooks for the grad-table views: ``decorate(t)`` may return a
    dict with ``step`` (a badge text), ``step_no``, ``state`` ("filled", "hot" or
    "pending"), ``grad`` (rows replacing the gradient rows), ``color``/``penwidth``
    (the border), ``step_hidden`` (badge drawn invisibly, to keep the layout); ``side_nodes`` are (id, label) nodes added
    beside the graph; ``highlight_edges(t)`` says whether the edges into ``t``'s op
    are drawn highlighted."""
    if rankdir not in (None, "LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if max_nodes is None:
        max_nodes = float("inf")
    if max_nodes < 1:
        raise ValueError("draw: max_nodes must be at least 1")
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"draw: depth must be None or an int >= 0, got {depth!r}")
    outs, onames = _outputs(out)
    cls = drawing_class()

    modules, owner = module_info(model)
    known = {}
    for pid, (_, name) in owner.items():
        known[pid] = name
    param_ids = set(owner)
    for name, t in _pairs(params, "params"):
        known[id(t)] = name
        param_ids.add(id(t))
    for name, t in _pairs(names, "names"):
        known[id(t)] = name
    for k, v in onames.items():
        known.setdefault(k, v)

    drawn, hidden, exact = collect(outs, max_nodes, hide_constants, known)
    order = forward_order(drawn)
    index = {id(t): i for i, t in enumerate(order)}
    out_ids = set(onames)
    mod = assign_modules(order, owner, known, modules) if (owner or modules) else {}

    def name_of(t):
        return known.get(id(t)) or t.name

    def role(t):
        if id(t) in out_ids:
            return "output"
        if t.grad_fn is not None:
            return "value"
        if id(t) in param_ids or type(t).__name__ == "Parameter":
            return "param"
        if is_constant(t, known):
            return "const"
        return "input"

    # which tensors fold into a collapsed module box
    box = {}
    folded = {}  # box path -> the parameter-free sibling modules drawn inside it
    if model is not None and depth is not None:
        for t in order:
            p = mod.get(id(t))
            if p is not None and len(p) >= depth:
                box[id(t)] = p[:depth]
        box, folded = _fold_parameter_free(box, order, modules)
    backward_ran = any(t.grad_fn is not None and t.grad_fn.freed for t in order) or any(
        t._grad is not None for t in order if t.grad_fn is None)

    g = cls(name="gradtable", graph_attr={
        "fontname": fm.FONT, "fontsize": "12", "nodesep": "0.25",
        "ranksep": "0.35", "bgcolor": "white", "pad": "0.2", "newrank": "true"},
        node_attr={"fontname": fm.FONT, "fontsize": "11", "penwidth": "1.2"},
        edge_attr={"color": "#666666", "arrowsize": "0.7", "fontname": fm.FONT, "fontsize": "9",
                   "fontcolor": "#555555"})

    clusters = {}   # path -> list of (node id, attrs)
    top = []        # nodes outside every module
    roles = set()
    text_lines = []

    def place(path, item):
        if path is None:
            top.append(item)
        else:
            clusters.setdefault(path, []).append(item)

    def tid(t):
        return f"t{index[id(t)]}"

    def oid(t):
        return f"o{index[id(t)]}"

    def bid(path):
        return "m_" + ("_".join(path) if path else "root")

    announced = {}  # box path -> its line in the text description

    def arg_name(p):
        if id(p) not in index:
            return "..."
        if id(p) in box and id(p) not in out_ids:
            return f"[{_path_name(box[id(p)]) or 'model'}]"
        return name_of(p) or tid(p)
    # ---- tensors and ops
    for t in order:
        k = id(t)
        r = role(t)
        if hide_constants and r == "const":
            continue
        dec = decorate(t) if decorate else None
        in_box = k in box
        if in_box and box[k] not in announced:
            announced[box[k]] = len(text_lines)
            text_lines.append("")
        show_node = not in_box or k in out_ids
        if show_node:
            roles.add(r)
            fill, border = fm.COLORS[r]
            rows = [(fm.shape_text(t), "small")]
            if show_data:
                rows += [(line, "mono") for line in _value_lines(t)]
            if dec and "grad" in dec:
                rows += dec["grad"]
            elif show_grad and t._rg:
                if t._grad is not None:
                    rows += [(line, "filled") for line in fm.value_lines("grad", t._grad.array)]
                elif t.grad_fn is None or t._retains_grad or not backward_ran:
                    rows.append(("grad: not computed yet", "pending"))
                # NOTE: after backward an intermediate's gradient is gone (unless
                # retain_grad() was called); saying so on every node is clutter, and
                # draw_grad_table shows them all.
            title_text = name_of(t) or ("input" if r == "input" else None)
            step_color = (fill if dec.get("step_hidden") else dec.get("step_color")) if dec else None
            label = fm.html_label(title_text, rows, step=dec.get("step") if dec else None,
                                  step_color=step_color)
            attrs = {"label": label, "shape": "box", "style": "rounded,filled",
                     "fillcolor": fill, "color": border, "margin": "0.08,0.04"}
            if r == "output":
                attrs["penwidth"] = "2"
            if r == "const":
                attrs.update(shape="box", style="rounded,filled", fontsize="9")
            if dec and dec.get("color"):
                attrs["color"] = dec["color"]
                attrs["penwidth"] = dec.get("penwidth", "3")
            path = None if k in out_ids and in_box else mod.get(k)
            if r in ("input", "const"):
                path = None
            place(path, (tid(t), attrs))
            text_lines.append(_text_line(t, name_of(t) or tid(t), r, index, arg_name,
                                         show_grad, show_data))
        if t.grad_fn is not None and not in_box:
            node = t.grad_fn
            roles.add("op")
            name = node.op.name
            sym = OP_SYMBOL.get(name)
            rows = [(s, "small") for s in _op_params(node)]
            if hide_constants:
                consts = [fm.num(p.array) for p in node.inputs if is_constant(p, known)]
                if consts:
                    rows.append(("with " + ", ".join(consts), "small"))
            attrs = {"label": fm.html_label(f"{name} {sym}" if sym else name, rows),
                     "shape": "box", "style": "rounded,filled", "fillcolor": fm.COLORS["op"][0],
                     "color": fm.COLORS["op"][1], "margin": "0.06,0.02", "height": "0.3"}
            if highlight_edges and highlight_edges(t):
                attrs["color"] = fm.HIGHLIGHT
                attrs["penwidth"] = "2.5"
            place(mod.get(k), (oid(t), attrs))

    # ---- collapsed module boxes
    box_members = {}
    for t in order:
        if id(t) in box:
            box_members.setdefault(box[id(t)], []).append(t)
    for path, members in box_members.items():
        roles.add("layer")
        m = modules.get(path)
        rows = []
        ex = _extra(m) if m is not None else ""
        if ex:
            rows.append((ex, "small"))
        ops = []
        for t in members:
            if t.grad_fn is not None and t.grad_fn.op.name not in ops:
                ops.append(t.grad_fn.op.name)
        if ops:
            shown = ", ".join(ops[:5]) + (", ..." if len(ops) > 5 else "")
            rows.append(("ops: " + shown, "small"))
        ps = [t for t in members if t.grad_fn is None and id(t) in owner]
        decs = [d for d in (decorate(t) for t in members) if d] if decorate else []
        if ps:
            n = sum(int(p.array.size) for p in ps)
            rows.append((f"{n:,} parameters", "small"))
            with_grad = [p for p in ps if p._grad is not None]
            if not show_grad or decorate:
                pass  # in the grad-table views the border colour tells the state
            elif with_grad:
                norm = float(np.sqrt(sum(float(np.sum(np.square(p._grad.array, dtype=np.float64)))
                                         for p in with_grad)))
                rows.append((f"|grad| {fm.num(norm)}", "filled"))
            else:
                rows.append(("grad: not computed yet", "pending"))
        title_text = _module_title(path, m) if m is not None else _path_name(path)
        for q in folded.get(path, ()):
            title_text += " + " + _module_title(q, modules[q])
        if path in announced:
            text_lines[announced[path]] = f"[{title_text}] " + "; ".join(r[0] for r in rows)
        fill, border = fm.COLORS["layer"]
        badge, badge_color = None, None
        if decs:  # a grad-table view: the box shows the steps of the rows it holds
            steps = sorted(d["step_no"] for d in decs if "step_no" in d)
            hot = [d for d in decs if d.get("state") == "hot"]
            done = all(d.get("state") == "filled" for d in decs)
            if steps:
                badge = f"steps {steps[0]}-{steps[-1]}" if len(steps) > 1 else f"step {steps[0]}"
            if hot:
                # NOTE: only colours change between frames, never the text, so every
                # frame of a backward animation keeps the same layout.
                border, badge_color = fm.HIGHLIGHT, fm.HIGHLIGHT
            elif done:
                border, badge_color = fm.FILLED, fm.FILLED
            else:
                badge_color = fill
        attrs = {"label": fm.html_label(title_text, rows, step=badge, step_color=badge_color),
                 "shape": "box", "style": "rounded,filled", "fillcolor": fill, "color": border,
                 "penwidth": "4" if decs and border == fm.HIGHLIGHT else "1.6"}
        place(path[:-1] if path else None, (bid(path), attrs))

    # ---- edges
    edges = {}

    def src_of(p):
        k = id(p)
        if k not in index:
            return "more"
        if hide_constants and role(p) == "const":
            return None
        if k in box and k not in out_ids:
            return bid(box[k])
        return tid(p)

    for t in order:
        k = id(t)
        if t.grad_fn is None:
            continue
        dst = bid(box[k]) if k in box else oid(t)
        ins = t.grad_fn.inputs
        distinct = len({id(p) for p in ins}) > 1
        hot = bool(highlight_edges and highlight_edges(t))
        for i, p in enumerate(ins):
            s = src_of(p)
            if s is None or s == dst:
                continue
            attrs = {}
            if s.startswith("m_") and id(p) in index:
                attrs["label"] = fm.shape_only(p)
            elif distinct and t.grad_fn.op.name not in COMMUTATIVE and dst.startswith("o"):
                attrs["headlabel"] = str(i + 1)
                attrs["labelfontsize"] = "8"
                attrs["labelfontcolor"] = "#2f6bc4"
            if hot:
                attrs.update(color=fm.HIGHLIGHT, penwidth="2.2", dir="back", arrowtail="normal")
            edges.setdefault((s, dst), attrs)
        if k not in box:
            edges.setdefault((oid(t), tid(t)), dict(color=fm.HIGHLIGHT, penwidth="2.2", dir="back")
                             if hot else {})
        elif k in out_ids:
            edges.setdefault((bid(box[k]), tid(t)), {})

    if rankdir is None:
        rankdir = "TB" if _longest_chain(edges) > LONG_CHAIN else "LR"
    g.attr(rankdir=rankdir)

    # ---- assemble: nested clusters, innermost first
    all_paths = set(clusters)
    for p in list(all_paths):
        for n in range(len(p)):
            all_paths.add(p[:n])
    subs = {}
    gv = graphviz_module().Digraph
    for path in sorted(all_paths, key=len, reverse=True):
        sub = gv(name="cluster_" + ("_".join(path) if path else "root"))
        m = modules.get(path)
        label = _module_title(path, m) if m is not None else _path_name(path)
        if not path and model is not None:
            label = f"{label} (model)"
        sub.attr(label=label, style="rounded,dashed" if not path else "rounded",
                 color=fm.COLORS["layer"][1], fontcolor=fm.COLORS["layer"][1],
                 fontname=fm.FONT, fontsize="11", labeljust="l", margin="10")
        for nid, attrs in clusters.get(path, []):
            sub.node(nid, **attrs)
        for child in sorted(p for p in subs if len(p) == len(path) + 1 and p[:-1] == path):
            sub.subgraph(subs.pop(child))
        subs[path] = sub
    for nid, attrs in top:
        g.node(nid, **attrs)
    for path in sorted(subs):
        g.subgraph(subs[path])
    for (s, d), attrs in edges.items():
        g.edge(s, d, **attrs)

    drawn_nodes = sum(1 for t in order if not (hide_constants and role(t) == "const")
                      and (id(t) not in box or id(t) in out_ids)) \
        + sum(1 for t in order if t.grad_fn is not None and id(t) not in box) + len(box_members)
    if hidden:
        more = f"{hidden:,}" if exact else f"at least {hidden:,}"
        g.node("more", label=f"... {more} more nodes not drawn\n(max_nodes={max_nodes})",
               shape="note", style="filled,dashed", fillcolor="#ffffff", color="#888888",
               fontcolor="#444444", fontsize="12")
    for nid, label in side_nodes:
        g.node(nid, label=label, shape="plaintext")
    header = fm.header_label(title, roles, legend_extra, legend, title_width)
    if header:  # the caption and the legend, above the graph
        g.attr(label=header, labelloc="t", labeljust="l")

    g.nodes_drawn = drawn_nodes
    g.nodes_not_drawn = hidden
    head = f"Computational graph: {drawn_nodes} nodes drawn"
    if hidden:
        head += f", {'' if exact else 'at least '}{hidden:,} more not drawn (max_nodes={max_nodes})"
    g.text = "\n".join([(title + "\n" if title else "") + head + " (inputs first):"]
                       + ["  " + s for s in text_lines])
    return g


def _longest_chain(edges):
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


def _text_line(t, label, role, index, arg_name, show_grad, show_data):
    """One line of the text description shown when Graphviz is missing."""
    parts = [f"{label}"]
    if t.grad_fn is not None:
        args = ", ".join(arg_name(p) for p in t.grad_fn.inputs)
        parts.append(f"= {t.grad_fn.op.name}({args})")
    else:
        parts.append(f"({role})")
    parts.append(fm.shape_text(t))
    if show_data:
        parts.append(_value_lines(t)[0] if t.array.size <= fm.SMALL
                     else "value " + fm.summary(t.array))
    if show_grad and t._rg and t._grad is not None:
        parts.append(" ".join(fm.value_lines("grad", t._grad.array)))
    return "  ".join(parts)


def _value_lines(t):
    """The value rows of a node; a value dropped by a backward without retain_graph
    says so instead of showing numbers it no longer has."""
    from ..engine import FreedTensor

    if isinstance(t, FreedTensor):
        return ["value: freed by backward (draw before it, or pass retain_graph=True)"]
    return fm.value_lines("value", t.array)

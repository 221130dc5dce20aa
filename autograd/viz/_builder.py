"""The drawing pipeline behind ``draw`` and the grad-table views, one step per idea:

    name the tensors -> walk the graph -> find collapsed module boxes -> place the
    tensor and op nodes -> place the module boxes -> connect them -> assemble the
    nested clusters -> the caption, the counts and the text description.

Each step is a method of :class:`Drawing`, which holds what the steps share (the
forward order of the drawn tensors, who is known by which name, which module owns
which tensor, the nodes placed so far).
"""
import numpy as np

from . import _format as fm
from ._backend import drawing_class, graphviz_module
from ._graph import assign_modules, collect, forward_order, is_constant, module_info
from ._pieces import (COMMUTATIVE, LONG_CHAIN, OP_SYMBOL, extra_repr, fold_parameter_free,
                      longest_chain, module_title, op_params, outputs, pairs, path_name, text_line,
                      value_lines)

__all__ = ["Drawing", "check_options"]


def check_options(rankdir, max_nodes, depth):
    if rankdir not in (None, "LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError("draw: max_nodes must be at least 1")
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"draw: depth must be None or an int >= 0, got {depth!r}")


class Drawing:
    """One drawing in the making (see the module docstring for the steps)."""

    def __init__(self, out, show_grad, show_data, hide_constants, decorate, highlight_edges):
        self.outs, self.onames = outputs(out)
        self.cls = drawing_class()
        self.show_grad, self.show_data = show_grad, show_data
        self.hide_constants = hide_constants
        self.decorate, self.highlight_edges = decorate, highlight_edges
        self.clusters = {}   # path -> list of (node id, attrs)
        self.top = []        # nodes outside every module
        self.roles = set()
        self.text_lines = []
        self.announced = {}  # box path -> its line in the text description
        self.edges = {}

    # ------------------------------------------------------------ naming and walking
    def name_tensors(self, model, params, names):
        """Who is called what: parameters of the model and of ``params``, ``names``,
        and the outputs."""
        self.model = model
        self.modules, self.owner = module_info(model)
        known = {pid: name for pid, (_, name) in self.owner.items()}
        self.param_ids = set(self.owner)
        for name, t in pairs(params, "params"):
            known[id(t)] = name
            self.param_ids.add(id(t))
        for name, t in pairs(names, "names"):
            known[id(t)] = name
        for k, v in self.onames.items():
            known.setdefault(k, v)
        self.known = known

    def walk(self, max_nodes):
        """The drawn tensors in forward order, and the module each belongs to."""
        drawn, self.hidden, self.exact = collect(self.outs, max_nodes, self.hide_constants,
                                                 self.known)
        self.order = forward_order(drawn)
        self.index = {id(t): i for i, t in enumerate(self.order)}
        self.out_ids = set(self.onames)
        self.mod = (assign_modules(self.order, self.owner, self.known, self.modules)
                    if (self.owner or self.modules) else {})

    def find_boxes(self, depth):
        """Which tensors fold into a collapsed module box (``depth``), and whether a
        backward pass has run."""
        self.box, self.folded = {}, {}
        if self.model is not None and depth is not None:
            for t in self.order:
                p = self.mod.get(id(t))
                if p is not None and len(p) >= depth:
                    self.box[id(t)] = p[:depth]
            self.box, self.folded = fold_parameter_free(self.box, self.order, self.modules)
        self.backward_ran = any(t.grad_fn is not None and t.grad_fn.freed for t in self.order) or any(
            t._grad is not None for t in self.order if t.grad_fn is None)

    # ------------------------------------------------------------ small queries
    def name_of(self, t):
        return self.known.get(id(t)) or t.name

    def role(self, t):
        if id(t) in self.out_ids:
            return "output"
        if t.grad_fn is not None:
            return "value"
        if id(t) in self.param_ids or type(t).__name__ == "Parameter":
            return "param"
        if is_constant(t, self.known):
            return "const"
        return "input"

    def place(self, path, item):
        if path is None:
            self.top.append(item)
        else:
            self.clusters.setdefault(path, []).append(item)

    def tid(self, t):
        return f"t{self.index[id(t)]}"

    def oid(self, t):
        return f"o{self.index[id(t)]}"

    @staticmethod
    def bid(path):
        return "m_" + ("_".join(path) if path else "root")

    def arg_name(self, p):
        if id(p) not in self.index:
            return "..."
        if id(p) in self.box and id(p) not in self.out_ids:
            return f"[{path_name(self.box[id(p)]) or 'model'}]"
        return self.name_of(p) or self.tid(p)

    # ------------------------------------------------------------ tensors and ops
    def place_nodes(self):
        """A node per tensor and per op, except inside collapsed boxes."""
        for t in self.order:
            k = id(t)
            r = self.role(t)
            if self.hide_constants and r == "const":
                continue
            dec = self.decorate(t) if self.decorate else None
            in_box = k in self.box
            if in_box and self.box[k] not in self.announced:
                self.announced[self.box[k]] = len(self.text_lines)
                self.text_lines.append("")
            if not in_box or k in self.out_ids:
                self.place_tensor(t, r, dec, in_box)
            if t.grad_fn is not None and not in_box:
                self.place_op(t)

    def tensor_rows(self, t, dec):
        rows = [(fm.shape_text(t), "small")]
        if self.show_data:
            rows += [(line, "mono") for line in value_lines(t)]
        if dec and "grad" in dec:
            rows += dec["grad"]
        elif self.show_grad and t._rg:
            if t._grad is not None:
                rows += [(line, "filled") for line in fm.value_lines("grad", t._grad.array)]
            elif t.grad_fn is None or t._retains_grad or not self.backward_ran:
                rows.append(("grad: not computed yet", "pending"))
            # NOTE: after backward an intermediate's gradient is gone (unless
            # retain_grad() was called); saying so on every node is clutter, and
            # draw_grad_table shows them all.
        return rows

    def place_tensor(self, t, r, dec, in_box):
        k = id(t)
        self.roles.add(r)
        fill, border = fm.COLORS[r]
        title_text = self.name_of(t) or ("input" if r == "input" else None)
        step_color = (fill if dec.get("step_hidden") else dec.get("step_color")) if dec else None
        label = fm.html_label(title_text, self.tensor_rows(t, dec),
                              step=dec.get("step") if dec else None, step_color=step_color)
        attrs = {"label": label, "shape": "box", "style": "rounded,filled",
                 "fillcolor": fill, "color": border, "margin": "0.08,0.04"}
        if r == "output":
            attrs["penwidth"] = "2"
        if r == "const":
            attrs.update(shape="box", style="rounded,filled", fontsize="9")
        if dec and dec.get("color"):
            attrs["color"] = dec["color"]
            attrs["penwidth"] = dec.get("penwidth", "3")
        path = None if k in self.out_ids and in_box else self.mod.get(k)
        if r in ("input", "const"):
            path = None
        self.place(path, (self.tid(t), attrs))
        self.text_lines.append(text_line(t, self.name_of(t) or self.tid(t), r, self.arg_name,
                                         self.show_grad, self.show_data))

    def place_op(self, t):
        node = t.grad_fn
        self.roles.add("op")
        name = node.op.name
        sym = OP_SYMBOL.get(name)
        rows = [(s, "small") for s in op_params(node)]
        if self.hide_constants:
            consts = [fm.num(p.array) for p in node.inputs if is_constant(p, self.known)]
            if consts:
                rows.append(("with " + ", ".join(consts), "small"))
        attrs = {"label": fm.html_label(f"{name} {sym}" if sym else name, rows),
                 "shape": "box", "style": "rounded,filled", "fillcolor": fm.COLORS["op"][0],
                 "color": fm.COLORS["op"][1], "margin": "0.06,0.02", "height": "0.3"}
        if self.highlight_edges and self.highlight_edges(t):
            attrs["color"] = fm.HIGHLIGHT
            attrs["penwidth"] = "2.5"
        self.place(self.mod.get(id(t)), (self.oid(t), attrs))

    # ------------------------------------------------------------ collapsed module boxes
    def place_boxes(self):
        self.box_members = {}
        for t in self.order:
            if id(t) in self.box:
                self.box_members.setdefault(self.box[id(t)], []).append(t)
        for path, members in self.box_members.items():
            self.place_box(path, members)

    def box_rows(self, m, members, decs):
        rows = []
        ex = extra_repr(m) if m is not None else ""
        if ex:
            rows.append((ex, "small"))
        ops = []
        for t in members:
            if t.grad_fn is not None and t.grad_fn.op.name not in ops:
                ops.append(t.grad_fn.op.name)
        if ops:
            rows.append(("ops: " + ", ".join(ops[:5]) + (", ..." if len(ops) > 5 else ""), "small"))
        ps = [t for t in members if t.grad_fn is None and id(t) in self.owner]
        if ps:
            n = sum(int(p.array.size) for p in ps)
            rows.append((f"{n:,} parameters", "small"))
            with_grad = [p for p in ps if p._grad is not None]
            if not self.show_grad or self.decorate:
                pass  # in the grad-table views the border colour tells the state
            elif with_grad:
                norm = float(np.sqrt(sum(float(np.sum(np.square(p._grad.array, dtype=np.float64)))
                                         for p in with_grad)))
                rows.append((f"|grad| {fm.num(norm)}", "filled"))
            else:
                rows.append(("grad: not computed yet", "pending"))
        return rows

    @staticmethod
    def box_badge(decs, fill, border):
        """A grad-table view's box shows the steps of the rows it holds."""
        badge, badge_color = None, None
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
        return badge, badge_color, border

    def place_box(self, path, members):
        self.roles.add("layer")
        m = self.modules.get(path)
        decs = [d for d in (self.decorate(t) for t in members) if d] if self.decorate else []
        rows = self.box_rows(m, members, decs)
        title_text = module_title(path, m) if m is not None else path_name(path)
        for q in self.folded.get(path, ()):
            title_text += " + " + module_title(q, self.modules[q])
        if path in self.announced:
            self.text_lines[self.announced[path]] = f"[{title_text}] " + "; ".join(r[0] for r in rows)
        fill, border = fm.COLORS["layer"]
        badge, badge_color = None, None
        if decs:
            badge, badge_color, border = self.box_badge(decs, fill, border)
        attrs = {"label": fm.html_label(title_text, rows, step=badge, step_color=badge_color),
                 "shape": "box", "style": "rounded,filled", "fillcolor": fill, "color": border,
                 "penwidth": "4" if decs and border == fm.HIGHLIGHT else "1.6"}
        self.place(path[:-1] if path else None, (self.bid(path), attrs))

    # ------------------------------------------------------------ edges
    def src_of(self, p):
        k = id(p)
        if k not in self.index:
            return "more"
        if self.hide_constants and self.role(p) == "const":
            return None
        if k in self.box and k not in self.out_ids:
            return self.bid(self.box[k])
        return self.tid(p)

    def connect(self):
        """Edges from each input to its op, and from each op to its result."""
        edges, box = self.edges, self.box
        for t in self.order:
            k = id(t)
            if t.grad_fn is None:
                continue
            dst = self.bid(box[k]) if k in box else self.oid(t)
            hot = bool(self.highlight_edges and self.highlight_edges(t))
            self.connect_inputs(t, dst, hot)
            if k not in box:
                edges.setdefault((self.oid(t), self.tid(t)),
                                 dict(color=fm.HIGHLIGHT, penwidth="2.2", dir="back") if hot else {})
            elif k in self.out_ids:
                edges.setdefault((self.bid(box[k]), self.tid(t)), {})

    def connect_inputs(self, t, dst, hot):
        ins = t.grad_fn.inputs
        distinct = len({id(p) for p in ins}) > 1
        for i, p in enumerate(ins):
            s = self.src_of(p)
            if s is None or s == dst:
                continue
            attrs = {}
            if s.startswith("m_") and id(p) in self.index:
                attrs["label"] = fm.shape_only(p)
            elif distinct and t.grad_fn.op.name not in COMMUTATIVE and dst.startswith("o"):
                attrs["headlabel"] = str(i + 1)
                attrs["labelfontsize"] = "8"
                attrs["labelfontcolor"] = "#2f6bc4"
            if hot:
                attrs.update(color=fm.HIGHLIGHT, penwidth="2.2", dir="back", arrowtail="normal")
            self.edges.setdefault((s, dst), attrs)

    # ------------------------------------------------------------ assembling
    def graph(self, rankdir):
        g = self.cls(name="gradtable", graph_attr={
            "fontname": fm.FONT, "fontsize": "12", "nodesep": "0.25",
            "ranksep": "0.35", "bgcolor": "white", "pad": "0.2", "newrank": "true"},
            node_attr={"fontname": fm.FONT, "fontsize": "11", "penwidth": "1.2"},
            edge_attr={"color": "#666666", "arrowsize": "0.7", "fontname": fm.FONT, "fontsize": "9",
                       "fontcolor": "#555555"})
        if rankdir is None:
            rankdir = "TB" if longest_chain(self.edges) > LONG_CHAIN else "LR"
        g.attr(rankdir=rankdir)
        return g

    def cluster(self, path, subs):
        """The cluster of one module path, with its nodes and its finished children."""
        sub = graphviz_module().Digraph(name="cluster_" + ("_".join(path) if path else "root"))
        m = self.modules.get(path)
        label = module_title(path, m) if m is not None else path_name(path)
        if not path and self.model is not None:
            label = f"{label} (model)"
        sub.attr(label=label, style="rounded,dashed" if not path else "rounded",
                 color=fm.COLORS["layer"][1], fontcolor=fm.COLORS["layer"][1],
                 fontname=fm.FONT, fontsize="11", labeljust="l", margin="10")
        for nid, attrs in self.clusters.get(path, []):
            sub.node(nid, **attrs)
        for child in sorted(p for p in subs if len(p) == len(path) + 1 and p[:-1] == path):
            sub.subgraph(subs.pop(child))
        return sub

    def assemble(self, g):
        """Nested clusters, innermost first; then the free nodes and the edges."""
        all_paths = set(self.clusters)
        for p in list(all_paths):
            for n in range(len(p)):
                all_paths.add(p[:n])
        subs = {}
        for path in sorted(all_paths, key=len, reverse=True):
            subs[path] = self.cluster(path, subs)
        for nid, attrs in self.top:
            g.node(nid, **attrs)
        for path in sorted(subs):
            g.subgraph(subs[path])
        for (s, d), attrs in self.edges.items():
            g.edge(s, d, **attrs)

    def finish(self, g, max_nodes, side_nodes, title, legend, legend_extra, title_width):
        """The "more nodes" note, side nodes, caption and legend, counts and text."""
        order, box = self.order, self.box
        drawn_nodes = sum(1 for t in order if not (self.hide_constants and self.role(t) == "const")
                          and (id(t) not in box or id(t) in self.out_ids)) \
            + sum(1 for t in order if t.grad_fn is not None and id(t) not in box) \
            + len(self.box_members)
        hidden, exact = self.hidden, self.exact
        if hidden:
            more = f"{hidden:,}" if exact else f"at least {hidden:,}"
            g.node("more", label=f"... {more} more nodes not drawn\n(max_nodes={max_nodes})",
                   shape="note", style="filled,dashed", fillcolor="#ffffff", color="#888888",
                   fontcolor="#444444", fontsize="12")
        for nid, label in side_nodes:
            g.node(nid, label=label, shape="plaintext")
        header = fm.header_label(title, self.roles, legend_extra, legend, title_width)
        if header:  # the caption and the legend, above the graph
            g.attr(label=header, labelloc="t", labeljust="l")
        g.nodes_drawn = drawn_nodes
        g.nodes_not_drawn = hidden
        head = f"Computational graph: {drawn_nodes} nodes drawn"
        if hidden:
            head += f", {'' if exact else 'at least '}{hidden:,} more not drawn (max_nodes={max_nodes})"
        g.text = "\n".join([(title + "\n" if title else "") + head + " (inputs first):"]
                           + ["  " + s for s in self.text_lines])
        return g

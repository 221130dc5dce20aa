"""The grad table of the lecture notes as an object: ``ag.grad_table(out)`` runs the
backward pass of ``autograd.engine`` with a table to fill, and shows it as text or
HTML. The engine only fills a dict; how the table reads lives here.
"""
import numpy as np

from .backend import to_host
from .engine import _check_output, _seed, run_backward

__all__ = ["GradTable", "grad_table"]


class GradTable(dict):
    """The grad table of the lecture notes: node -> d output / d node.

    A dict whose keys are the Tensors of the graph (leaves, intermediates and the
    output) in the order their gradients became final, which is a reverse
    topological order. ``print(table)`` shows it as a table; ``table.rows()`` gives
    the rows as tuples (name, op, shape, value, gradient).
    """

    def __init__(self, output):
        super().__init__()
        self.output = output
        self.names = {}

    def name_of(self, t):
        if t.name:
            return t.name
        if id(t) not in self.names:
            self.names[id(t)] = f"u{len(self.names) + 1}"
        return self.names[id(t)]

    def rows(self):
        out = []
        for t, g in self.items():
            op = t.grad_fn.op.name if t.grad_fn is not None else ("leaf" if t._rg else "const")
            out.append((self.name_of(t), op, tuple(t.shape), t.array, g.array))
        return out

    def __getitem__(self, key):
        return dict.__getitem__(self, key)

    def __str__(self):
        def fmt(a):
            a = np.asarray(to_host(a))
            if a.size <= 6:
                s = np.array2string(a, precision=4, separator=", ", suppress_small=True)
                return " ".join(s.split())
            return f"array{a.shape} mean={a.mean():.4g}"

        rows = [("step", "node", "op", "shape", "value", "d out / d node")]
        for i, (name, op, shape, v, g) in enumerate(self.rows(), 1):
            rows.append((str(i), name, op, str(shape), fmt(v), fmt(g)))
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        import html  # NOTE: on first use: the module costs every program 0.4 MB of memory

        head = "".join(f"<th>{h}</th>" for h in ("step", "node", "op", "shape", "value", "d out / d node"))
        body = []
        for i, (name, op, shape, v, g) in enumerate(self.rows(), 1):
            cells = (i, name, op, shape, np.array2string(np.asarray(to_host(v)), precision=4),
                     np.array2string(np.asarray(to_host(g)), precision=4))
            body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def grad_table(output, gradient=None, retain_graph=True, names=None):
    """Run the backward pass from ``output`` and return the whole grad table.

    Every node of the graph that requires grad (inputs, intermediates, the output)
    maps to d output / d node, in reverse topological order, exactly as the
    lecture notes' algorithm fills it. Nothing is accumulated into ``.grad``; the
    graph is retained by default so the table can be compared with ``backward``.
    ``names`` optionally maps Tensors to display names (``t.name`` is used otherwise).
    """
    _check_output(output, "grad_table")
    table = GradTable(output)
    if names:
        for t, n in (names.items() if isinstance(names, dict) else names):
            table.names[id(t)] = n
    seed = _seed(output, gradient, False, "grad_table")
    run_backward((output,), (seed,), retain_graph, False, accumulate=False, table=table)
    return table

"""The grad table, drawn: the backward pass of the notes, one step at a time.

The engine fills the grad table in reverse topological order: the output first
(d z / d z = 1), then each node once all its consumers have handed it their
share (``ag.grad_table``). These functions draw that process:

* :func:`draw_grad_table` draws the graph with every node's step number and
  gradient, and the table itself beside it;
* :func:`backward_steps` yields one drawing per row of the table, highlighting
  the node being processed and showing the rows filled so far;
* ``backward_steps(out).to_html(path)`` saves them as one self-contained page with
  a slider and a play button (no server, no kernel), which a notebook embeds;
* :func:`animate_backward` plays those drawings with a slider in a live notebook;
* :func:`save_backward_gif` and :func:`save_backward_pngs` export them for
  readers without a kernel.

Every frame has the same layout (pending gradients are blanked out, not
removed), so flipping between frames shows only the table filling in.
"""
import os

from ..table import GradTable, grad_table as _grad_table
from .._tensor import Tensor
from . import _format as fm
from ._backend import GraphvizNotFoundError
from .draw import build

__all__ = ["draw_grad_table", "backward_steps", "BackwardSteps", "animate_backward",
           "save_backward_gif", "save_backward_pngs"]

MAX_TABLE_ROWS = 24  # rows of the side table shown at once (a window around the current step)


def _table(out):
    if isinstance(out, GradTable):
        return out
    if isinstance(out, Tensor):
        return _grad_table(out)
    raise TypeError(f"expected a Tensor or the result of ag.grad_table, got {type(out).__name__}")


def _name_nodes(table, model=None, params=None):
    """Name every row of the table before drawing: a tensor's own name, else the
    parameter's name (``0.weight``), else u1, u2, ... in table order. The names go
    into the table itself, so ``print(table)`` and the drawings agree."""
    pnames = {}
    if model is not None:
        for name, t in model.named_parameters():
            pnames.setdefault(id(t), str(name))
    if params is not None:
        items = params.items() if isinstance(params, dict) else params
        for a, b in items:
            name, t = (a, b) if isinstance(b, Tensor) else (b, a)
            pnames.setdefault(id(t), str(name))
    used = set(table.names.values())
    counter = 0
    for t in table:
        if t.name or id(t) in table.names:
            continue
        if id(t) in pnames:
            table.names[id(t)] = pnames[id(t)]
            continue
        counter += 1
        while f"u{counter}" in used:
            counter += 1
        table.names[id(t)] = f"u{counter}"


class _Rows:
    """The grad table's rows, prepared once for all frames: names (as the printed
    table numbers them), texts of the gradients and who consumes whom."""

    def __init__(self, table, model=None, params=None):
        _name_nodes(table, model, params)
        self.table = table
        self.tensors = list(table)
        self.step = {id(t): i + 1 for i, t in enumerate(self.tensors)}
        self.names = {id(t): table.name_of(t) for t in self.tensors}
        self.grad_lines = {id(t): fm.value_lines("grad", g.array) for t, g in table.items()}
        self.width = {k: max(len(s) for s in lines) for k, lines in self.grad_lines.items()}
        self.consumers = {}
        for t in self.tensors:
            if t.grad_fn is not None:
                for p in t.grad_fn.inputs:
                    if id(p) in self.step:
                        lst = self.consumers.setdefault(id(p), [])
                        if all(u is not t for u in lst):  # identity: == is elementwise
                            lst.append(t)

    def op(self, t):
        return t.grad_fn.op.name if t.grad_fn is not None else "leaf"

    def grad_rows(self, t, state):
        """Gradient rows of ``t`` in a frame: "filled", "hot" (this step) or "pending"."""
        k = id(t)
        lines = self.grad_lines[k]
        if state == "pending":
            blank = ["grad ?"] + [""] * (len(lines) - 1)
            return [(s.ljust(len(line)), "pending") for s, line in zip(blank, lines)]
        return [(line, state) for line in lines]

    def short_grad(self, t):
        g = self.table[t].array
        if g.size > fm.SMALL:
            return f"{fm.shape_only(t)} array, values {fm.summary(g)}"
        lines = self.grad_lines[id(t)]
        s = lines[0][5:] if len(lines) == 1 else " ".join(fm.array_lines(g))
        return s if len(s) <= 40 else s[:37] + "..."

    def side_table(self, current=None):
        """The grad table as an HTML-like label: filled rows in green, the current
        row highlighted, rows not reached yet with "?"."""
        n = len(self.tensors)
        lo, hi = 0, n
        if n > MAX_TABLE_ROWS:
            c = (current or n) - 1
            lo = max(0, min(c - MAX_TABLE_ROWS // 2, n - MAX_TABLE_ROWS))
            hi = lo + MAX_TABLE_ROWS
        head = "".join(f'<TD ALIGN="LEFT"><B>{h}</B></TD>' for h in ("step", "node", "op", "d out / d node"))
        body = []
        if lo > 0:
            body.append(f'<TR><TD COLSPAN="4">... {lo} rows above</TD></TR>')
        for i in range(lo, hi):
            t = self.tensors[i]
            step = i + 1
            grad = self.short_grad(t)
            if current is not None and step > current:
                # NOTE: "?" padded to the gradient's width (monospace) keeps the layout still
                grad, color, bg = "?".ljust(len(grad)), fm.PENDING, ""
            elif step == current:
                color, bg = fm.HIGHLIGHT, ' BGCOLOR="#fde8d4"'
            else:
                color, bg = fm.FILLED, ""
            cells = (str(step), self.names[id(t)], self.op(t))
            body.append(f"<TR>" + "".join(f'<TD ALIGN="LEFT"{bg}>{fm.esc(c)}</TD>' for c in cells)
                        + f'<TD ALIGN="LEFT"{bg}><FONT FACE="{fm.MONO}" COLOR="{color}"><B>'
                        f'{fm.esc(grad).replace(" ", "&#160;")}</B></FONT></TD></TR>')
        if hi < n:
            body.append(f'<TR><TD COLSPAN="4">... {n - hi} rows below</TD></TR>')
        return ('<<TABLE BORDER="1" COLOR="#999999" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4">'
                '<TR><TD COLSPAN="4" ALIGN="LEFT"><FONT POINT-SIZE="13"><B>grad table</B></FONT></TD></TR>'
                f"<TR>{head}</TR>" + "".join(body) + "</TABLE>>")


def draw_grad_table(table, show_table=True, title=None, **draw_kwargs):
    """Draw the graph of ``table.output`` with every node annotated by its step
    in the grad table and its gradient d out / d node (intermediates included).

    ``table`` is the result of ``ag.grad_table(out)`` (a Tensor is accepted too);
    ``show_table`` adds the table itself beside the graph; other keyword
    arguments go to :func:`draw` (``rankdir``, ``model``, ``depth``, ...).
    """
    table = _table(table)
    rows = _Rows(table, draw_kwargs.get("model"), draw_kwargs.get("params"))

    def decorate(t):
        k = id(t)
        if k not in rows.step:
            return None
        return {"step": f"step {rows.step[k]}", "step_no": rows.step[k], "state": "filled",
                "grad": rows.grad_rows(t, "filled")}

    side = [("gradtable", rows.side_table())] if show_table else []
    if title is None:
        title = (f"The grad table of {rows.names[id(table.output)]}: each node's step and its "
                 f"gradient d {rows.names[id(table.output)]} / d node, filled from the output back")
    return build(table.output, names=_names(rows, draw_kwargs.pop("names", None)), title=title,
                 decorate=decorate, side_nodes=side, **draw_kwargs)


def _names(rows, names):
    merged = {t: rows.names[id(t)] for t in rows.tensors}
    if names:
        items = names.items() if isinstance(names, dict) else names
        for a, b in items:
            t, n = (a, b) if isinstance(a, Tensor) else (b, a)
            merged[t] = n
    return merged


def _caption(rows, k):
    t = rows.tensors[k - 1]
    n = len(rows.tensors)
    name = rows.names[id(t)]
    out = rows.names[id(rows.table.output)]
    g = rows.short_grad(t)
    head = f"Backward pass, step {k} of {n}:  grad_table[{name}] = d {out} / d {name} = {g}"
    if k == 1:
        why = f"the output: the table starts with d {out} / d {out} = 1"
    else:
        cons = [rows.names[id(c)] for c in rows.consumers.get(id(t), [])]
        if len(cons) == 1:
            c = cons[0]
            why = f"{name} feeds {c}, so grad_table[{name}] = grad_table[{c}] \u00d7 d {c} / d {name}"
        else:
            why = (f"{name} feeds {', '.join(cons)}, so grad_table[{name}] = the sum over these "
                   f"consumers c of grad_table[c] \u00d7 d c / d {name}")
    if t.grad_fn is not None:
        ins = [rows.names.get(id(p)) for p in t.grad_fn.inputs if id(p) in rows.step]
        if ins:
            why += f";  then {rows.op(t)} passes it back to {', '.join(dict.fromkeys(ins))}"
    elif k > 1:
        why += f";  {name} is a leaf: its gradient is final"
    return head + "\n" + why


def backward_steps(out, show_table=True, **draw_kwargs):
    """One drawing per step of the backward pass (one per row of
    ``ag.grad_table(out)``): frame k shows the gradients of steps 1..k, the node
    of step k highlighted in orange with the edges its gradient flows back along,
    and the table with the rows filled so far.

    ``out`` is a Tensor (its grad table is computed, retaining the graph) or a
    grad table; keyword arguments go to :func:`draw`. Returns a
    :class:`BackwardSteps`: iterate over it (or ``list()`` it) for the drawings, or
    save them all as one page with a slider: ``backward_steps(z).to_html("steps.html")``.
    """
    return BackwardSteps(out, show_table=show_table, **draw_kwargs)


class BackwardSteps:
    """The frames of :func:`backward_steps`: an iterable (and an iterator, like the
    generator it replaces) of ``graphviz.Digraph`` drawings, built one at a time.

    ``len(steps)`` is the number of frames; ``steps.frame(k)`` draws frame k (from 1);
    ``steps.captions`` are their texts; ``steps.to_html(path)`` writes one
    self-contained page (every frame inline, a slider and a play button, no server);
    in a notebook the object displays as that player.
    """

    def __init__(self, out, show_table=True, **draw_kwargs):
        self.table = _table(out)
        self.rows = _Rows(self.table, draw_kwargs.get("model"), draw_kwargs.get("params"))
        self._names = _names(self.rows, draw_kwargs.pop("names", None))
        self.show_table = show_table
        self.draw_kwargs = draw_kwargs
        n = len(self.rows.tensors)
        self.captions = [_caption(self.rows, k) for k in range(1, n + 1)]
        # NOTE: about 6.9 points per character of 14-point Helvetica (measured), so
        # that no caption is wider than the header and every frame has the same size.
        self._width = 6.9 * max((len(line) for c in self.captions for line in c.splitlines()),
                                default=0)
        self._it = None

    def __len__(self):
        return len(self.captions)

    def __iter__(self):
        return (self.frame(k) for k in range(1, len(self) + 1))

    def __next__(self):
        if self._it is None:
            self._it = iter(self)
        return next(self._it)

    def frame(self, k):
        """The drawing of step ``k`` (1 <= k <= len(self))."""
        if not 1 <= k <= len(self):
            raise IndexError(f"backward_steps: step {k} is out of range 1..{len(self)}")
        rows = self.rows
        current = rows.tensors[k - 1]

        def decorate(t):
            s = rows.step.get(id(t))
            if s is None:
                return None
            if s < k:
                return {"step": f"step {s}", "step_no": s, "state": "filled", "grad": rows.grad_rows(t, "filled"),
                        "color": fm.FILLED, "penwidth": "2"}
            if s == k:
                return {"step": f"step {s}", "step_no": s, "state": "hot", "grad": rows.grad_rows(t, "hot"),
                        "color": fm.HIGHLIGHT, "penwidth": "4", "step_color": fm.HIGHLIGHT}
            # NOTE: pending nodes keep an invisible badge and a padded "?" so every
            # frame has the same layout.
            return {"step": f"step {s}", "step_no": s, "state": "pending", "step_hidden": True,
                    "grad": rows.grad_rows(t, "pending")}

        side = [("gradtable", rows.side_table(k))] if self.show_table else []
        legend_extra = [(fm.HIGHLIGHT, "node being processed"), (fm.FILLED, "gradient in the table")]
        return build(self.table.output, names=self._names, title=self.captions[k - 1],
                     title_width=self._width, decorate=decorate, side_nodes=side,
                     legend_extra=legend_extra, highlight_edges=lambda t: t is current,
                     **self.draw_kwargs)

    def images(self, format="svg", dpi=None):
        """Every frame rendered by Graphviz: SVG texts, or PNG bytes (``format="png"``)."""
        if format not in ("svg", "png"):
            raise ValueError(f"backward_steps: format must be 'svg' or 'png', got {format!r}")
        out = []
        for g in self:
            if dpi:
                g.attr(dpi=str(dpi))
            out.append(_inline_svg(g.pipe(format="svg", encoding="utf-8")) if format == "svg"
                       else g.pipe(format="png"))
        return out

    def html(self, full_page=True, interval=1500, format="svg", dpi=None, title=None):
        """The step-through as HTML: a whole page, or (``full_page=False``) a fragment
        for a notebook cell. Needs the Graphviz ``dot`` program to render the frames."""
        from ._player import player_html

        title = title or f"Backward pass of {self.rows.names[id(self.table.output)]}, step by step"
        return player_html(self.images(format, dpi), self.captions, format, interval=interval,
                           title=title, full_page=full_page)

    def to_html(self, path=None, interval=1500, format="svg", dpi=None, title=None):
        """Write the step-through as one self-contained HTML page: every frame inline
        (SVG, or PNG with ``format="png"``, base64 data), a slider, previous/next
        buttons and a play button (``interval`` milliseconds per step); no server, no
        kernel, no network. Returns ``path``, or the page's text when ``path`` is None."""
        page = self.html(True, interval, format, dpi, title)
        if path is None:
            return page
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        return path

    def _repr_html_(self):
        try:
            return self.html(full_page=False)
        except GraphvizNotFoundError:
            return None

    def __repr__(self):
        return f"<backward_steps: {len(self)} steps>"


def _frames_png(out, dpi, **draw_kwargs):
    frames = []
    for g in backward_steps(out, **draw_kwargs):
        if dpi:
            g.attr(dpi=str(dpi))
        frames.append(g.pipe(format="png"))
    return frames


def save_backward_pngs(out, folder, dpi=None, **draw_kwargs):
    """Write one PNG per backward step into ``folder`` (``step_01.png``, ...) and
    return their paths. Needs the Graphviz ``dot`` program."""
    os.makedirs(folder, exist_ok=True)
    frames = _frames_png(out, dpi, **draw_kwargs)
    width = max(2, len(str(len(frames))))
    paths = []
    for i, data in enumerate(frames, 1):
        path = os.path.join(folder, f"step_{i:0{width}d}.png")
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
    return paths


def save_backward_gif(out, path, duration=1500, last_duration=4000, dpi=None, **draw_kwargs):
    """Write the backward pass as an animated GIF (one frame per step, looping;
    ``duration`` milliseconds per frame, the last one held ``last_duration``).
    Needs Pillow and the Graphviz ``dot`` program. Returns ``path``."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError('saving a GIF needs Pillow: pip install pillow '
                          '(or pip install "gradtable[notebooks]")') from e
    import io

    frames = [Image.open(io.BytesIO(b)).convert("RGB") for b in _frames_png(out, dpi, **draw_kwargs)]
    if not frames:
        raise ValueError("save_backward_gif: the grad table is empty")
    w = max(f.width for f in frames)
    h = max(f.height for f in frames)
    canvas = []
    for f in frames:  # frames can differ by a few pixels; give them one size
        c = Image.new("RGB", (w, h), "white")
        c.paste(f, (0, 0))
        canvas.append(c.convert("P", palette=Image.ADAPTIVE, colors=255))
    durations = [duration] * (len(canvas) - 1) + [last_duration]
    canvas[0].save(path, save_all=True, append_images=canvas[1:], duration=durations, loop=0,
                   optimize=False, disposal=1)
    return path


def _inline_svg(svg):
    i = svg.find("<svg")
    return svg[i:] if i >= 0 else svg


def animate_backward(out, **draw_kwargs):
    """In a notebook: the backward pass with a slider (and a play button) over its
    steps. Without ipywidgets every frame is shown one below the other; without
    the Graphviz program, their text descriptions. Returns the widget (or the list
    of drawings)."""
    steps = backward_steps(out, **draw_kwargs)
    frames = list(steps)
    try:
        svgs = steps.images("svg")
    except GraphvizNotFoundError:
        svgs = None
    try:
        import ipywidgets as widgets
    except ImportError:
        widgets = None
    if widgets is None or svgs is None:
        try:
            from IPython.display import display
        except ImportError:
            return frames
        for g in frames:
            display(g)
        return frames
    view = widgets.HTML(value=svgs[0])
    slider = widgets.IntSlider(value=1, min=1, max=len(frames), description="step",
                               continuous_update=True)
    play = widgets.Play(value=1, min=1, max=len(frames), interval=1500, description="play")
    widgets.jslink((play, "value"), (slider, "value"))

    def show(change):
        view.value = svgs[change["new"] - 1]

    slider.observe(show, names="value")
    return widgets.VBox([widgets.HBox([play, slider]), view])

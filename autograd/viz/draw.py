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
from ._builder import Drawing, check_options

__all__ = ["draw"]


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


def build(out, show_grad=True, show_data=True, model=None, params=None, rankdir=None,
          hide_constants=False, depth=None, max_nodes=500, legend=True, names=None, title=None,
          decorate=None, side_nodes=(), legend_extra=(), highlight_edges=None, title_width=None):
    """``draw`` with hooks for the grad-table views: ``decorate(t)`` may return a
    dict with ``step`` (a badge text), ``step_no``, ``state`` ("filled", "hot" or
    "pending"), ``grad`` (rows replacing the gradient rows), ``color``/``penwidth``
    (the border), ``step_hidden`` (badge drawn invisibly, to keep the layout); ``side_nodes`` are (id, label) nodes added
    beside the graph; ``highlight_edges(t)`` says whether the edges into ``t``'s op
    are drawn highlighted. The steps are those of :class:`._builder.Drawing`."""
    check_options(rankdir, max_nodes, depth)
    if max_nodes is None:
        max_nodes = float("inf")
    d = Drawing(out, show_grad, show_data, hide_constants, decorate, highlight_edges)
    d.name_tensors(model, params, names)
    d.walk(max_nodes)
    d.find_boxes(depth)
    d.place_nodes()
    d.place_boxes()
    d.connect()
    g = d.graph(rankdir)
    d.assemble(g)
    return d.finish(g, max_nodes, side_nodes, title, legend, legend_extra, title_width)

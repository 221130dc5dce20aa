"""Seeing the computational graph and the grad table.

    import autograd as ag
    x1 = ag.tensor(2.0, requires_grad=True, name="x1")
    x2 = ag.tensor(3.0, requires_grad=True, name="x2")
    z = ag.sin(x1) + x1 * x2
    z.backward()
    ag.viz.draw(z)                      # in a notebook: the picture, with values and grads
    ag.viz.draw(z).render("graph", format="png")
    ag.viz.draw_grad_table(ag.grad_table(z))    # each node with its step and gradient
    for frame in ag.viz.backward_steps(z): ...  # one drawing per step of the backward pass
    ag.viz.backward_steps(z).to_html("backward.html")   # one page: slider + play, no kernel
    ag.viz.animate_backward(z)          # a slider in a notebook
    ag.viz.save_backward_gif(z, "backward.gif")

Drawings are ``graphviz.Digraph`` objects. The graphviz Python package is imported
only when something is drawn (``pip install "gradtable[viz]"``); without the
Graphviz ``dot`` program drawings still build and carry valid DOT text, and a
notebook shows a text description instead of the picture.
"""
from ..grad_mode import graph_scope
from ._backend import GraphvizNotFoundError
from .draw import draw
from .steps import (BackwardSteps, animate_backward, backward_steps, draw_grad_table,
                    save_backward_gif, save_backward_pngs)

__all__ = ["draw", "draw_grad_table", "backward_steps", "animate_backward", "save_backward_gif",
           "save_backward_pngs", "GraphvizNotFoundError", "BackwardSteps", "record_modules"]


def record_modules(on=True):
    """Whether ``nn.Module.__call__`` stamps the ops of each forward with its module,
    so ``draw(..., model=m)`` boxes them by the module that made them. On from the
    moment ``autograd.viz`` is imported (``ag.viz.draw(model(x), model=model)``
    imports it before running the model); off, modules cost nothing extra and a
    drawing places ops by their parameters instead (``viz._graph.assign_modules``).
    Returns the previous setting."""
    prev = graph_scope.recording
    graph_scope.recording = bool(on)
    return prev


record_modules(True)  # drawing is asked for: record which module made each op

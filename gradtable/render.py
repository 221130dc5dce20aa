"""Writing a drawing to a PNG file, shared by the main jobs."""
import os

__all__ = ["render_png"]


def render_png(graph, base):
    """Render a graphviz graph to ``base + ".png"`` without leaving the DOT file behind."""
    try:
        graph.render(base, format="png", cleanup=True)
    except TypeError:  # a drawing object whose render takes no cleanup flag
        graph.render(base, format="png")
        if os.path.exists(base):
            os.remove(base)
    return os.path.exists(base + ".png")

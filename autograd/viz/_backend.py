"""The link to Graphviz, kept optional and lazy.

Two things can be missing, and each gets its own clear message:

* the ``graphviz`` *Python package* (it writes DOT text): without it nothing can be
  drawn, and :func:`graphviz_module` raises ImportError with the pip command;
* the ``dot`` *program* (it turns DOT text into pictures): without it a drawing is
  still made and its DOT source (``.source``) is valid, a notebook shows a text
  description instead of the picture, and ``.render``/``.pipe``/``.view`` raise
  :class:`GraphvizNotFoundError` (a RuntimeError) listing the install commands.
"""

__all__ = ["GraphvizNotFoundError", "graphviz_module", "drawing_class", "INSTALL_DOT", "INSTALL_PY"]

INSTALL_PY = 'pip install "gradtable[viz]"   (or: pip install graphviz)'

INSTALL_DOT = (
    "the Graphviz program `dot` was not found on PATH, so the graph cannot be turned into a "
    "picture (its DOT text is still available as .source). Install Graphviz with one of:\n"
    "    sudo apt-get install graphviz      # Debian, Ubuntu\n"
    "    brew install graphviz              # macOS\n"
    "    conda install graphviz             # conda environments\n"
    "    choco install graphviz             # Windows (or the installer from graphviz.org)\n"
    "then restart Python (or the notebook kernel)."
)


class GraphvizNotFoundError(RuntimeError):
    """Raised when a drawing must be rendered but the Graphviz ``dot`` program is missing."""


def graphviz_module():
    """Import the graphviz Python package, or explain how to install it."""
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(
            "drawing graphs needs the graphviz Python package: " + INSTALL_PY
            + "; the Graphviz program itself comes from the system (e.g. apt-get install "
            "graphviz, brew install graphviz, conda install graphviz)"
        ) from e
    return graphviz


_CLASSES = {}


def drawing_class():
    """The Digraph subclass every drawing is made of (built once graphviz is imported)."""
    gv = graphviz_module()
    cls = _CLASSES.get(id(gv))
    if cls is None:
        cls = _make_class(gv)
        _CLASSES[id(gv)] = cls
    return cls


def _make_class(gv):
    missing = (gv.ExecutableNotFound, FileNotFoundError)

    class Drawing(gv.Digraph):
        """A ``graphviz.Digraph`` that degrades gracefully without the ``dot`` program.

        ``.source`` is the DOT text; ``.render(path, format="png")`` writes a file;
        in a notebook it shows as an SVG image, or as a text description when
        Graphviz is not installed. ``.text`` is that description; ``.nodes_drawn``
        and ``.nodes_not_drawn`` say how much of the graph the picture holds.
        """

        text = ""
        nodes_drawn = 0
        nodes_not_drawn = 0

        def render(self, *args, **kwargs):
            try:
                return super().render(*args, **kwargs)
            except missing as e:
                raise GraphvizNotFoundError(INSTALL_DOT) from e

        def pipe(self, *args, **kwargs):
            try:
                return super().pipe(*args, **kwargs)
            except missing as e:
                raise GraphvizNotFoundError(INSTALL_DOT) from e

        def view(self, *args, **kwargs):
            try:
                return super().view(*args, **kwargs)
            except missing as e:
                raise GraphvizNotFoundError(INSTALL_DOT) from e

        def _fallback_text(self):
            return (self.text + "\n\n(" + INSTALL_DOT + ")").lstrip()

        def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
            try:
                return super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
            except GraphvizNotFoundError:
                return {"text/plain": self._fallback_text()}

        def _repr_svg_(self):
            try:
                return self.pipe(format="svg", encoding="utf-8")
            except GraphvizNotFoundError:
                return None

        def __repr__(self):
            return (f"<gradtable drawing: {self.nodes_drawn} nodes"
                    + (f", {self.nodes_not_drawn} more not drawn" if self.nodes_not_drawn else "")
                    + "; .source is the DOT text, .render(path, format='png') writes a picture>")

    Drawing.__module__ = __name__
    Drawing.__qualname__ = "Drawing"
    return Drawing

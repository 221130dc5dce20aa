"""How things look: colours, fonts, number formatting and the HTML-like labels of
Graphviz nodes. Nothing here knows about graphs; :mod:`.draw` decides what to show."""
import html

import numpy as np

from ..backend import to_host

FONT = "Helvetica"
MONO = "Courier"

# role -> (fill, border). The notes draw inputs white, parameters red and
# operations blue; values computed along the way and the output get their own colours.
COLORS = {
    "input": ("#ffffff", "#555555"),
    "param": ("#f8cbc6", "#b03a2e"),
    "op": ("#cfe0fa", "#2f6bc4"),
    "value": ("#fff4cc", "#b7950b"),
    "output": ("#d5ecd0", "#2e7d32"),
    "const": ("#f0f0f0", "#9a9a9a"),
    "layer": ("#e6dcf7", "#6a4fa3"),
    "note": ("#ffffff", "#888888"),
}
HIGHLIGHT = "#e8710a"   # the node a backward step is processing
FILLED = "#2e7d32"      # gradients already in the grad table
PENDING = "#9a9a9a"     # gradients not computed yet

LEGEND_TEXT = {
    "input": "input",
    "param": "parameter (learned weight)",
    "op": "operation",
    "value": "intermediate value",
    "output": "output",
    "const": "constant",
    "layer": "layer (a module drawn as one box)",
}

SMALL = 6  # tensors with at most this many elements show their values


def esc(s):
    return html.escape(str(s), quote=True)


def num(v):
    """A number, rounded for reading: 2 -> "2", 2.58385 -> "2.584", 1e-7 -> "1e-07"."""
    v = float(v)
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.4g}"


def array_lines(a):
    """Lines showing a small array's values (one line per row of a matrix)."""
    a = np.asarray(to_host(a))  # a drawing shows device values copied to the host
    if a.ndim == 0:
        return [num(a)]
    if a.dtype.kind == "b":
        text = np.array2string(a, separator=", ")
    else:
        text = np.array2string(a.astype(np.float64), separator=", ",
                               formatter={"float_kind": num})
    return [" ".join(line.split()) for line in text.splitlines()]


def summary(a):
    """A short description of a large array: its range (and the mean)."""
    a = np.asarray(to_host(a))  # a drawing shows device values copied to the host
    if a.size == 0:
        return "empty"
    if a.dtype.kind not in "biuf":
        return f"{a.size} values"
    lo, hi = np.nanmin(a), np.nanmax(a)
    return f"in [{num3(lo)}, {num3(hi)}]"


def num3(v):
    """A number to three significant digits, for ranges of large arrays."""
    v = float(v)
    return num(v) if v == 0 or v != v or abs(v) == float("inf") else f"{v:.3g}"


def shape_only(t):
    shape = tuple(t.shape)
    if shape == ():
        return "scalar"
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def shape_text(t):
    return f"{shape_only(t)} {np.dtype(t.dtype).name}"


def value_lines(label, a):
    """``label`` followed by the values (small) or a summary (large)."""
    a = np.asarray(to_host(a))  # a drawing shows device values copied to the host
    if a.size <= SMALL:
        lines = array_lines(a)
        if len(lines) == 1:
            return [f"{label} {lines[0]}"]
        return [label] + ["  " + line for line in lines]
    return [f"{label} {summary(a)}"]


def html_label(title=None, rows=(), title_color=None, step=None, step_color=None):
    """An HTML-like Graphviz label: a bold title, then rows of (text, style) where
    style is None, "small", "mono", "pending", "filled" or "hot"."""
    cells = []
    if step is not None:
        cells.append(f'<TR><TD ALIGN="RIGHT"><FONT POINT-SIZE="9" COLOR="{step_color or FILLED}">'
                     f'<B>{esc(step)}</B></FONT></TD></TR>')
    if title:
        color = f' COLOR="{title_color}"' if title_color else ""
        cells.append(f'<TR><TD><FONT POINT-SIZE="13"{color}><B>{esc(title)}</B></FONT></TD></TR>')
    for text, style in rows:
        t = esc(text).replace(" ", "&#160;") if style in ("mono", "pending", "filled", "hot") else esc(text)
        if style == "small":
            t = f'<FONT POINT-SIZE="10" COLOR="#555555">{t}</FONT>'
        elif style == "mono":
            t = f'<FONT FACE="{MONO}" POINT-SIZE="11">{t}</FONT>'
        elif style == "pending":
            t = f'<FONT FACE="{MONO}" POINT-SIZE="11" COLOR="{PENDING}">{t}</FONT>'
        elif style == "filled":
            t = f'<FONT FACE="{MONO}" POINT-SIZE="11" COLOR="{FILLED}"><B>{t}</B></FONT>'
        elif style == "hot":
            t = f'<FONT FACE="{MONO}" POINT-SIZE="11" COLOR="{HIGHLIGHT}"><B>{t}</B></FONT>'
        cells.append(f"<TR><TD>{t}</TD></TR>")
    if not cells:
        cells.append("<TR><TD> </TD></TR>")
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(cells) + "</TABLE>>"


def header_label(title=None, roles=(), extra=(), legend=True, title_width=None):
    """The graph's caption: an optional title line, then the legend as one row of
    colour swatches (only the roles present in the drawing), plus ``extra``
    (colour, text) entries drawn as thick borders, such as the backward-step highlight."""
    rows = []
    if title:
        # a fixed minimum width keeps the layout still across the frames of an animation
        width = f' WIDTH="{int(title_width)}"' if title_width else ""
        for line in str(title).splitlines():
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"{width}><FONT POINT-SIZE="14">{esc(line)}</FONT></TD></TR>')
    cells = []
    if legend:
        for role in ("input", "param", "const", "op", "value", "output", "layer"):
            if role not in roles:
                continue
            fill, border = COLORS[role]
            rounded = ' STYLE="ROUNDED"' if role in ("op", "layer") else ""
            cells.append(f'<TD WIDTH="22" HEIGHT="14" FIXEDSIZE="TRUE" BGCOLOR="{fill}" COLOR="{border}" BORDER="1"{rounded}></TD>'
                         f'<TD ALIGN="LEFT"><FONT POINT-SIZE="11">{esc(LEGEND_TEXT[role])}</FONT></TD><TD WIDTH="8"></TD>')
        for color, text in extra:
            cells.append(f'<TD WIDTH="22" HEIGHT="14" FIXEDSIZE="TRUE" BGCOLOR="#ffffff" COLOR="{color}" BORDER="3"></TD>'
                         f'<TD ALIGN="LEFT"><FONT POINT-SIZE="11">{esc(text)}</FONT></TD><TD WIDTH="8"></TD>')
    if cells:
        rows.append('<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1"><TR>'
                    '<TD><FONT POINT-SIZE="11" COLOR="#555555"><B>Legend:</B></FONT></TD>'
                    + "".join(cells) + "</TR></TABLE></TD></TR>")
    if not rows:
        return None
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>>")

"""The table: one per thread count, one line per measured row; ratios are
gradtable / other (below 1: gradtable is faster). Ratios are left out for rows
whose unit is a ratio or a percentage already."""

OTHERS = ("numpy", "torch", "jax", "micrograd")
COLUMNS = ("gradtable",) + OTHERS


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def ratio(row, other):
    if row["unit"] in ("x", "%"):
        return None
    a, b = row["values"].get("gradtable"), row["values"].get(other)
    if a is None or b is None or b == 0:
        return None
    return a / b


def table_rows(run):
    header = ["benchmark", "unit", *COLUMNS] + [f"gt/{o}" for o in OTHERS]
    lines = [header]
    for res in run.get("results", []):
        if res.get("error"):
            lines.append([f"{res['workload']}: FAILED ({res['error'].strip().splitlines()[-1][:60]})"]
                         + [""] * (len(header) - 1))
            continue
        for row in res["rows"]:
            vals = row["values"]
            cells = [row["name"], row["unit"]] + [fmt(vals.get(s)) for s in COLUMNS]
            for o in OTHERS:
                r = ratio(row, o)
                cells.append("-" if r is None else f"{r:.2f}x")
            lines.append(cells)
    return lines


def markdown(lines):
    out = ["| " + " | ".join(lines[0]) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(lines[0]) - 1)) + "|"]
    for cells in lines[1:]:
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def plain(lines):
    widths = [max(len(r[c]) for r in lines) for c in range(len(lines[0]))]
    out = []
    for i, r in enumerate(lines):
        out.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def kernel_lines(kernels):
    """One line per side: its BLAS library, kernel and threads (see bench/worker.py)."""
    names = {"numpy": "numpy and gradtable", "torch": "torch", "jax": "jax"}
    out = []
    for side in ("numpy", "torch", "jax"):
        k = kernels.get(side)
        if not k:
            continue
        if "note" in k:
            out.append(f"{names[side]}: {k['note']}")
            continue
        t = k.get("threads")
        threads = f"{t} thread{'s' if t != 1 else ''}" if isinstance(t, int) else str(t)
        extra = (f" (OPENBLAS_CORETYPE {k['OPENBLAS_CORETYPE']})" if side == "numpy" else "")
        out.append(f"{names[side]}: {k.get('library')}, kernel {k.get('kernel')}, {threads}{extra}")
    return out


def format_tables(doc, md=False):
    parts = []
    for run in doc["runs"]:
        n = run["threads"]
        v = run.get("versions", {})
        malloc = "" if doc.get("malloc", "default") == "default" else ", tuned malloc"
        head = (f"{n} thread{'s' if n > 1 else ''} ({doc.get('clock', 'wall')} clock{malloc}): numpy {v.get('numpy')} "
                f"({v.get('numpy_blas') or 'BLAS ?'}), torch {v.get('torch') or 'not installed'}, "
                f"{v.get('micrograd', '')}; gradtable models: {v.get('gradtable_models')}")
        head += "".join(f"\n  {line}" for line in kernel_lines(v.get("kernels") or {}))
        if run.get("error"):
            parts.append(f"{head}\n  {run['error']}")
            continue
        lines = table_rows(run)
        parts.append(head + "\n\n" + (markdown(lines) if md else plain(lines)))
    return "\n\n".join(parts)


def main():
    """``python -m bench.report PATH [--md]``: print a saved JSON run as tables."""
    import json
    import sys

    path = sys.argv[1]
    with open(path) as f:
        doc = json.load(f)
    print(format_tables(doc, md="--md" in sys.argv))


if __name__ == "__main__":
    main()

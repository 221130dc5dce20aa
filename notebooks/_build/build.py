"""Build the notebooks from their sources in notebooks/_build/src/*.py.

A source is a plain Python file in jupytext's "percent" format: a line ``# %%`` starts a
code cell, ``# %% [markdown]`` starts a markdown cell whose lines begin with ``# ``.

    python notebooks/_build/build.py 01          # build (and execute) notebook 01
    python notebooks/_build/build.py --all       # every notebook
    python notebooks/_build/build.py 01 --no-exec

Executed notebooks keep their outputs, so readers on the web see the pictures.
The images of each executed notebook are also written to /tmp/nbimg/ for review.
"""
import base64
import glob
import os
import sys
import time

import jupytext
import nbformat
from nbclient import NotebookClient

# One BLAS thread: on a small, shared machine OpenBLAS's threads fight over the cores and
# small matrix products get 10x slower. (The kernel inherits this environment.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
NB_DIR = os.path.dirname(HERE)


def parse(path):
    """The cells of a percent-format source, read by jupytext (blank lines around each
    cell trimmed, as the committed notebooks have them)."""
    cells = jupytext.read(path, fmt="py:percent").cells
    for c in cells:
        c.source = c.source.strip("\n")
        c.metadata = {}
    return [c for c in cells if c.source or c.cell_type == "markdown"]


def build(src, execute=True):
    name = os.path.splitext(os.path.basename(src))[0]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = parse(src)
    out = os.path.join(NB_DIR, name + ".ipynb")
    if execute:
        t0 = time.time()
        NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=True,
                       resources={"metadata": {"path": NB_DIR}}).execute()
        dt = time.time() - t0
        os.makedirs("/tmp/nbimg", exist_ok=True)
        for old in glob.glob(f"/tmp/nbimg/{name[:2]}_*.png"):
            os.remove(old)
        k = 0
        for i, c in enumerate(nb.cells):
            ex = c.get("metadata", {}).get("execution", {})
            if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
                from datetime import datetime
                t = (datetime.fromisoformat(ex["shell.execute_reply"].replace("Z", "+00:00"))
                     - datetime.fromisoformat(ex["iopub.execute_input"].replace("Z", "+00:00"))).total_seconds()
                if t > 1.0:
                    print(f"  cell {i}: {t:.1f}s")
            for o in c.get("outputs", []):
                data = o.get("data", {})
                if "image/png" in data:
                    k += 1
                    with open(f"/tmp/nbimg/{name[:2]}_{i:02d}_{k}.png", "wb") as f:
                        f.write(base64.b64decode(data["image/png"]))
        print(f"{name}: executed in {dt:.1f}s, {k} images")
    for i, c in enumerate(nb.cells):  # stable ids, no volatile metadata
        c.id = f"c{i:02d}"
        c.metadata.pop("execution", None)
    nbformat.validator.normalize(nb)
    nbformat.write(nb, out)
    print(f"wrote {out} ({os.path.getsize(out) / 1e3:.0f} kB)")


if __name__ == "__main__":
    args = sys.argv[1:]
    execute = "--no-exec" not in args
    srcs = sorted(glob.glob(os.path.join(HERE, "src", "*.py")))
    if "--all" not in args:
        keys = [a for a in args if not a.startswith("--")]
        srcs = [s for s in srcs if any(os.path.basename(s).startswith(k) for k in keys)]
    for s in srcs:
        build(s, execute)

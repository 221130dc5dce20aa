"""Data-parallel training throughput: gradtable's DistributedDataParallel at P ranks
(P = the thread count; one process and one BLAS thread per rank, over MPI) against
torch at P threads, on the LeNet and MLP steps of the ``cnn`` and ``mlp`` workloads.

Both sides train the same global batch per step: each of gradtable's P ranks takes
``batch`` samples, torch takes P * ``batch`` in one process. Rows are step time per
sample (lower is better; throughput = 1e6 / value samples per second), and the time
of one gradient all-reduce alone, the communication a data-parallel step adds.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

from ..common import Row, import_torch, measure

SIDES = ("gradtable", "torch")
NAME = "ddp"
TITLE = "data-parallel training: P ranks (gradtable, MPI) vs P threads (torch), per sample"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = (("lenet", 64, 4), ("mlp", 128, 16))  # (model, batch per rank, quick batch)


def _launch(ranks, args):
    """Run bench.ddp_rank on ``ranks`` processes; its JSON, or (None, why not)."""
    cmd = [sys.executable, "-m", "bench.ddp_rank", json.dumps(args)]
    if ranks > 1:
        mpirun = os.path.join(os.path.dirname(sys.executable), "mpirun")
        mpirun = mpirun if os.path.exists(mpirun) else shutil.which("mpirun")
        try:
            import mpi4py  # noqa: F401
        except ImportError:
            mpirun = None
        if mpirun is None:
            return None, "no MPI (pip install \"gradtable[mpi]\")"
        cmd = [mpirun, "-n", str(ranks)] + cmd
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def _torch_side(torch, model, batch, quick):
    from .. import numpy_ref as npr
    from .. import torchside as ts
    from .mlp import data as mlp_data

    rng = np.random.default_rng(100)
    if model == "lenet":
        net = ts.lenet(torch, npr.lenet_init(np.random.default_rng(0)))
        x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
        y = rng.integers(0, 10, batch)
    else:
        dims = (64, 32, 32, 10) if quick else (784, 256, 256, 10)
        _, _, weights = mlp_data(dims, batch)
        net = ts.mlp(torch, weights)
        x = rng.standard_normal((batch, dims[0])).astype(np.float32)
        y = rng.integers(0, dims[-1], batch)
    xt, yt = ts.as_tensors(torch, x, y)
    return ts.train_step_fn(torch, net, xt, yt)


def run(cfg):
    P = cfg.threads
    reps, warm = cfg.reps(40, 3), cfg.warm(5, 1)
    rows = []
    torch = import_torch(P) if "torch" in cfg.sides else None
    for model, batch, quick_batch in MODELS:
        b = cfg.n(batch, quick_batch)
        label = "LeNet" if model == "lenet" else f"MLP {'64-32-32-10' if cfg.quick else '784-256-256-10'}"
        row = Row(f"{label} step per sample, {P} x {b} samples", "us")
        comm = Row(f"{label} gradient all-reduce at {P} rank{'s' if P > 1 else ''}", "ms")
        if "gradtable" in cfg.sides:
            res, why = _launch(P, {"model": model, "batch": b, "reps": reps, "warm": warm,
                                    "quick": cfg.quick})
            if res is None:
                row.note = comm.note = f"gradtable at {P} ranks not run: {why}"
            else:
                per = [s / (P * b) * 1e6 for s in res["samples"]]
                row.values["gradtable"] = res["step"] / (P * b) * 1e6
                row.spread["gradtable"] = (min(per), max(per))
                row.samples["gradtable"] = per
                comm.values["gradtable"] = res["allreduce"] * 1e3
                row.note = (f"gradtable: {P} rank(s) x batch {b} ({res['backend']}), "
                            f"{P * b / res['step']:.0f} samples/s (CPU time per rank and step "
                            f"{res['cpu'] * 1e3:.2f} ms)")
                comm.note = f"{res['params']:,} float32 gradients, {res['backend']}"
        if torch is not None:
            measure(row, "torch", _torch_side(torch, model, P * b, cfg.quick), reps, warm, 1e6 / (P * b))
            row.note = "; ".join(filter(None, [row.note, f"torch: batch {P * b} at {P} thread(s)"]))
        rows += [row, comm] if comm.values else [row]
    return rows

"""Depth: a 1,000,000-node chain h = tanh(h) from a 0-d leaf; time and peak resident
memory of backward, each side in a fresh process. The numpy column is the floor
for scalar code: Python floats with a hand-written backward. micrograd cannot run
it (its topological sort is recursive)."""
from ..common import Row, import_torch, run_probe

SIDES = ("gradtable", "numpy", "torch")
NAME = "depth"
TITLE = "1,000,000-node chain: backward time and peak memory"


def run(cfg):
    n = cfg.n(1_000_000, 20_000)
    build = Row(f"chain of {n:,} tanh: build", "s")
    back = Row(f"chain of {n:,} tanh: backward", "s")
    peak = Row(f"chain of {n:,} tanh: peak RSS", "MB")
    above = Row(f"chain of {n:,} tanh: peak RSS above start", "MB")
    for side in ("gradtable", "numpy", "torch"):
        if side not in cfg.sides:
            continue
        if side == "torch" and import_torch(cfg.threads) is None:
            continue
        r = run_probe("depth", side, {"n": n, "threads": cfg.threads})
        build.values[side] = r["build_s"]
        back.values[side] = r["backward_s"]
        peak.values[side] = r["peak_mb"]
        above.values[side] = r["peak_mb"] - r["base_mb"]
    return [build, back, peak, above]

"""Memory: peak resident memory over 1,000 training steps of the MLP benchmark and
the growth of resident memory between step 10 and the last step; each side in a
fresh process that imports only its own library."""
from ..common import Row, import_torch, run_probe
from .mlp import sizes

SIDES = ("gradtable", "numpy", "torch")
NAME = "memory"
TITLE = "memory over 1,000 MLP steps: peak RSS, growth from step 10"


def run(cfg):
    steps = cfg.n(1000, 20)
    dims, batch = sizes(cfg)
    peak = Row(f"MLP {steps} steps: peak RSS", "MB")
    above = Row(f"MLP {steps} steps: peak RSS above start", "MB")
    growth = Row(f"MLP {steps} steps: RSS growth step 10 -> {steps}", "%")
    for side in ("gradtable", "numpy", "torch"):
        if side not in cfg.sides:
            continue
        if side == "torch" and import_torch(cfg.threads) is None:
            continue
        r = run_probe("memory", side, {"steps": steps, "dims": list(dims), "batch": batch,
                                       "threads": cfg.threads})
        peak.values[side] = r["peak_mb"]
        above.values[side] = r["peak_mb"] - r["base_mb"]
        growth.values[side] = 100.0 * (r["rss_end_mb"] - r["rss10_mb"]) / r["rss10_mb"]
        if side == "gradtable":
            growth.note = f"gradtable: {r['variant']}"
    return [peak, above, growth]

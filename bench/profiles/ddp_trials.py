"""The ddp workload as repeated short trials, for a shared, busy machine.

    .venv/bin/python bench/profiles/ddp_trials.py [TRIALS] [OUT.json]

Each trial times, one after the other: gradtable's LeNet and MLP steps at 1 rank and at
2 ranks (``mpirun -n 2``, one BLAS thread per rank; bench/ddp_rank.py) and torch's at 1
and 2 threads, 20 steps each after 5 of warm-up, the same global batch on both sides.
The table shows, per (model, P), the best trial's median of each side: on a machine
others are using, the quietest trial is the closest to an idle one, and trials
interleave the sides so that none gets the quiet moments alone.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = sys.executable
MPIRUN = os.path.join(os.path.dirname(PY), "mpirun")
TORCH = r'''
import json, sys
sys.path.insert(0, sys.argv[4])
from bench.common import import_torch, timeit
from bench.workloads.ddp import _torch_side
P, model, b = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
torch = import_torch(P)
med, _ = timeit(_torch_side(torch, model, P * b, False), 20, 5, min_sample=0)
print(json.dumps({"step": med}))
'''


def _env(threads):
    t = str(threads)
    return dict(os.environ, OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t,
                PYTHONPATH=ROOT)


def _last_json(cmd, env):
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def trial(t):
    rows = []
    for model, b in (("lenet", 64), ("mlp", 128)):
        for P in (1, 2):
            args = json.dumps({"model": model, "batch": b, "reps": 20, "warm": 5})
            cmd = [PY, "-m", "bench.ddp_rank", args]
            g = _last_json(cmd if P == 1 else [MPIRUN, "-n", str(P)] + cmd, _env(1))
            tr = _last_json([PY, "-c", TORCH, str(P), model, str(b), ROOT], _env(P))
            rows.append({"trial": t, "model": model, "P": P, "batch_per_rank": b,
                         "load": os.getloadavg()[0], "gt_step": g["step"], "gt_cpu": g["cpu"],
                         "allreduce": g["allreduce"], "torch_step": tr["step"]})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rows = [r for t in range(trials) for r in trial(t)]
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            json.dump(rows, f)
    print(f"\nbest of {trials} trials (samples/s = P * batch per rank / step time)")
    base = {}
    for model, b in (("lenet", 64), ("mlp", 128)):
        for P in (1, 2):
            rs = [r for r in rows if r["model"] == model and r["P"] == P]
            gt, to = min(r["gt_step"] for r in rs), min(r["torch_step"] for r in rs)
            base.setdefault(model, gt / P)
            print(f"{model:5s} P={P}: gradtable {P * b / gt:8.0f} samples/s ({base[model] * P / gt:.2f}x "
                  f"of 1 rank), torch {P * b / to:8.0f} samples/s; gradtable/torch throughput "
                  f"{to / gt:.2f}; all-reduce {min(r['allreduce'] for r in rs) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()

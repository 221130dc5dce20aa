"""gradtable's benchmarks against the hand-written numpy floor and torch (CPU).

    python -m bench                      # everything, at 1 and 2 threads
    python -m bench --quick              # tiny sizes, a few seconds: proves the suite runs
    python -m bench --only mlp cnn --threads 1 --repeats 20
    python -m bench --json out.json      # default: bench/results/latest.json
    python -m bench --keep-blas-env      # keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE in workers

Each thread count runs in its own process with OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set before numpy is imported (and
torch.set_num_threads; JAX's process is pinned to that many cores), and with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, so numpy's OpenBLAS runs the CPU's own
kernel (``--keep-blas-env`` keeps them). The report names each side's BLAS library,
kernel and threads (threadpoolctl). JAX (jit) is an optional side: without it the
column stays empty with a note. Every number is a median over repeats after warm-up;
ratios are gradtable / other side, so below 1 means gradtable is faster. These are
benchmarks, not timed tests: nothing here asserts a time.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from .common import SIDES
from .report import format_tables
from .workloads import NAMES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_JSON = os.path.join(ROOT, "bench", "results", "latest.json")


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (for CI)")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                   help="BLAS/OpenMP thread counts, one process each (default: 1 2)")
    p.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME",
                   help=f"run only these workloads ({', '.join(NAMES)})")
    p.add_argument("--skip", nargs="+", choices=NAMES, metavar="NAME", default=[],
                   help="leave these workloads out")
    p.add_argument("--sides", nargs="+", choices=SIDES, default=list(SIDES),
                   help="which implementations to run (default: all available)")
    p.add_argument("--repeats", type=int, default=0,
                   help="timed samples per side (default: each workload's own)")
    p.add_argument("--warmup", type=int, default=0, help="untimed calls before timing")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="wall time (default) or this process's CPU time (for 1-thread runs "
                        "on a busy shared machine)")
    p.add_argument("--tuned-malloc", action="store_true",
                   help="run the workers with glibc's malloc told never to hand large blocks "
                        "back to the OS (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_), which "
                        "removes the page faults of fresh large arrays for every side")
    p.add_argument("--one-process", action="store_true",
                   help="run all sides of all workloads in one worker per thread count (the "
                        "default with --quick); otherwise each (workload, side) gets a fresh "
                        "process")
    p.add_argument("--keep-blas-env", action="store_true",
                   help="keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the workers' environment "
                        "(by default they are removed there, so numpy's OpenBLAS picks the "
                        "machine's own kernel, as on a user's machine)")
    p.add_argument("--json", default=DEFAULT_JSON, help="where to write the results")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    return p.parse_args(argv)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version()}


# Variables that pin OpenBLAS to a kernel other than the CPU's own (a CI image may set
# OPENBLAS_CORETYPE=Haswell on an AVX-512 machine): removed from the workers' environment
# unless --keep-blas-env. Tests and this process keep their environment as it is.
BLAS_PIN_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(2**32), "MALLOC_TRIM_THRESHOLD_": str(2**32),
              "MALLOC_TOP_PAD_": str(2**28)}


def git_state():
    """The commit measured, and whether the library's files differed from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "autograd", "nn", "optim"],
                               cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        return {"commit": head, "library_modified": bool(dirty)}
    except Exception:
        return None


def run_worker(n, cfg, extra_env=None, drop_env=()):
    """One worker process at ``n`` threads running ``cfg`` (its workloads and sides),
    with the variables in ``drop_env`` removed from its environment."""
    env = {k: v for k, v in os.environ.items() if k not in drop_env}
    env.update(extra_env or {})
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[var] = str(n)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.json")
        proc = subprocess.run([sys.executable, "-m", "bench.worker", json.dumps(dict(cfg, threads=n)), out],
                              env=env, cwd=ROOT)
        if proc.returncode != 0 or not os.path.exists(out):
            return {"threads": n, "results": [], "error": f"worker exited with {proc.returncode}"}
        with open(out) as f:
            return json.load(f)


def merge_rows(into, rows):
    """Add the sides measured in ``rows`` to the rows of the same name in ``into``."""
    by_name = {r["name"]: r for r in into}
    for r in rows:
        mine = by_name.get(r["name"])
        if mine is None:
            into.append(r)
            by_name[r["name"]] = r
            continue
        for key in ("values", "spread", "samples"):
            mine[key].update(r[key])
        if r["note"] and r["note"] not in mine["note"]:
            mine["note"] = "; ".join(x for x in (mine["note"], r["note"]) if x)


def merge_versions(into, v):
    """Fill what ``into`` lacks from one worker's ``versions`` (each isolated worker
    knows only the sides it ran: its kernels dict has only those)."""
    for key, val in (v or {}).items():
        if key == "kernels":
            into.setdefault("kernels", {}).update(val or {})
        elif into.get(key) is None:
            into[key] = val


def run_threads(n, cfg, extra_env=None, isolate=True, drop_env=()):
    """Every workload at ``n`` threads. With ``isolate``, each (workload, side) pair runs in
    a fresh process, so no side inherits another's heap (glibc raises its mmap threshold
    after large frees, which changes the page faults of every later large array and can
    move a step time by 30-50%), and the order of the sides does not matter."""
    if not isolate:
        return run_worker(n, cfg, extra_env, drop_env)
    from .workloads import load

    run = {"threads": n, "results": []}
    for name in cfg["only"]:
        merged = {"workload": name, "rows": [], "error": None, "seconds": 0.0}
        for side in [s for s in cfg["sides"] if s in load(name).SIDES]:
            part = run_worker(n, dict(cfg, only=[name], sides=[side]), extra_env, drop_env)
            merge_versions(run.setdefault("versions", {}), part.get("versions"))
            if part.get("error"):
                merged["error"] = f"{side}: {part['error']}"
                continue
            (res,) = part["results"]
            merged["title"] = res["title"]
            merged["seconds"] += res["seconds"]
            if res["error"]:
                merged["error"] = f"{side}: {res['error']}"
            merge_rows(merged["rows"], res["rows"])
        run["results"].append(merged)
    return run


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.list:
        from .workloads import load

        for name in NAMES:
            print(f"{name:8s} {load(name).TITLE}")
        return 0
    only = [n for n in (args.only or NAMES) if n not in args.skip]
    cfg = {"quick": args.quick, "repeats": args.repeats, "warmup": args.warmup,
           "sides": args.sides, "only": only, "clock": args.clock}
    drop = () if args.keep_blas_env else BLAS_PIN_VARS
    blas_env = {v: os.environ.get(v) for v in BLAS_PIN_VARS if v in os.environ}
    started = time.time()
    runs = []
    for n in args.threads:
        print(f"running {len(only)} workloads at {n} thread(s){' (quick)' if args.quick else ''}...",
              file=sys.stderr, flush=True)
        runs.append(run_threads(n, cfg, MALLOC_ENV if args.tuned_malloc else None,
                                isolate=not (args.one_process or args.quick), drop_env=drop))
    doc = {
        "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 1),
        "quick": args.quick,
        "clock": args.clock,
        "malloc": MALLOC_ENV if args.tuned_malloc else "default",
        "isolated": not (args.one_process or args.quick),
        "blas_env": {"set_here": blas_env, "in_workers": "kept" if args.keep_blas_env else "removed"},
        "machine": machine(),
        "git": git_state(),
        "runs": runs,
    }
    print(format_tables(doc))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
        print(f"\nwrote {args.json}", file=sys.stderr)
    failed = [r["workload"] for run in runs for r in run.get("results", []) if r.get("error")]
    failed += [f"threads={run['threads']}" for run in runs if run.get("error")]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

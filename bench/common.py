"""What every workload shares: the timer, resident-memory probes, the sides'
imports and the row format the table and the JSON are made of.

A workload is a function ``run(cfg) -> list[Row]``. One row is one measured
quantity (a step time, a peak memory, a growth) with one value per side:
``gradtable``, ``numpy`` (the hand-written floor: the same computation with its
backward derived by hand), ``torch`` (the reference framework, CPU), ``jax`` (jit-compiled,
CPU; optional) and, for the scalar graphs, ``micrograd``. Lower is better for every row.
"""
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

SIDES = ("gradtable", "numpy", "torch", "jax", "micrograd")

# The clock every measurement reads: wall time by default; ``--clock cpu`` switches
# to this process's CPU time, which on a shared, busy machine is much closer to
# what the same single-threaded run takes on an idle one (with 2+ threads CPU time
# adds the threads up, so use it for 1-thread runs only).
_CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = [time.perf_counter]


def set_clock(name):
    _clock[0] = _CLOCKS[name]


def now():
    return _clock[0]()


@dataclass
class Config:
    """What one worker process runs: sizes follow ``quick``; ``repeats`` is the number
    of timed samples per side (each sample after ``warmup`` untimed calls)."""

    quick: bool = False
    threads: int = 1
    repeats: int = 0          # 0: the workload's own default
    warmup: int = 0
    sides: tuple = SIDES
    clock: str = "wall"

    def n(self, full, quick):
        """``full`` normally, ``quick`` in quick mode."""
        return quick if self.quick else full

    def reps(self, full, quick=3):
        if self.repeats:
            return self.repeats
        return quick if self.quick else full

    def warm(self, full=3, quick=1):
        if self.warmup:
            return self.warmup
        return quick if self.quick else full


@dataclass
class Row:
    """One measured quantity. ``values[side]`` is the median (a float) or None when
    the side was not run; ``spread[side]`` is (min, max) of the samples."""

    name: str
    unit: str
    values: dict = field(default_factory=dict)
    spread: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)
    note: str = ""

    def to_json(self):
        return {"name": self.name, "unit": self.unit, "values": self.values,
                "spread": self.spread, "samples": self.samples, "note": self.note}


def timeit(fn, repeats, warmup, min_sample=0.02, max_inner=10_000):
    """Median seconds of one call of ``fn``, and the per-call samples.

    ``warmup`` untimed calls first (they also size the inner loop, so a sample of a
    fast function lasts at least ``min_sample`` seconds); then ``repeats`` samples.
    The garbage collector stays on: a training loop runs with it, and a design that
    makes reference cycles should pay for them here too.
    """
    clock = _clock[0]
    t_one = None
    for _ in range(max(1, warmup)):
        t0 = clock()
        fn()
        t_one = clock() - t0
    inner = 1
    if t_one is not None and t_one < min_sample:
        inner = min(max_inner, max(1, int(min_sample / max(t_one, 1e-9))))
    samples = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(inner):
            fn()
        samples.append((clock() - t0) / inner)
    return statistics.median(samples), samples


def measure(row, side, fn, repeats, warmup, scale=1.0, **kw):
    """Time ``fn`` and store its median (times ``scale``: 1e3 for ms) in ``row``."""
    med, samples = timeit(fn, repeats, warmup, **kw)
    row.values[side] = med * scale
    row.spread[side] = (min(samples) * scale, max(samples) * scale)
    row.samples[side] = [s * scale for s in samples]
    return med


# ------------------------------------------------------------------ optional sides
def import_torch(threads):
    """torch pinned to ``threads`` intra-op threads, or None when not installed."""
    try:
        import torch
    except Exception:
        return None
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set in this process
        pass
    return torch


def import_micrograd():
    """(Value, label): the published micrograd when installed, else the faithful
    Python-float re-implementation in bench/scalar_ref.py, labelled as such."""
    try:
        from micrograd.engine import Value

        return Value, "micrograd"
    except Exception:
        from .scalar_ref import Value

        return Value, "micrograd-style"


# ------------------------------------------------------------------ memory
def rss_mb():
    """Current resident set size of this process in MB (Linux /proc; psutil elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        try:
            import psutil

            return psutil.Process().memory_info().rss / 2**20
        except Exception:
            return float("nan")


def peak_rss_mb():
    """Peak resident set size of this process image so far, in MB.

    Linux's VmHWM (the high-water mark of this address space) first: getrusage's
    ru_maxrss is preserved across fork and execve, so a probe started from a
    process that had imported torch would report torch's peak as its own.
    Elsewhere, resource.getrusage.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def run_probe(module, side, args, timeout=600):
    """Run ``python -m bench.probe module side args`` in a fresh process (so peak
    memory is that side's alone) with this process's environment (thread pins
    included) and return the JSON dict it prints on its last line."""
    args = dict(args, clock=next(k for k, v in _CLOCKS.items() if v is _clock[0]))
    cmd = [sys.executable, "-m", "bench.probe", module, side, json.dumps(args)]
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=root)
    if proc.returncode != 0:
        raise RuntimeError(f"probe {module}/{side} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])

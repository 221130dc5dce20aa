"""Where the second core goes: the LeNet step or the conv workload, with each thread's
CPU time per step (the calling thread, the window pool's thread, and every other thread
of the process, i.e. BLAS's workers), the calling thread's time outside and inside the
pool's block maps (its serial part and its parallel part), and page faults; then, with
``--gemm``, which GEMM sizes numpy's OpenBLAS splits over its threads (per-call time and
its workers' CPU, around m n k = 1e6).

    OPENBLAS_NUM_THREADS=2 .venv/bin/python bench/profiles/thread_split.py cnn|conv [STEPS] [--gemm]

The BLAS thread count is the environment's (run with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset, as the benchmark does); ``--pool N`` forces the window pool's
thread count (a diagnostic: the pool at 2 threads with BLAS at 1). CPU times are the
kernel's per-thread accounts (/proc/self/task), so they hold on a busy machine where
wall clock does not; the wall of a quiet machine is about the calling thread's CPU
when the other threads keep up.
"""
import os
import resource
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)


def thread_cpu():
    """{tid: CPU seconds} of every thread of this process."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            st = open(f"/proc/self/task/{tid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[tid] = (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
    return out


def workload(name):
    """A step function for the LeNet step (bench/workloads/cnn.py) or the conv workload."""
    import autograd as ag
    from bench import numpy_ref as npr

    rng = np.random.default_rng(0)
    if name == "cnn":
        from bench.gtside import LeNet
        x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
        y = rng.integers(0, 10, 64)
        m = LeNet([(a.copy(), b.copy()) for a, b in npr.lenet_init(rng)], lr=0.01)
        xt, yt = ag.Tensor(x), ag.Tensor(y)
        return lambda: m.step(xt, yt)
    from bench.gtside import conv2d
    x = rng.standard_normal((64, 3, 32, 32)).astype(np.float32)
    w, b = npr.init_conv(rng, 3, 16, 3)
    g = ag.Tensor(rng.standard_normal((64, 16, 32, 32)).astype(np.float32))
    ts = [ag.Tensor(a, requires_grad=True) for a in (x, w, b)]

    def step():
        for t in ts:
            t.grad = None
        conv2d(*ts, 1).backward(g)
    return step


def split(name, steps):
    import threading

    from autograd.ops import window_kernels as W

    if "--pool" in sys.argv:
        n = int(sys.argv[sys.argv.index("--pool") + 1])
        W._thread_count = lambda: n
    inside = [0.0]
    plain = W._map_blocks

    def timed(fn, blocks, threaded=True):  # the calling thread's time in block maps
        if threading.current_thread() is not threading.main_thread():
            return plain(fn, blocks, threaded)
        t = time.thread_time()
        try:
            return plain(fn, blocks, threaded)
        finally:
            inside[0] += time.thread_time() - t
    W._map_blocks = timed
    step = workload(name)
    for _ in range(5):
        step()
    a, f0, inside[0] = thread_cpu(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt, 0.0
    walls, t0 = [], time.thread_time()
    for _ in range(steps):
        w0 = time.perf_counter()
        step()
        walls.append(time.perf_counter() - w0)
    main = time.thread_time() - t0
    b = thread_cpu()
    pool = {str(t.native_id) for t in threading.enumerate() if t.name.startswith("gradtable")}
    per = {"main": 0.0, "pool": 0.0, "other (BLAS)": 0.0}
    for tid, c in b.items():
        key = "main" if tid == str(os.getpid()) else "pool" if tid in pool else "other (BLAS)"
        per[key] += (c - a.get(tid, 0.0)) * 1e3 / steps
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / steps
    print(f"{name}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', '?')}, {steps} steps: "
          f"wall min {min(walls) * 1e3:.2f} median {np.median(walls) * 1e3:.2f} ms")
    print("  CPU ms/step by thread (clock ticks): " + ", ".join(f"{k} {v:.2f}" for k, v in per.items()))
    print(f"  calling thread: {main * 1e3 / steps:.2f} ms/step, of which serial (outside the "
          f"pool's block maps) {(main - inside[0]) * 1e3 / steps:.2f}, in block maps "
          f"{inside[0] * 1e3 / steps:.2f}; page faults/step {faults:.1f}")


def gemm_probe():
    """Per-call time and the other threads' CPU for float32 GEMMs around m n k = 1e6."""
    rng = np.random.default_rng(0)
    for m, k, n in [(20, 400, 125), (21, 400, 120), (64, 120, 84), (64, 400, 120),
                    (16, 29, 1088), (128, 784, 256)]:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        time.sleep(0.3)  # BLAS's workers asleep again
        main = str(os.getpid())
        c0 = sum(v for t, v in thread_cpu().items() if t != main)
        t0 = time.perf_counter()
        for _ in range(300):
            a @ b
        per = (time.perf_counter() - t0) / 300
        c1 = sum(v for t, v in thread_cpu().items() if t != main)
        print(f"  ({m}x{k})@({k}x{n}) m n k {m * n * k / 1e6:5.2f}M: {per * 1e6:7.1f} us/call, "
              f"BLAS workers' CPU {c1 - c0:.2f} s over 300 calls")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--pool" in sys.argv:
        args.remove(sys.argv[sys.argv.index("--pool") + 1])
    split(args[0] if args else "cnn", int(args[1]) if len(args) > 1 else 60)
    if "--gemm" in sys.argv:
        gemm_probe()

"""The LeNet step (bench/workloads/cnn.py) as repeated short trials, for a shared, busy
machine.

    .venv/bin/python bench/profiles/lenet_trials.py [TRIALS] [THREADS ...]

Each trial runs, one fresh process after the other, gradtable's nn+optim step and
torch's at each thread count: 5 steps of warm-up, then 20 timed steps (wall clock). The
table shows per side the best trial's median (the quietest trial is the closest to an
idle machine; trials interleave the sides). For gradtable it adds, over the same 20
steps, the process's CPU time and its main thread's: the work and the critical path's
lower bound at 2 threads. Both sides run with the benchmark's BLAS environment
(OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed).
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODE = r'''
import json, sys, time
sys.path.insert(0, sys.argv[3])
import numpy as np
from bench import numpy_ref as npr
side, threads = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32); y = rng.integers(0, 10, 64)
w = [(a.copy(), b.copy()) for a, b in npr.lenet_init(rng)]
if side == "gradtable":
    import autograd as ag
    from bench.gtside import LeNet
    m = LeNet(w, lr=0.01); xt, yt = ag.Tensor(x), ag.Tensor(y)
    step = lambda: m.step(xt, yt)
else:
    from bench.common import import_torch
    from bench import torchside as ts
    torch = import_torch(threads)
    model = ts.lenet(torch, w); xt, yt = ts.as_tensors(torch, x, y)
    step = ts.train_step_fn(torch, model, xt, yt, 0.01)
for _ in range(5):
    step()
W, P, T = [], [], []
for _ in range(20):
    w0, p0, t0 = time.perf_counter(), time.process_time(), time.thread_time()
    step()
    W.append(time.perf_counter() - w0); P.append(time.process_time() - p0); T.append(time.thread_time() - t0)
print(json.dumps({"wall": float(np.median(W)) * 1e3, "cpu": float(np.median(P)) * 1e3,
                  "main": float(np.median(T)) * 1e3}))
'''


def _run(side, threads):
    t = str(threads)
    env = dict(os.environ, OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t,
               PYTHONPATH=ROOT)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    out = subprocess.run([sys.executable, "-c", CODE, side, t, ROOT], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    thread_counts = [int(a) for a in sys.argv[2:]] or [1, 2]
    best = {}
    for t in range(trials):
        for threads in thread_counts:
            for side in ("gradtable", "torch"):
                r = _run(side, threads)
                r.update(trial=t, side=side, threads=threads, load=os.getloadavg()[0])
                print(json.dumps(r), flush=True)
                key = (side, threads)
                if key not in best or r["wall"] < best[key]["wall"]:
                    best[key] = r
    print("\nthreads  side       best median wall  its process CPU  its main-thread CPU (ms/step)")
    for (side, threads), r in sorted(best.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"{threads:7d}  {side:9s}  {r['wall']:16.2f}  {r['cpu']:15.2f}  {r['main']:19.2f}")


if __name__ == "__main__":
    main()

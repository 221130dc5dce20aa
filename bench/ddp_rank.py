"""One rank of the data-parallel benchmark: ``mpirun -n P python -m bench.ddp_rank ARGS_JSON``
(or plain ``python -m bench.ddp_rank`` for one rank).

Every rank trains the same model (gradtable's nn + optim.SGD, wrapped in
``nn.parallel.DistributedDataParallel``) on its own batch of ``batch`` samples, so a
step trains P * batch samples. Rank 0 prints one JSON line: the median step time,
the median time of one all-reduce of all the model's gradients alone (the
communication a step adds), and the world size.
"""
import json
import statistics
import sys
import time

import numpy as np

from . import numpy_ref as npr
from .common import timeit
from .workloads.mlp import data as mlp_data


def build(model, batch, rank, quick=False):
    from .gtside import LeNet, MLP

    rng = np.random.default_rng(100 + rank)  # each rank its own samples
    if model == "lenet":
        weights = npr.lenet_init(np.random.default_rng(0))
        x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
        y = rng.integers(0, 10, batch)
        return LeNet(weights, lr=0.01, use_nn=True), x, y
    dims = (64, 32, 32, 10) if quick else (784, 256, 256, 10)
    _, _, weights = mlp_data(dims, batch)
    x = rng.standard_normal((batch, dims[0])).astype(np.float32)
    y = rng.integers(0, dims[-1], batch)
    return MLP(weights, lr=0.01, use_nn=True), x, y


def _allreduce_time(dist, flat, reps, warm):
    """Median seconds of one all-reduce of ``flat``, every rank starting together."""
    times = []
    for i in range(warm + reps):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(flat)
        if i >= warm:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    args = json.loads(sys.argv[1])
    import autograd as ag
    import autograd.distributed as dist
    import nn

    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    m, x, y = build(args["model"], args["batch"], rank, args.get("quick", False))
    m.model = nn.parallel.DistributedDataParallel(m.model)
    xt, yt = ag.Tensor(x), ag.Tensor(y)
    # NOTE: min_sample=0: one step per sample, so every rank runs the same number of
    # steps (the inner-loop sizing would differ between ranks and deadlock them)
    step, samples = timeit(lambda: m.step(xt, yt), args["reps"], args["warm"], min_sample=0)
    cpu0 = time.process_time()
    for _ in range(args["reps"]):
        m.step(xt, yt)
    cpu = (time.process_time() - cpu0) / args["reps"]  # this rank's own work, without waiting
    flat = np.concatenate([p.array.reshape(-1) for p in m.params])
    comm = _allreduce_time(dist, flat, args["reps"], args["warm"])
    steps = [None] * world
    dist.all_gather_object(steps, (step, cpu))
    if rank == 0:
        print(json.dumps({"world": world, "step": max(s for s, _ in steps), "samples": samples,
                          "cpu": max(c for _, c in steps),
                          "allreduce": comm, "params": int(flat.size),
                          "backend": dist.get_backend()}), flush=True)


if __name__ == "__main__":
    main()

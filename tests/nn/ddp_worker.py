"""One rank of the data-parallel tests, started by ``mpirun -n 2`` from test_distributed.py.

    python tests/nn/ddp_worker.py checks     # equivalence, sampler, no_sync, buffers
    python tests/nn/ddp_worker.py raise      # rank 1 raises in the middle of training
    python tests/nn/ddp_worker.py timeout    # rank 1 leaves; rank 0's all-reduce must give up

Rank 0 prints one line ``RESULT {json}`` with what the test asserts on.
"""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

import autograd as ag  # noqa: E402
import autograd.distributed as dist  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from nn.data import DistributedSampler, TensorDataset  # noqa: E402

STEPS = 20


def make_model(kind, dtype):
    ag.manual_seed(1 + dist.get_rank() * 100)  # NOTE: different per rank: DDP must broadcast
    if kind == "mlp":
        m = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    else:
        m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(6 * 2 * 2, 12), nn.Tanh(), nn.Linear(12, 3))
    return m.to(dtype) if hasattr(m, "to") else m


def data(kind, dtype, n=16):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(n, 6) if kind == "mlp" else (n, 1, 8, 8)).astype(dtype)
    return X, rng.integers(0, 3, size=n)


def params_of(model):
    return [p.array.copy() for p in model.parameters()]


def train(model, X, y, steps=STEPS):
    opt = optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(ag.tensor(X)), ag.tensor(y)).backward()
        opt.step()


def equivalence(kind, dtype, bucket_cap_mb):
    """20 steps at 2 ranks on half batches == 20 steps of one process on the full batch."""
    X, y = data(kind, dtype)
    ref = make_model(kind, dtype)
    dist.broadcast_object_list(holder := [params_of(ref)])  # the reference starts from rank 0's
    for p, v in zip(ref.parameters(), holder[0]):
        p.array[...] = v
    ddp = nn.parallel.DistributedDataParallel(make_model(kind, dtype), bucket_cap_mb=bucket_cap_mb)
    train(ref, X, y)
    own = np.fromiter(DistributedSampler(TensorDataset(X, y), shuffle=False), dtype=np.int64)
    train(ddp, X[own], y[own])
    err = max(float(np.max(np.abs(a.array - b.array)) / np.max(np.abs(b.array)))
              for a, b in zip(ddp.module.parameters(), ref.parameters()))
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, params_of(ddp.module))
    same = all(np.array_equal(a, b) for a, b in zip(everyone[0], everyone[-1]))
    return {"rel_err": err, "ranks_equal": same, "buckets": len(ddp._reducer.buckets)}


def sampler_epochs(n=23, epochs=3, drop_last=False):
    """Each epoch, the ranks' shares are disjoint and cover the dataset (padding aside)."""
    ds = TensorDataset(np.arange(n, dtype=np.float64))
    s = DistributedSampler(ds, shuffle=True, seed=5, drop_last=drop_last)
    out = []
    for e in range(epochs):
        s.set_epoch(e)
        shares = [None] * dist.get_world_size()
        dist.all_gather_object(shares, list(s))
        out.append(shares)
    return out


def no_sync_check():
    """Two micro-batches (the first under no_sync) give the full-batch gradient."""
    X, y = data("mlp", np.float64)
    ref = make_model("mlp", np.float64)
    ddp = nn.parallel.DistributedDataParallel(make_model("mlp", np.float64))
    for p, q in zip(ref.parameters(), ddp.module.parameters()):
        p.array[...] = q.array
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(ref(ag.tensor(X)), ag.tensor(y)).backward()
    r, w = dist.get_rank(), dist.get_world_size()
    micro = [np.arange(r * 8, r * 8 + 4), np.arange(r * 8 + 4, r * 8 + 8)]  # 4 samples each
    with ddp.no_sync():
        loss_fn(ddp(ag.tensor(X[micro[0]])), ag.tensor(y[micro[0]])).backward()
    local = [p.grad.array.copy() for p in ddp.parameters()]
    loss_fn(ddp(ag.tensor(X[micro[1]])), ag.tensor(y[micro[1]])).backward()
    # each micro-batch loss is a mean over 4 of the 16 samples: the sum of the two,
    # averaged over the 2 ranks, is 2x the full-batch gradient... divided by (16/4)/2 = 2
    err = max(float(np.max(np.abs(p.grad.array / 2 - q.grad.array)))
              for p, q in zip(ddp.parameters(), ref.parameters()))
    everyone = [None] * w
    dist.all_gather_object(everyone, local)
    differ = any(not np.allclose(a, b) for a, b in zip(everyone[0], everyone[-1]))
    return {"err": err, "local_grads_differ_inside_no_sync": differ}


def buffers_check():
    """BatchNorm's running statistics come from rank 0 before each synchronised forward."""
    ag.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Linear(5, 2))
    ddp = nn.parallel.DistributedDataParallel(model)
    rng = np.random.default_rng(dist.get_rank())  # different data per rank
    for _ in range(3):
        ddp(ag.tensor(rng.normal(size=(8, 4)))).sum().backward()
    local = model[1].running_mean.array.copy()
    ddp.eval()
    out = ddp(ag.tensor(np.ones((2, 4))))  # grad enabled: rank 0's buffers come first
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, (local, out.array.copy(), model[1].running_mean.array.copy()))
    return {"local_stats_differ": not np.allclose(everyone[0][0], everyone[1][0]),
            "eval_outputs_equal": bool(np.array_equal(everyone[0][1], everyone[1][1])),
            "stats_equal": bool(np.array_equal(everyone[0][2], everyone[1][2]))}


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body, self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x, head):
        return (self.a if head == "a" else self.b)(self.body(x))


def unused_check():
    """find_unused_parameters: a head no rank uses keeps .grad None; without it, an error."""
    ag.manual_seed(0)
    model = TwoHeads()
    ddp = nn.parallel.DistributedDataParallel(model, find_unused_parameters=True)
    x = ag.tensor(np.random.default_rng(dist.get_rank()).normal(size=(3, 4)))
    ddp(x, "a").sum().backward()
    grads = [None] * dist.get_world_size()
    dist.all_gather_object(grads, model.a.weight.grad.array.copy())
    result = {"head_b_grad_is_none": model.b.weight.grad is None,
              "head_a_grads_equal": bool(np.array_equal(grads[0], grads[-1]))}
    strict = nn.parallel.DistributedDataParallel(TwoHeads())
    strict(x, "a").sum().backward()
    try:
        strict(x, "a")
        result["error"] = None
    except RuntimeError as e:
        result["error"] = str(e)
    return result


def checks():
    dist.init_process_group()
    result = {"world": dist.get_world_size(), "backend": dist.get_backend()}
    result["mlp32"] = equivalence("mlp", np.float32, None)
    result["mlp64_small_buckets"] = equivalence("mlp", np.float64, 0.0005)
    result["lenet32"] = equivalence("cnn", np.float32, 0.001)
    result["lenet64"] = equivalence("cnn", np.float64, None)
    result["sampler"] = sampler_epochs()
    result["sampler_drop_last"] = sampler_epochs(drop_last=True)
    result["no_sync"] = no_sync_check()
    result["buffers"] = buffers_check()
    result["unused"] = unused_check()
    if dist.get_rank() == 0:
        print("RESULT " + json.dumps(result), flush=True)


def raises():
    dist.init_process_group()
    ddp = nn.parallel.DistributedDataParallel(make_model("mlp", np.float32))
    X, y = data("mlp", np.float32)
    for step in range(1000):
        if dist.get_rank() == 1 and step == 3:
            raise ValueError("boom: rank 1 failed on purpose at step 3")
        nn.CrossEntropyLoss()(ddp(ag.tensor(X)), ag.tensor(y)).backward()


def timeout():
    dist.init_process_group(timeout=datetime.timedelta(seconds=1))
    if dist.get_rank() == 1:
        import time
        time.sleep(20)  # alive but never joins: rank 0's wait must give up, then abort all
        return
    dist.all_reduce(np.ones(3))


if __name__ == "__main__":
    {"checks": checks, "raise": raises, "timeout": timeout}[sys.argv[1]]()

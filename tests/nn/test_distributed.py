"""Data-parallel training: autograd.distributed, nn.parallel.DistributedDataParallel and
nn.data.DistributedSampler, in one process (the 'local' backend) and at 2 ranks on
loopback (``mpirun -n 2`` running tests/nn/ddp_worker.py; skipped without MPI)."""
import functools
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

import autograd as ag
import autograd.distributed as dist
import nn
from nn.data import DataLoader, DistributedSampler, TensorDataset
from tests.helpers import torch

WORKER = pathlib.Path(__file__).with_name("ddp_worker.py")
ROOT = WORKER.parents[2]


# --------------------------------------------------------------------------- 2 ranks
def _mpirun():
    """The mpirun to use, or the reason MPI cannot be used here."""
    if not dist.is_mpi_available():
        return None, f"mpi4py is not installed ({dist.MPI_INSTALL_HINT})"
    exe = pathlib.Path(sys.executable).with_name("mpirun")
    exe = str(exe) if exe.exists() else shutil.which("mpirun")
    if exe is None:
        return None, "no mpirun next to the interpreter or on PATH"
    return exe, None


def _launch(scenario, timeout=60):
    exe, why = _mpirun()
    if exe is None:
        pytest.skip(f"MPI cannot be used: {why}")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=str(ROOT))
    t0 = time.monotonic()
    try:
        proc = subprocess.run([exe, "-n", "2", sys.executable, str(WORKER), scenario], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"mpirun -n 2 ({scenario}) hung for more than {timeout} s: {e.stderr}")
    return proc, time.monotonic() - t0


@functools.lru_cache(maxsize=None)
def _checks():
    proc, _ = _launch("checks")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        if "mpi" in proc.stderr.lower() and not lines and "Traceback" not in proc.stderr:
            pytest.skip(f"MPI cannot start 2 ranks here: {proc.stderr.strip()[-300:]}")
        pytest.fail(f"the 2-rank run failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture
def two_ranks():
    return _checks()


@pytest.mark.parametrize("case,tol", [("mlp32", 1e-6), ("lenet32", 1e-6),
                                      ("mlp64_small_buckets", 1e-12), ("lenet64", 1e-12)])
def test_20_steps_at_2_ranks_equal_one_process_on_the_full_batch(two_ranks, case, tol):
    r = two_ranks[case]
    assert two_ranks["world"] == 2 and two_ranks["backend"] == "mpi"
    assert r["rel_err"] < tol, r
    assert r["ranks_equal"]  # every rank holds bitwise the same parameters


def test_distributed_sampler_partitions_every_epoch(two_ranks):
    orders = []
    for shares in two_ranks["sampler"]:  # 23 samples, 2 ranks: 12 each, one padded
        a, b = shares
        assert len(a) == len(b) == 12
        both = a + b
        assert sorted(set(both)) == list(range(23))
        assert b[-1] == a[0]  # order[23], the one pad, repeats order[0]
        orders.append(both)
    assert orders[0] != orders[1]  # set_epoch reshuffles
    for a, b in two_ranks["sampler_drop_last"]:
        assert len(a) == len(b) == 11 and not set(a) & set(b)


def test_no_sync_accumulates_then_averages(two_ranks):
    r = two_ranks["no_sync"]
    assert r["local_grads_differ_inside_no_sync"]
    assert r["err"] < 1e-12


def test_batchnorm_buffers_come_from_rank_0(two_ranks):
    r = two_ranks["buffers"]
    assert r["local_stats_differ"] and r["stats_equal"] and r["eval_outputs_equal"]


def test_unused_parameters(two_ranks):
    r = two_ranks["unused"]
    assert r["head_b_grad_is_none"] and r["head_a_grads_equal"]
    assert "finished reduction in the prior iteration" in r["error"]
    assert "find_unused_parameters=True" in r["error"]
    assert "(b.weight, b.bias: indices [4, 5] on rank 0)" in r["error"]


def test_a_rank_that_raises_stops_every_rank_with_its_error():
    proc, seconds = _launch("raise")
    assert proc.returncode != 0
    assert seconds < 30
    assert "rank 1 of 2 failed" in proc.stderr
    assert "ValueError: boom: rank 1 failed on purpose at step 3" in proc.stderr


def test_a_rank_that_never_joins_makes_the_wait_time_out():
    proc, seconds = _launch("timeout")
    assert proc.returncode != 0 and seconds < 15
    assert "DistBackendError: all_reduce on rank 0 of 2 timed out after 1 s" in proc.stderr


# --------------------------------------------------------------------------- one process
@pytest.fixture
def local_group():
    dist.init_process_group(backend="local")
    yield
    dist.destroy_process_group()


def test_local_group_is_a_world_of_one(local_group):
    assert dist.is_initialized() and dist.get_rank() == 0 and dist.get_world_size() == 1
    assert dist.get_backend() == "local"
    t = ag.tensor([1.0, 2.0])
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    dist.broadcast(t, src=0)
    dist.barrier()
    assert dist.all_reduce(t, async_op=True).wait() is True
    np.testing.assert_array_equal(t.array, [1.0, 2.0])
    objs = [None]
    dist.all_gather_object(objs, {"a": 1})
    assert objs == [{"a": 1}]


def test_errors_name_the_fix(local_group):
    with pytest.raises(RuntimeError, match="twice"):
        dist.init_process_group(backend="local")
    with pytest.raises(TypeError, match="AVG needs a floating-point"):
        dist.all_reduce(np.ones(2, dtype=np.int64), op=dist.ReduceOp.AVG)
    with pytest.raises(ValueError, match="unknown op"):
        dist.all_reduce(np.ones(2), op="mean")
    with pytest.raises(ValueError, match="src=1 is not a rank"):
        dist.broadcast(np.ones(2), src=1)
    with pytest.raises(ValueError, match="device_ids"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2), device_ids=[0])


def test_uninitialised_group_and_bad_arguments():
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="unknown backend 'nccl'"):
        dist.init_process_group(backend="nccl")
    with pytest.raises(TypeError, match="timedelta"):
        dist.init_process_group(backend="local", timeout=5)
    assert not dist.is_initialized()


def test_local_backend_refuses_to_run_ranks_alone(monkeypatch):
    monkeypatch.setenv("PMI_SIZE", "4")
    with pytest.raises(RuntimeError, match="one of 4 ranks.*mpi4py is missing"):
        dist.init_process_group(backend="local")
    assert not dist.is_initialized()


def test_ddp_in_one_process_is_the_model(local_group):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    ddp = nn.parallel.DistributedDataParallel(model)
    x = ag.tensor(np.random.default_rng(0).normal(size=(5, 3)))
    ddp(x).sum().backward()
    grads = [p.grad.array.copy() for p in model.parameters()]
    model.zero_grad()
    model(x).sum().backward()
    for g, p in zip(grads, model.parameters()):
        np.testing.assert_array_equal(g, p.grad.array)
    assert ddp.module is model
    sd = ddp.state_dict()
    assert set(sd) == {"module." + k for k in model.state_dict()}  # PyTorch's prefix
    ddp.load_state_dict(sd)
    with ddp.no_sync():
        assert not ddp.require_backward_grad_sync
    assert ddp.require_backward_grad_sync


# --------------------------------------------------------------------------- the sampler
@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (7, 4, False),
                                                  (2, 5, False), (12, 4, True)])
def test_sampler_partitions_like_pytorch(n, replicas, drop_last):
    ds = TensorDataset(np.arange(n, dtype=np.float64))
    shares = [list(DistributedSampler(ds, replicas, r, shuffle=False, drop_last=drop_last))
              for r in range(replicas)]
    assert len({len(s) for s in shares}) == 1
    flat = [i for k in range(len(shares[0])) for s in shares for i in s[k:k + 1]]
    if drop_last:
        assert len(set(flat)) == len(flat) == replicas * (n // replicas)
    else:
        assert set(flat) == set(range(n)) and len(flat) == -(-n // replicas) * replicas
    if torch is not None:
        from torch.utils.data import DistributedSampler as TorchSampler

        for r in range(replicas):
            ref = TorchSampler(list(range(n)), replicas, r, shuffle=False, drop_last=drop_last)
            assert shares[r] == list(ref) and len(shares[r]) == len(ref)


def test_sampler_shuffles_per_epoch_and_feeds_a_loader():
    ds = TensorDataset(np.arange(20, dtype=np.float64), np.arange(20))
    samplers = [DistributedSampler(ds, 2, r, seed=3) for r in range(2)]
    epochs = []
    for e in range(2):
        for s in samplers:
            s.set_epoch(e)
        a, b = (list(s) for s in samplers)
        assert sorted(a + b) == list(range(20))
        epochs.append(a)
    assert epochs[0] != epochs[1]
    loader = DataLoader(ds, batch_size=4, sampler=samplers[0])
    assert len(loader) == 3
    seen = np.concatenate([y.array for _, y in loader])
    np.testing.assert_array_equal(seen, list(samplers[0]))
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=samplers[0], shuffle=True)
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(ds, 2, 2)
    assert "rank 0 of 2" in repr(samplers[0])


def test_sampler_defaults_come_from_the_group(local_group):
    s = DistributedSampler(TensorDataset(np.arange(5.0)))
    assert (s.num_replicas, s.rank, s.num_samples) == (1, 0, 5)


def test_bucket_assignment_follows_pytorch_caps():
    from nn.parallel import _assign_buckets

    params = [ag.zeros(n, requires_grad=True) for n in (300, 300, 300, 10)]  # float32: 1200 B each
    groups = _assign_buckets(params, 1000, 2000)
    assert [[p.numel() for p in g] for g in groups] == [[300], [300, 300], [10]]
    mixed = [ag.zeros(10, requires_grad=True), ag.zeros(10, dtype=np.float64, requires_grad=True)]
    assert len(_assign_buckets(mixed, 1 << 20, 1 << 20)) == 2  # one dtype per bucket


# --------------------------------------------------------------------------- the main job
def test_main_job_at_2_ranks_then_resumed_in_one_process(tmp_path, monkeypatch):
    exe, why = _mpirun()
    if exe is None:
        pytest.skip(f"MPI cannot be used: {why}")
    from gradtable import cli

    out = tmp_path / "run"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    proc = subprocess.run([exe, "-n", "2", sys.executable, "-m", "nn", "--distributed", "--dataset",
                           "xor", "--epochs", "2", "--no-progress", "--checkpoint", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("test accuracy:") == 1 and proc.stdout.count("epoch   2") == 1  # rank 0 only
    assert "2 ranks x batches of 16" in proc.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["ranks"] == 2 and metrics["files"]["checkpoint"] == "checkpoint.npz"
    saved = nn.load(str(out / "checkpoint.npz"))
    assert saved["epoch"] == 2 and not any(k.startswith("module.") for k in saved["model"])
    again = tmp_path / "resumed"
    monkeypatch.setattr(cli, "_write_outputs", lambda *a: ({}, []))  # the plots are tested elsewhere
    assert cli.main(["--dataset", "xor", "--epochs", "3", "--no-progress", "--resume",
                     str(out / "checkpoint.npz"), "--out", str(again)]) == 0
    resumed = json.loads((again / "metrics.json").read_text())
    assert len(resumed["history"]["loss"]) == 3 and resumed["ranks"] == 1
    assert resumed["history"]["loss"][:2] == metrics["history"]["loss"]
    with pytest.raises(ValueError, match="trained --model mlp on --dataset xor"):
        cli.main(["--dataset", "moons", "--epochs", "3", "--no-progress", "--resume",
                  str(out / "checkpoint.npz"), "--out", str(again)])


def test_main_job_documents_the_distributed_options(capsys):
    from gradtable import cli

    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for opt in ("--distributed", "mpirun", "--checkpoint", "--resume"):
        assert opt in out, opt

"""nn.utils.tensorboard.SummaryWriter: real event files, read back by TensorBoard's own
EventAccumulator, identical in content to torch.utils.tensorboard's."""
import os

import numpy as np
import pytest

import autograd as ag
from tests.helpers import requires_torch, torch

pytest.importorskip("tensorboard", reason="optional extra: pip install tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from nn.utils.tensorboard import SummaryWriter  # noqa: E402

RNG = np.random.default_rng(3)
W = [RNG.standard_normal((20, 5)) * (1 + k) for k in range(3)]


def _log(writer_cls, log_dir, tensor):
    with writer_cls(log_dir) as w:
        for step in range(3):
            w.add_scalar("loss/train", 1.0 / (step + 1), step, walltime=100.0 + step)
            w.add_scalars("loss", {"train": 1.0 / (step + 1), "val": 1.5 / (step + 1)}, step,
                          walltime=100.0 + step)
            w.add_histogram("fc1.weight", tensor(W[step]), step, walltime=100.0 + step)
            w.add_histogram("fc1.auto", tensor(W[step]), step, bins="auto", max_bins=5,
                            walltime=100.0 + step)


def _read(path):
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def test_scalars_and_histograms_read_back(tmp_path):
    _log(SummaryWriter, tmp_path / "ours", ag.tensor)
    acc = _read(tmp_path / "ours")
    assert set(acc.Tags()["scalars"]) == {"loss/train"}
    ev = acc.Scalars("loss/train")
    assert [e.step for e in ev] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in ev], [1.0, 0.5, 1 / 3], rtol=1e-7)
    h = acc.Histograms("fc1.weight")[2].histogram_value
    assert (h.num, h.min, h.max) == (100, W[2].min(), W[2].max())
    assert sum(h.bucket) == 100 and h.sum == pytest.approx(W[2].sum())
    # add_scalars: one sub-run per key, as PyTorch lays them out
    assert sorted(os.listdir(tmp_path / "ours"))[-2:] == ["loss_train", "loss_val"]
    val = _read(tmp_path / "ours" / "loss_val").Scalars("loss")
    np.testing.assert_allclose([e.value for e in val], [1.5, 0.75, 0.5], rtol=1e-7)


@requires_torch
def test_same_events_as_torch(tmp_path):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    _log(SummaryWriter, tmp_path / "ours", ag.tensor)
    _log(TorchWriter, tmp_path / "torch", torch.tensor)
    for sub in ("", "loss_train", "loss_val"):
        a, b = _read(tmp_path / "ours" / sub), _read(tmp_path / "torch" / sub)
        assert a.Tags()["scalars"] == b.Tags()["scalars"]
        assert a.Tags()["histograms"] == b.Tags()["histograms"]
        for tag in a.Tags()["scalars"]:
            assert a.Scalars(tag) == b.Scalars(tag)
        for tag in a.Tags()["histograms"]:
            assert a.Histograms(tag) == b.Histograms(tag)


def test_errors_and_double_close(tmp_path):
    w = SummaryWriter(tmp_path)
    with pytest.raises(ValueError, match=r"add_scalar: 'x' needs one value.*\(2,\)"):
        w.add_scalar("x", np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="no values"):
        w.add_histogram("h", np.array([]))
    w.close()
    w.close()
    assert w.get_logdir() == tmp_path

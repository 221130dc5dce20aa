"""nn.save / nn.load: a pickle-free .npz; damaged files raise clear errors."""
import collections
import zipfile

import numpy as np
import pytest

import autograd as ag
import nn


def _model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


class WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.register_buffer("running", ag.zeros(2))
        self.register_buffer("steps", ag.tensor(np.array(0, dtype=np.int64)))

    def forward(self, x):
        return self.fc(x) + self.running


def test_save_load_into_fresh_model_gives_identical_outputs(tmp_path):
    path = tmp_path / "model.npz"
    ag.manual_seed(1)
    model = _model()
    nn.save(model.state_dict(), path)
    ag.manual_seed(2)
    fresh = _model()
    x = ag.randn(5, 4)
    assert not np.array_equal(model(x).array, fresh(x).array)
    loaded = nn.load(path)
    assert list(loaded) == list(model.state_dict())
    assert all(isinstance(v, np.ndarray) for v in loaded.values())  # arrays come back
    fresh.load_state_dict(loaded)
    np.testing.assert_array_equal(model(x).array, fresh(x).array)


def test_file_is_plain_npz_without_pickle(tmp_path):
    path = tmp_path / "weights.bin"  # any name: nothing is appended
    nn.save(_model().state_dict(), path)
    assert path.exists() and not (tmp_path / "weights.bin.npz").exists()
    with np.load(path, allow_pickle=False) as z:
        assert "__structure__" in z.files
        for name in z.files:
            z[name]  # every entry readable without pickle


def test_buffers_and_dtypes_roundtrip(tmp_path):
    m = WithBuffer()
    m.running = ag.tensor([1.5, -2.0])
    m.steps = ag.tensor(np.array(7, dtype=np.int64))
    nn.save(m.state_dict(), tmp_path / "b.npz")
    sd = nn.load(tmp_path / "b.npz")
    assert sd["steps"].dtype == np.int64 and sd["steps"] == 7
    assert sd["fc.weight"].dtype == np.float32
    other = WithBuffer()
    other.load_state_dict(sd)
    np.testing.assert_array_equal(other.running.array, [1.5, -2.0])
    assert other.steps.item() == 7


def test_optimizer_like_nested_state_roundtrips(tmp_path):
    state = {
        "state": {0: {"step": 3, "exp_avg": np.ones((2, 2)), "exp_avg_sq": ag.zeros(2)},
                  1: {"step": 3, "momentum_buffer": None}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False,
                          "params": [0, 1], "name": "all", "nan": float("nan")}],
        "scalar": np.float32(0.5),
        (1, "a"): "tuple key",
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
    }
    nn.save(state, tmp_path / "opt.npz")
    back = nn.load(tmp_path / "opt.npz")
    assert set(back["state"]) == {0, 1}  # int keys stay ints
    np.testing.assert_array_equal(back["state"][0]["exp_avg"], np.ones((2, 2)))
    assert isinstance(back["state"][0]["exp_avg_sq"], np.ndarray)
    assert back["state"][1]["momentum_buffer"] is None
    g = back["param_groups"][0]
    assert g["betas"] == (0.9, 0.999) and isinstance(g["betas"], tuple)
    assert g["amsgrad"] is False and g["params"] == [0, 1] and g["name"] == "all"
    assert np.isnan(g["nan"]) and g["lr"] == 1e-3
    assert back["scalar"] == np.float32(0.5) and back["scalar"].dtype == np.float32
    assert back[(1, "a")] == "tuple key"
    assert isinstance(back["ordered"], collections.OrderedDict) and list(back["ordered"]) == ["b", "a"]


def test_refuses_objects_that_would_need_pickle(tmp_path):
    with pytest.raises(TypeError, match="state_dict"):
        nn.save(_model(), tmp_path / "m.npz")
    with pytest.raises(TypeError, match=r"\['f'\]"):
        nn.save({"f": lambda: 0}, tmp_path / "m.npz")
    with pytest.raises(TypeError, match="dtype object"):
        nn.save({"a": np.array([{}], dtype=object)}, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_truncated_file_raises_naming_the_file(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(_model().state_dict(), path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 10):
        bad = tmp_path / f"cut{cut}.npz"
        bad.write_bytes(data[:cut])
        with pytest.raises(nn.SerializationError, match=f"cut{cut}.npz"):
            nn.load(bad)


def test_corrupt_array_raises_naming_the_key(tmp_path):
    path = tmp_path / "model.npz"
    sd = _model().state_dict()
    nn.save(sd, path)
    data = bytearray(path.read_bytes())
    # flip a byte inside the values of arr_2 (the '2.weight' entry): the zip CRC catches it
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("arr_2.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.file_size - 4] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(nn.SerializationError, match=r"arr_2.*'2.weight'"):
        nn.load(path)


def test_not_a_save_file(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not a zip archive at all")
    with pytest.raises(nn.SerializationError, match="garbage.npz"):
        nn.load(garbage)
    other = tmp_path / "other.npz"
    np.savez(other, w=np.zeros(3))
    with pytest.raises(nn.SerializationError, match="not written by nn.save"):
        nn.load(other)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(nn.SerializationError, match=".npy"):
        nn.load(single)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_mismatched_archive_entries_raise(tmp_path):
    path = tmp_path / "m.npz"
    nn.save({"w": np.zeros(2)}, path)
    with np.load(path) as z:
        entries = {k: z[k] for k in z.files}
    extra = dict(entries, arr_9=np.ones(1))
    np.savez(tmp_path / "extra.npz", **extra)
    with pytest.raises(nn.SerializationError, match="arr_9"):
        nn.load(tmp_path / "extra.npz")
    del entries["arr_0"]
    np.savez(tmp_path / "missing.npz", **entries)
    with pytest.raises(nn.SerializationError, match=r"arr_0.*\['w'\]"):
        nn.load(tmp_path / "missing.npz")


def test_wrong_shape_raises_naming_the_key_and_leaves_model_untouched(tmp_path):
    nn.save(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 5)).state_dict(),
            tmp_path / "wide.npz")
    model = _model()
    before = {k: v.array.copy() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match=r"size mismatch for '2.weight'.*\(5, 8\).*\(3, 8\)"):
        model.load_state_dict(nn.load(tmp_path / "wide.npz"))
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.array, before[k], err_msg=k)


def test_save_to_open_file_object(tmp_path):
    path = tmp_path / "f.npz"
    with open(path, "wb") as f:
        nn.save({"a": np.arange(3)}, f)
    with open(path, "rb") as f:
        np.testing.assert_array_equal(nn.load(f)["a"], np.arange(3))

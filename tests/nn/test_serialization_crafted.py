"""Bad input refused at the door (issue 9, item 9): crafted save files raise
SerializationError like every other damaged file; ag.save/ag.load are nn's."""
import io
import json
import zipfile

import numpy as np
import pytest

import autograd as ag
import nn


def _write(path, structure, members=None):
    """A save file with a hand-written structure and raw zip members."""
    data = structure if isinstance(structure, str) else json.dumps(structure)
    doc = '{"format": "gradtable.state", "version": 1, "data": %s}' % data
    with zipfile.ZipFile(path, "w") as z:
        buf = io.BytesIO()
        np.save(buf, np.array(doc))
        z.writestr("__structure__.npy", buf.getvalue())
        for name, data in (members or {}).items():
            if isinstance(data, np.ndarray):
                buf = io.BytesIO()
                np.save(buf, data, allow_pickle=True)
                data = buf.getvalue()
            z.writestr(name, data)
    return path


def test_the_writer_above_makes_loadable_files(tmp_path):
    path = _write(tmp_path / "ok.npz", {"$t": "dict", "k": ["w"], "v": [{"$t": "array", "key": "arr_0"}]},
                  {"arr_0.npy": np.arange(3.0)})
    np.testing.assert_array_equal(nn.load(path)["w"], np.arange(3.0))


@pytest.mark.parametrize("member", [b"not an array at all", b"\x93NUMPY garbage"])
def test_member_that_is_not_an_array(tmp_path, member):
    path = _write(tmp_path / "bytes.npz", {"$t": "dict", "k": ["w"], "v": [{"$t": "array", "key": "arr_0"}]},
                  {"arr_0.npy": member})
    with pytest.raises(nn.SerializationError, match=r"bytes.npz.*arr_0.*\['w'\]"):
        nn.load(path)


def test_member_that_is_an_object_array(tmp_path):
    path = _write(tmp_path / "obj.npz", {"$t": "array", "key": "arr_0"},
                  {"arr_0.npy": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(nn.SerializationError, match="arr_0"):
        nn.load(path)


def test_member_that_is_not_an_npy_file(tmp_path):
    path = _write(tmp_path / "raw.npz", {"$t": "scalar", "key": "arr_0"}, {"arr_0": b"\x00\x01"})
    with pytest.raises(nn.SerializationError, match="arr_0"):
        nn.load(path)


def test_scalar_stored_as_an_array(tmp_path):
    path = _write(tmp_path / "s.npz", {"$t": "scalar", "key": "arr_0"}, {"arr_0.npy": np.zeros(3)})
    with pytest.raises(nn.SerializationError, match="shape"):
        nn.load(path)


@pytest.mark.parametrize("key", [[1, 2], {"$t": "tuple", "v": [[1]]}, {"$t": "tuple", "v": [{"a": 1}]},
                                 {"$t": "set", "v": [1]}])
def test_structure_with_unhashable_keys(tmp_path, key):
    path = _write(tmp_path / "keys.npz", {"$t": "dict", "k": [key], "v": [1]})
    with pytest.raises(nn.SerializationError, match="key"):
        nn.load(path)


@pytest.mark.parametrize("depth", [900, 100000])
def test_structure_nested_too_deeply(tmp_path, depth):
    # NOTE: written as text: json.dumps itself refuses such depths
    text = '{"$t": "list", "v": [' * depth + "1" + "]}" * depth
    path = _write(tmp_path / "deep.npz", text)
    with pytest.raises(nn.SerializationError, match="deep.npz"):
        nn.load(path)


def test_ag_save_load_are_nn_save_load(tmp_path):
    assert ag.save is nn.save and ag.load is nn.load
    assert ag.SerializationError is nn.SerializationError
    assert issubclass(nn.SerializationError, ValueError)
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    ag.save({"t": t, "n": 3, "k": (1, "a")}, tmp_path / "a.npz")
    out = ag.load(tmp_path / "a.npz")
    np.testing.assert_array_equal(out["t"], [1.0, 2.0])
    assert out["n"] == 3 and out["k"] == (1, "a")

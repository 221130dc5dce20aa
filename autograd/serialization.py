"""Saving and loading state dicts in a safe format: a numpy ``.npz`` archive, never pickle.

``ag.save`` / ``ag.load`` (PyTorch's ``torch.save`` / ``torch.load``); ``nn.save``,
``nn.load`` and ``nn.SerializationError`` are the same objects, re-exported.

    nn.save(model.state_dict(), "model.npz")
    model.load_state_dict(nn.load("model.npz"))
    nn.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}, "ckpt.npz")

What can be saved: nested dicts (any key that is a str, int, float, bool, None or a
tuple of those), lists and tuples of numpy arrays, Tensors, numpy scalars, Python
numbers, strings, bools and None. Anything else (a whole Module, a function, an
object array) is refused, because storing it would need pickle, and unpickling a
file can run arbitrary code.

The format: every array (a Tensor's array) is one entry of the archive
(``arr_0``, ``arr_1``, ...); the nesting is one JSON document, stored as a 0-d
unicode array under ``__structure__``, in which an array appears as a reference to
its entry. The file therefore opens with ``np.load(path, allow_pickle=False)``.
Tensors are stored as arrays and come back as arrays (``load_state_dict`` accepts
either). Truncated, corrupt, mismatched or crafted files (an entry that is not an
array, a dict key that cannot be a key) raise :class:`SerializationError` naming the
file and the entry; nothing else escapes from :func:`load`.
"""
import collections
import collections.abc
import json
import os

import numpy as np

from ._tensor import Tensor
from .backend import get_backend, is_array, to_device, to_host

__all__ = ["save", "load", "SerializationError"]

_FORMAT = "gradtable.state"
_VERSION = 1
_STRUCT = "__structure__"


class SerializationError(ValueError):
    """A file is not a valid gradtable save file (truncated, corrupt or mismatched)."""


def _why(e):
    """A short description of a low-level read error (zip errors can quote raw bytes)."""
    text = f"{type(e).__name__}: {e}"
    return text if len(text) <= 160 else text[:157] + "..."


# ---------------------------------------------------------------- encoding
class _Encoder:
    def __init__(self):
        self.arrays = {}

    def _array(self, arr, path, tag):
        if arr.dtype.kind not in "biufcUS":
            raise TypeError(f"save: the array at {path or 'the top level'} has dtype "
                            f"{arr.dtype}, which cannot be stored without pickle")
        key = f"arr_{len(self.arrays)}"
        self.arrays[key] = arr
        return {"$t": tag, "key": key}

    def key(self, k, path):
        if k is None or isinstance(k, (bool, int, float, str)):
            return k
        if isinstance(k, np.generic) and k.dtype.kind in "biuf":
            return k.item()
        if isinstance(k, tuple):
            return {"$t": "tuple", "v": [self.key(x, path) for x in k]}
        raise TypeError(f"save: dict key {k!r} at {path or 'the top level'} is a "
                        f"{type(k).__name__}; keys must be str, int, float, bool, None or tuples")

    def node(self, obj, path=""):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, (int, float)) and not isinstance(obj, np.generic):
            return obj
        if isinstance(obj, Tensor):  # a tensor of any device is written as a host array
            return self._array(np.asarray(to_host(obj.array), order="C"), path, "array")
        if isinstance(obj, np.ndarray) or is_array(obj):
            return self._array(np.asarray(to_host(obj), order="C"), path, "array")
        if isinstance(obj, np.generic):
            return self._array(np.asarray(obj), path, "scalar")
        if isinstance(obj, collections.abc.Mapping):
            tag = "odict" if isinstance(obj, collections.OrderedDict) else "dict"
            keys, values = [], []
            for k, v in obj.items():
                keys.append(self.key(k, path))
                values.append(self.node(v, f"{path}[{k!r}]"))
            return {"$t": tag, "k": keys, "v": values}
        if isinstance(obj, (list, tuple)):
            return {"$t": "tuple" if isinstance(obj, tuple) else "list",
                    "v": [self.node(v, f"{path}[{i}]") for i, v in enumerate(obj)]}
        hint = (" Save its state dict instead: nn.save(model.state_dict(), path)."
                if hasattr(obj, "state_dict") else "")
        raise TypeError(f"save: cannot store a {type(obj).__name__} at "
                        f"{path or 'the top level'} without pickle.{hint}")


def save(obj, f):
    """Write ``obj`` (a state dict, or nested dicts/lists of arrays, Tensors, numbers,
    strings, bools and None) to ``f``, a path or a writable binary file.

    A path is written atomically (to a temporary file that then replaces it), and
    exactly at that name (no ``.npz`` is appended).
    """
    enc = _Encoder()
    root = enc.node(obj)
    doc = json.dumps({"format": _FORMAT, "version": _VERSION, "data": root})
    entries = {_STRUCT: np.array(doc)}
    entries.update(enc.arrays)
    if hasattr(f, "write"):
        np.savez(f, **entries)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    import tempfile  # NOTE: imported here: saving is rare, and the module costs every start memory

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **entries)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# ---------------------------------------------------------------- decoding
class _Decoder:
    def __init__(self, npz, name):
        self.npz = npz
        self.name = name
        self.used = set()

    def fail(self, msg):
        raise SerializationError(f"{self.name}: {msg}")

    def array(self, node, path):
        key = node.get("key")
        where = path or "the top level"
        if not isinstance(key, str) or key not in self.npz.files:
            self.fail(f"the entry {key!r} for {where} is missing from the archive "
                      "(mismatched or damaged file)")
        try:
            arr = self.npz[key]
        except Exception as e:  # noqa: BLE001 - any read error means a damaged file
            self.fail(f"the entry {key!r} for {where} could not be read "
                      f"(truncated or corrupt file): {_why(e)}")
        if not isinstance(arr, np.ndarray):
            self.fail(f"the entry {key!r} for {where} is not an array ({type(arr).__name__}; "
                      "crafted or damaged file)")
        if arr.dtype.kind not in "biufcUS":
            self.fail(f"the entry {key!r} for {where} has dtype {arr.dtype}, which a save "
                      "file never holds (crafted or damaged file)")
        self.used.add(key)
        return arr

    def key(self, k, path):
        if isinstance(k, dict):
            if k.get("$t") != "tuple" or not isinstance(k.get("v"), list):
                self.fail(f"a dict key at {path or 'the top level'} is malformed")
            return tuple(self.key(x, path) for x in k["v"])
        if k is not None and not isinstance(k, (bool, int, float, str)):
            self.fail(f"a dict key at {path or 'the top level'} is a {type(k).__name__} "
                      f"({k!r}), which cannot be a key (crafted or damaged file)")
        return k

    def node(self, node, path=""):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or "$t" not in node:
            self.fail(f"the structure is malformed at {path or 'the top level'}")
        tag = node["$t"]
        if tag == "array":
            return self.array(node, path)
        if tag == "scalar":
            arr = self.array(node, path)
            if arr.ndim:
                self.fail(f"the scalar at {path or 'the top level'} is stored as an array of "
                          f"shape {arr.shape} (crafted or damaged file)")
            return arr[()]
        if tag in ("list", "tuple"):
            items = node.get("v")
            if not isinstance(items, list):
                self.fail(f"the structure is malformed at {path or 'the top level'}")
            out = [self.node(v, f"{path}[{i}]") for i, v in enumerate(items)]
            return tuple(out) if tag == "tuple" else out
        if tag in ("dict", "odict"):
            keys, values = node.get("k"), node.get("v")
            if not isinstance(keys, list) or not isinstance(values, list) \
                    or len(keys) != len(values):
                self.fail(f"the structure is malformed at {path or 'the top level'}")
            out = collections.OrderedDict() if tag == "odict" else {}
            for k, v in zip(keys, values):
                k = self.key(k, path)
                out[k] = self.node(v, f"{path}[{k!r}]")
            return out
        self.fail(f"unknown node type {tag!r} at {path or 'the top level'}")


def load(f, map_location=None, weights_only=True):
    """Read what :func:`save` wrote. Arrays come back as numpy arrays (a save file holds
    host arrays, whatever device they were saved from), or on ``map_location``.

    ``map_location`` is a device (``"cpu"``, ``"cuda"``, ``"strict"``, an
    ``ag.device``): every array is put there; ``model.load_state_dict`` copies onto the
    model's own device either way. ``weights_only`` is accepted for PyTorch habits
    (nothing but data is ever loaded). A file that is not
    a gradtable save file, or is truncated or corrupt, raises
    :class:`SerializationError` naming the file and, where it can, the entry.
    """
    target = _map_location(map_location)
    name = repr(os.fspath(f)) if isinstance(f, (str, bytes, os.PathLike)) else \
        f"<{type(f).__name__}>"
    if isinstance(f, (str, bytes, os.PathLike)) and not os.path.exists(f):
        raise FileNotFoundError(f"load: no such file: {name}")
    try:
        npz = np.load(f, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any parse error means not a valid archive
        raise SerializationError(f"{name}: not a gradtable save file, or truncated/corrupt "
                                 f"(it does not open as an .npz archive: "
                                 f"{_why(e)})") from e
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise SerializationError(f"{name}: a plain .npy array, not a gradtable save file "
                                 "(written by nn.save)")
    with npz:
        dec = _Decoder(npz, name)
        if _STRUCT not in npz.files:
            dec.fail(f"no {_STRUCT!r} entry: this .npz archive was not written by nn.save (ag.save)")
        try:
            doc = json.loads(str(npz[_STRUCT][()]))
        except Exception as e:  # noqa: BLE001
            dec.fail(f"the {_STRUCT!r} entry is unreadable (truncated or corrupt file): "
                     f"{_why(e)}")
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT or "data" not in doc:
            dec.fail(f"the {_STRUCT!r} entry is not a gradtable structure")
        if doc.get("version") != _VERSION:
            dec.fail(f"written by format version {doc.get('version')!r}; this library reads "
                     f"version {_VERSION}")
        try:
            out = dec.node(doc["data"])
        except RecursionError:
            dec.fail("the structure is nested too deeply (crafted or damaged file)")
        extra = sorted(set(npz.files) - dec.used - {_STRUCT})
        if extra:
            dec.fail(f"entries {extra} are not referenced by the structure (mismatched file)")
    return out if target is None else _moved(out, target)


def _map_location(map_location):
    """The device ``load`` puts arrays on (None: leave them numpy arrays)."""
    if map_location is None:
        return None
    if isinstance(map_location, str):  # an ag.device is a str
        dev = get_backend(map_location).device  # raises now for a missing GPU
        return None if dev == "cpu" else dev
    raise TypeError(f"load: map_location must be a device such as 'cpu' or 'cuda' (or None), "
                    f"got {type(map_location).__name__}; functions and dicts of PyTorch's "
                    "map_location are not supported (a save file holds host arrays only)")


def _moved(obj, dev):
    if isinstance(obj, np.ndarray):
        return to_device(obj, dev)
    if isinstance(obj, list):
        return [_moved(v, dev) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_moved(v, dev) for v in obj)
    if isinstance(obj, dict):
        out = type(obj)()
        for k, v in obj.items():
            out[k] = _moved(v, dev)
        return out
    return obj

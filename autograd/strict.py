"""The "strict" test device: arrays that behave like CuPy's, backed by numpy.

A :class:`StrictArray` wraps a numpy array and follows CuPy's rules for a device
array, so the whole library can be proved device-neutral on a machine without a GPU:

* numpy functions applied to it dispatch (NEP 13 ``__array_ufunc__``, NEP 18
  ``__array_function__``) to numpy on the wrapped data and re-wrap the results, as
  CuPy dispatches them to its own kernels: an op forward written ``np.tanh(x)`` runs
  on numpy, CuPy and strict arrays alike;
* there is no silent conversion to numpy: ``np.asarray(a)`` and every numpy routine
  that converts its argument (``np.lib.stride_tricks.as_strided``, ``np.add.at`` on a
  numpy target...) raise ``TypeError``, as for a CuPy array; ``a.get()`` is the
  explicit copy to the host;
* a numpy array (even 0-d) mixed with a strict array in an operation raises
  ``TypeError``, as CuPy's "Unsupported type <class 'numpy.ndarray'>" (Python numbers
  and numpy scalars are accepted, as in CuPy);
* reductions and scalar indexing give 0-d arrays, not numpy scalars (CuPy keeps
  results on the device); ``float(a)``, ``int(a)``, ``bool(a)`` and ``a.item()`` read
  one value back, as CuPy's do;
* slicing gives views that share memory, and ``a[i] = v`` writes through them.

It is at least as strict as CuPy (numpy index arrays and numpy values in
``a[i] = v`` are refused too), never laxer: code that passes on "strict" does not
rely on numpy behind the backend's back.
"""
import numbers

import numpy as np

__all__ = ["StrictArray", "wrap", "unwrap", "CONVERSION_ERROR"]

CONVERSION_ERROR = ("Implicit conversion to a NumPy array is not allowed. Please use `.get()` "
                    "to construct a NumPy array explicitly.")


def _mixed(v):
    return TypeError(
        f"Unsupported type {type(v)}: a numpy array cannot be mixed with a strict-device array "
        "(as with CuPy); move it to the device first (backend.asarray / Tensor.to(device))")


def unwrap(v):
    """The numpy data of ``v`` and of every StrictArray inside lists, tuples and dicts;
    a numpy ndarray among them raises (see the module docstring)."""
    t = type(v)
    if t is StrictArray:
        return v._a
    if t is np.ndarray:
        raise _mixed(v)
    if t is tuple or t is list:
        return t(unwrap(x) for x in v)
    if t is dict:
        return {k: unwrap(x) for k, x in v.items()}
    return v


def wrap(v):
    """Wrap numpy arrays and numpy scalars (CuPy returns 0-d arrays where numpy
    returns scalars) in StrictArray, recursively in tuples and lists."""
    t = type(v)
    if t is np.ndarray:
        return StrictArray(v)
    if isinstance(v, np.generic):
        return StrictArray(np.asarray(v))
    if t is tuple or t is list:
        return t(wrap(x) for x in v)
    return v


def _unwrap_index(index):
    t = type(index)
    if t is StrictArray:
        return index._a
    if t is tuple:
        return tuple(_unwrap_index(i) for i in index)
    if t is np.ndarray:
        raise _mixed(index)
    if t is list:
        return np.asarray(unwrap(index))
    return index


# attributes of the numpy array returned as they are (not arrays)
_PLAIN = frozenset(("shape", "dtype", "ndim", "size", "strides", "itemsize", "nbytes",
                    "tolist", "item", "data", "ctypes"))
# numpy functions CuPy only borrows from numpy (``cupy.result_type is numpy.result_type``):
# given device arrays they do not dispatch; pass dtypes (``a.dtype``) instead
_BORROWED = frozenset((np.result_type, np.can_cast, np.min_scalar_type, np.common_type))


class StrictArray:
    """A numpy array behind CuPy's interface (see the module docstring)."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 100  # CuPy's: a Tensor (1000) takes the reflected operator
    __hash__ = None

    def __init__(self, a):
        if type(a) is not np.ndarray:
            raise TypeError(f"StrictArray wraps a numpy ndarray, got {type(a).__name__}")
        self._a = a

    # ---------------------------------------------------------------- the protocols
    def __array__(self, dtype=None, copy=None):
        raise TypeError(CONVERSION_ERROR)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = unwrap(out)
        if "where" in kwargs:
            kwargs["where"] = unwrap(kwargs["where"])
        if method == "at" and type(inputs[0]) is not StrictArray:
            raise _mixed(inputs[0])
        result = getattr(ufunc, method)(*unwrap(inputs), **kwargs)
        if out is not None:
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        return wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        if func in _BORROWED:
            raise TypeError(f"numpy.{func.__name__} of a device array: CuPy borrows numpy's, which "
                            "does not take CuPy arrays; pass dtypes (a.dtype) instead")
        return wrap(func(*unwrap(args), **unwrap(kwargs)))

    # ---------------------------------------------------------------- the device API
    def get(self, stream=None, order="C", out=None):
        """A numpy copy on the host (CuPy's ``get``)."""
        if out is not None:
            out[...] = self._a
            return out
        return np.array(self._a, order=order)

    def set(self, arr):
        """Copy a host array in (CuPy's ``set``)."""
        self._a[...] = arr

    @property
    def device(self):
        return "strict"

    @property
    def flags(self):
        """CuPy's flags: c_contiguous, f_contiguous, owndata (no ``writeable``)."""
        f = self._a.flags
        return _Flags(f.c_contiguous, f.f_contiguous, f.owndata)

    @property
    def T(self):
        return StrictArray(self._a.T)

    @property
    def base(self):
        b = self._a.base
        return None if b is None else wrap(b) if type(b) is np.ndarray else None

    @property
    def real(self):
        return StrictArray(self._a.real)

    @property
    def imag(self):
        return StrictArray(self._a.imag)

    def __getattr__(self, name):
        # NOTE: ndarray methods (sum, reshape, astype, copy, max, view, fill...) run on
        # the data with unwrapped arguments and wrapped results, like CuPy's methods.
        if name.startswith("__") or name in ("tobytes", "tofile", "dump", "dumps"):
            raise AttributeError(f"'StrictArray' object has no attribute {name!r}")
        attr = getattr(self._a, name)
        if name in _PLAIN:
            return attr
        if callable(attr):
            def method(*args, **kwargs):
                return wrap(attr(*unwrap(args), **unwrap(kwargs)))

            method.__name__ = name
            return method
        return wrap(attr)

    def __dir__(self):
        return sorted(set(dir(self._a)) | {"get", "set", "device"})

    # ---------------------------------------------------------------- containers
    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (StrictArray(np.asarray(self._a[i])) for i in range(len(self._a)))

    def __getitem__(self, index):
        return wrap(self._a[_unwrap_index(index)])

    def __setitem__(self, index, value):
        self._a[_unwrap_index(index)] = unwrap(value)

    # ---------------------------------------------------------------- scalars
    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __complex__(self):
        return complex(self._a)

    def __index__(self):
        return self._a.__index__()

    def __repr__(self):
        return "strict_" + repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        return format(self._a, spec) if self._a.ndim == 0 else format(str(self), spec)

    def __copy__(self):
        return StrictArray(self._a.copy())

    def __deepcopy__(self, memo):
        return StrictArray(self._a.copy())

    def __reduce__(self):
        return (StrictArray, (self._a,))


class _Flags:
    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, c, f, own):
        self.c_contiguous, self.f_contiguous, self.owndata = c, f, own


def _defer(other, self):
    """CuPy's rule: return NotImplemented for an operand of higher priority (a Tensor)."""
    return (type(other) is not StrictArray and not isinstance(other, (numbers.Number, np.generic))
            and getattr(other, "__array_priority__", 0) > self.__array_priority__)


def _binary(ufunc):
    def op(self, other):
        if _defer(other, self):
            return NotImplemented
        return ufunc(self, other)

    def rop(self, other):
        return ufunc(other, self)

    def iop(self, other):
        return ufunc(self, other, out=(self,))

    return op, rop, iop


for _name, _uf in (("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                   ("truediv", np.true_divide), ("floordiv", np.floor_divide),
                   ("mod", np.remainder), ("pow", np.power), ("matmul", np.matmul),
                   ("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor),
                   ("lshift", np.left_shift), ("rshift", np.right_shift)):
    _op, _rop, _iop = _binary(_uf)
    setattr(StrictArray, f"__{_name}__", _op)
    setattr(StrictArray, f"__r{_name}__", _rop)
    setattr(StrictArray, f"__i{_name}__", _iop)

for _name, _uf in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)):
    setattr(StrictArray, f"__{_name}__", _binary(_uf)[0])

for _name, _uf in (("neg", np.negative), ("pos", np.positive), ("abs", np.absolute),
                   ("invert", np.invert)):
    setattr(StrictArray, f"__{_name}__", lambda self, _uf=_uf: _uf(self))

StrictArray.__divmod__ = lambda self, other: (self // other, self % other)
del _name, _uf, _op, _rop, _iop

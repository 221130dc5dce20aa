"""numpy applied to Tensors: the library's differentiable op where one exists.

``np.exp(t)`` is ``ag.exp(t)`` (a Tensor, with a gradient), ``ndarray * t`` is
``ag.mul``, ``np.where(t > 0, t, 0)`` is ``ag.where``: nothing is cut from the graph
behind the user's back. A numpy function with no counterpart here raises a clear
error when a tensor involved requires grad, and otherwise runs on the arrays and
returns numpy's result (``np.asarray(t)`` and ``t.numpy()`` always give the values).
"""
import numpy as np

from .arguments import to_tensor
from ._tensor import Tensor

__all__ = ["install"]

_UFUNC_NAMES = {
    "add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div", "divide": "div",
    "negative": "neg", "positive": "_positive", "power": "pow", "float_power": "pow",
    "exp": "exp", "log": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan",
    "tanh": "tanh", "arctan": "arctan", "absolute": "abs", "fabs": "abs", "sign": "sign",
    "maximum": "maximum", "minimum": "minimum", "fmax": "maximum", "fmin": "minimum",
    "log1p": "log1p", "expm1": "expm1", "square": "square", "matmul": "matmul",
    "less": "_lt", "less_equal": "_le", "greater": "_gt", "greater_equal": "_ge",
    "equal": "_eq", "not_equal": "_ne", "logical_and": "_and", "logical_or": "_or",
    "logical_xor": "_xor", "logical_not": "_invert", "reciprocal": "_reciprocal",
    "sinh": "sinh", "cosh": "cosh", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
    "log2": "log2", "log10": "log10", "exp2": "exp2", "floor": "floor", "ceil": "ceil",
    "trunc": "trunc", "rint": "round", "logaddexp": "logaddexp", "remainder": "remainder",
    "mod": "remainder",
}

_FUNCTION_NAMES = {
    "where": "where", "sum": "sum", "mean": "mean", "var": "_np_var", "std": "_np_std",
    "max": "amax", "amax": "amax", "min": "amin", "amin": "amin", "prod": "prod",
    "argmax": "argmax", "argmin": "argmin", "cumsum": "cumsum", "clip": "clip",
    "concatenate": "concatenate", "stack": "stack", "reshape": "reshape",
    "transpose": "transpose", "swapaxes": "swapaxes", "squeeze": "squeeze",
    "expand_dims": "unsqueeze", "broadcast_to": "broadcast_to", "tile": "tile",
    "flip": "flip", "dot": "dot", "outer": "outer", "matmul": "matmul",
    "any": "any", "all": "all", "maximum": "maximum", "minimum": "minimum",
    "einsum": "einsum", "tril": "tril", "triu": "triu", "diagonal": "diagonal",
    "vstack": "vstack", "hstack": "hstack", "moveaxis": "movedim", "roll": "roll",
    "diff": "diff", "sort": "_np_sort", "nan_to_num": "nan_to_num", "rot90": "rot90",
    "cumprod": "cumprod", "meshgrid": "meshgrid", "linalg.norm": "norm", "norm": "norm",
}


def _requires_grad(values):
    for v in values:
        if isinstance(v, Tensor):
            if v._rg:
                return True
        elif isinstance(v, (list, tuple)) and _requires_grad(v):
            return True
    return False


def _arrays(v):
    if isinstance(v, Tensor):
        return v.array
    if isinstance(v, list):
        return [_arrays(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_arrays(x) for x in v)
    if isinstance(v, dict):
        return {k: _arrays(x) for k, x in v.items()}
    return v


def _no_counterpart(what, name):
    return TypeError(
        f"numpy's {name} was applied to a Tensor that requires grad, and gradtable has no "
        f"differentiable {what} of that name: its result would be cut from the graph. Use "
        f"the ag.* op that computes it, or apply numpy to t.detach().numpy() if you mean to "
        f"leave the graph")


def _resolve(functions, name):
    if name.startswith("_"):
        return _EXTRA.get(name) and (lambda *a, **k: _EXTRA[name](functions, *a, **k))
    return getattr(functions, name, None)


def install(functions):
    """Give ``Tensor`` numpy's two dispatch hooks, routed to ``functions``."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fn = _resolve(functions, _UFUNC_NAMES.get(ufunc.__name__, "")) if method == "__call__" else None
        if fn is not None and not kwargs:
            return fn(*inputs)
        if _requires_grad(inputs) or _requires_grad(kwargs.get("out", ())):
            raise _no_counterpart("op", f"{ufunc.__name__}{'' if method == '__call__' else '.' + method}"
                                  f"{' with ' + ', '.join(kwargs) if kwargs else ''}")
        out = kwargs.pop("out", None)
        if out is not None:  # writing into a Tensor: an untracked in-place change
            kwargs["out"] = _arrays(out)
        res = getattr(ufunc, method)(*_arrays(inputs), **kwargs)
        return out[0] if isinstance(out, tuple) and len(out) == 1 and isinstance(out[0], Tensor) else res

    def __array_function__(self, func, types, args, kwargs):
        name = func.__name__
        if getattr(func, "__module__", "").endswith("linalg"):
            name = "linalg." + name
        fn = _resolve(functions, _FUNCTION_NAMES.get(name, ""))
        if fn is not None:
            try:
                return fn(*args, **kwargs)
            except TypeError:
                if _requires_grad(args) or _requires_grad(kwargs.values()):
                    raise
        elif _requires_grad(args) or _requires_grad(kwargs.values()):
            raise _no_counterpart("function", f"np.{name}")
        return func(*_arrays(args), **_arrays(kwargs))

    Tensor.__array_ufunc__ = __array_ufunc__
    Tensor.__array_function__ = __array_function__


_EXTRA = {
    "_positive": lambda ns, x: to_tensor(x),
    "_reciprocal": lambda ns, x: ns.div(1.0, x),
    "_lt": lambda ns, x, y: to_tensor(x) < y if isinstance(x, Tensor) else to_tensor(y) > x,
    "_le": lambda ns, x, y: to_tensor(x) <= y if isinstance(x, Tensor) else to_tensor(y) >= x,
    "_gt": lambda ns, x, y: to_tensor(x) > y if isinstance(x, Tensor) else to_tensor(y) < x,
    "_ge": lambda ns, x, y: to_tensor(x) >= y if isinstance(x, Tensor) else to_tensor(y) <= x,
    "_eq": lambda ns, x, y: to_tensor(x) == y if isinstance(x, Tensor) else to_tensor(y) == x,
    "_ne": lambda ns, x, y: to_tensor(x) != y if isinstance(x, Tensor) else to_tensor(y) != x,
    "_and": lambda ns, x, y: ns.logical_and(x, y),
    "_or": lambda ns, x, y: ns.logical_or(x, y),
    "_xor": lambda ns, x, y: ns.logical_xor(x, y),
    "_invert": lambda ns, x: ns.logical_not(x),
    # numpy's var and std are the population forms (ddof=0), unlike ag.var's default
    "_np_var": lambda ns, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False: ns.var(
        x, axis, keepdims, correction=ddof),
    "_np_std": lambda ns, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False: ns.std(
        x, axis, keepdims, correction=ddof),
    "_np_sort": lambda ns, x, axis=-1, kind=None, order=None: ns.sort(x, axis)[0],
}

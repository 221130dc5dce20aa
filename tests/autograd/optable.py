"""The op table: sample inputs for every op of the registry (and every composite
function of the API), mirroring ``autograd.ops.registry.REGISTRY``.

A differentiable row is a :class:`Case`: ``fn(M, *xs)`` computes the op with the
namespace ``M`` (``autograd`` itself, or :data:`TorchNS`, the reference framework
spelled with our names), ``args`` are float64 numpy inputs inside the op's valid
domain (positive for log/sqrt, away from kinks for relu/abs/max/clip, distinct
values for max/min). A non-differentiable op gets a :class:`NonDiff` row: a numpy
reference for its values instead of gradients.

``ROWS[name]`` lists the cases of one op; ``test_optable.py`` runs gradcheck,
gradgradcheck, float32, the reference framework and the VJP-mutation meta-test
over them, and fails when a registered op has no row.
"""
import itertools
from dataclasses import dataclass, field

import numpy as np

import autograd as ag
from tests.helpers import torch

SHAPES = [(), (1,), (3,), (4, 1), (1, 3), (4, 3), (2, 4, 3), (2, 1, 3)]
AXES = [None, 0, -1, (0, 2), (1, 2)]


@dataclass
class Case:
    op: str
    id: str
    fn: object                      # fn(M, *xs)
    args: tuple                     # float64 numpy arrays (the differentiable inputs)
    torch: bool = True              # compare with the reference framework
    gradgrad: bool = False          # run gradgradcheck too
    mutate: bool = True             # a zero / doubled VJP must make this row fail
    check: dict = field(default_factory=dict)   # extra gradcheck keyword arguments
    f32: bool = True                # float32 in -> float32 out (False for dtype conversions)

    @property
    def name(self):
        return f"{self.op}-{self.id}"


@dataclass
class NonDiff:
    op: str
    id: str
    fn: object                      # fn(M, *xs) -> a tensor without gradient
    ref: object                     # ref(*arrays) -> the expected numpy result
    args: tuple
    torch: bool = True

    @property
    def name(self):
        return f"{self.op}-{self.id}"


# ---------------------------------------------------------------- the reference framework
class _TorchNS:
    """torch spelled with autograd's names (only where they differ)."""

    def __getattr__(self, name):
        return getattr(torch, name)

    @staticmethod
    def _dims(x, axis):
        if axis is None:
            return tuple(range(x.ndim))
        return axis

    def sum(self, x, axis=None, keepdims=False):
        return torch.sum(x, dim=self._dims(x, axis), keepdim=keepdims) if x.ndim else x.clone()

    def mean(self, x, axis=None, keepdims=False):
        return torch.mean(x, dim=self._dims(x, axis), keepdim=keepdims) if x.ndim else x.clone()

    def var(self, x, axis=None, keepdims=False, correction=1):
        return torch.var(x, dim=self._dims(x, axis), keepdim=keepdims, correction=correction)

    def std(self, x, axis=None, keepdims=False, correction=1):
        return torch.std(x, dim=self._dims(x, axis), keepdim=keepdims, correction=correction)

    def max(self, x, axis=None, keepdims=False):
        return torch.amax(x, dim=self._dims(x, axis), keepdim=keepdims)

    def min(self, x, axis=None, keepdims=False):
        return torch.amin(x, dim=self._dims(x, axis), keepdim=keepdims)

    def prod(self, x, axis=None, keepdims=False):
        if axis is None and not keepdims:
            return torch.prod(x)
        dims = self._dims(x, axis)
        dims = (dims,) if isinstance(dims, int) else dims
        for d in sorted((d % x.ndim for d in dims), reverse=True):
            x = torch.prod(x, dim=d, keepdim=True)
        if not keepdims:
            x = x.reshape([n for i, n in enumerate(x.shape) if i not in [d % max(x.ndim, 1) for d in dims]])
        return x

    def logsumexp(self, x, axis=None, keepdims=False):
        return torch.logsumexp(x, dim=self._dims(x, axis), keepdim=keepdims)

    def softmax(self, x, axis=-1):
        return torch.softmax(x, dim=axis)

    def log_softmax(self, x, axis=-1):
        return torch.log_softmax(x, dim=axis)

    def maximum(self, x, y):
        return torch.maximum(torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64))

    def minimum(self, x, y):
        return torch.minimum(torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64))

    def softplus(self, x):
        return torch.nn.functional.softplus(x)

    def step(self, x):
        return (x >= 0).to(x.dtype)

    def relu(self, x):
        return torch.relu(x)

    def clip(self, x, min=None, max=None):  # noqa: A002
        return torch.clamp(x, min, max)

    def pad(self, x, pad_width, value=0.0):
        flat = []
        for before, after in reversed(pad_width):
            flat += [before, after]
        return torch.nn.functional.pad(x, flat, value=value)

    def concatenate(self, xs, axis=0):
        return torch.cat(xs, dim=axis)

    def broadcast_to(self, x, shape):
        return torch.broadcast_to(x, shape)

    def transpose(self, x, *axes):
        if not axes:
            return x.permute(*reversed(range(x.ndim)))
        return torch.transpose(x, *axes)

    def astype(self, x, dtype):
        return x.to({np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[np.dtype(dtype)])

    def cumsum(self, x, axis):
        return torch.cumsum(x, dim=axis)

    def flip(self, x, dims):
        return torch.flip(x, dims)

    def split(self, x, size, dim=0):
        return torch.split(x, size, dim=dim)

    def tile(self, x, reps):
        return torch.tile(x, reps)

    def repeat_interleave(self, x, repeats, dim=None):
        return torch.repeat_interleave(x, repeats, dim=dim)

    def norm(self, x, axis=None, keepdims=False):
        return torch.linalg.vector_norm(x, dim=axis, keepdim=keepdims)

    def getitem(self, x, index):
        return x[_torch_index(index) if isinstance(index, (tuple, np.ndarray)) else index]

    def linear(self, x, w, b=None):
        return torch.nn.functional.linear(x, w, b)

    def index_add(self, g, index, shape):
        out = torch.zeros(shape, dtype=g.dtype)
        return out.index_put(_torch_index(index), g, accumulate=True)


def _torch_index(index):
    items = index if isinstance(index, tuple) else (index,)
    return tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i for i in items)


TorchNS = _TorchNS()


# ---------------------------------------------------------------- input generators
_RNG = np.random.default_rng(20240607)


def normal(shape):
    return _RNG.standard_normal(shape)


def positive(shape, lo=0.5, hi=2.0):
    return _RNG.uniform(lo, hi, shape)


def nonzero(shape):
    return _RNG.uniform(0.5, 2.0, shape) * _RNG.choice([-1.0, 1.0], shape)


def away_from_zero(shape):
    """Values with |x| >= 0.2 (relu, abs, sign, step: away from the kink at 0)."""
    return _RNG.uniform(0.2, 2.0, shape) * _RNG.choice([-1.0, 1.0], shape)


def grid_a(shape):
    """Multiples of 0.5 plus 0.25 (+-0.05): never within 0.15 of a grid_b value."""
    return 0.5 * _RNG.integers(-4, 4, shape) + 0.25 + _RNG.uniform(-0.05, 0.05, shape)


def grid_b(shape):
    return 0.5 * _RNG.integers(-4, 4, shape) + _RNG.uniform(-0.05, 0.05, shape)


def distinct(shape):
    """Distinct values at least 0.1 apart (max/min: a single arg-extreme)."""
    n = int(np.prod(shape))
    return (_RNG.permutation(n) * 0.1 - 0.05 * n + _RNG.uniform(-0.01, 0.01, n)).reshape(shape)


def broadcast_pairs(shapes=SHAPES):
    out = []
    for a, b in itertools.product(shapes, shapes):
        try:
            np.broadcast_shapes(a, b)
        except ValueError:
            continue
        out.append((a, b))
    return out


def _sid(shape):
    return "x".join(map(str, shape)) if shape else "0d"


GRADGRAD_PAIRS = [((), (3,)), ((4, 1), (1, 3)), ((2, 1, 3), (4, 3))]


# ---------------------------------------------------------------- the table
ROWS = {}
NONDIFF = {}


def row(op, id, fn, *args, **kw):
    ROWS.setdefault(op, []).append(Case(op, id, fn, tuple(np.asarray(a, dtype=np.float64) for a in args), **kw))


def nondiff(op, id, fn, ref, *args, **kw):
    NONDIFF.setdefault(op, []).append(NonDiff(op, id, fn, ref, tuple(args), **kw))


# --- elementwise, one input: 0-d, vector, matrix, 3-d
UNARY = {
    # name: (fn, domain, gradgrad); fn None: the op's public function, by its registry name
    "neg": (lambda M, x: -x, normal, True),
    "exp": (None, normal, True),
    "log": (None, positive, True),
    "sqrt": (None, positive, True),
    "sin": (None, normal, True),
    "cos": (None, normal, True),
    "tan": (None, lambda s: _RNG.uniform(-1.2, 1.2, s), True),
    "tanh": (None, normal, True),
    "arctan": (None, normal, True),
    "sigmoid": (None, normal, True),
    "softplus": (None, normal, True),
    "relu": (None, away_from_zero, True),
    "abs": (None, away_from_zero, True),
    "log1p": (None, lambda s: _RNG.uniform(-0.5, 2.0, s), True),
    "expm1": (None, normal, True),
    "clone": (lambda M, x: M.clone(x) * 1.0, normal, True),
}


def _public(name):
    """The function the registry names for ``name`` (``ag.<public>``, or the reference
    framework's function of that name): a row of a generated op needs only its name."""
    from autograd.ops.registry import REGISTRY

    public = REGISTRY[name].public
    return lambda M, x: getattr(M, public)(x)


for _name, (_fn, _dom, _gg) in UNARY.items():
    for _shape in [(), (3,), (4, 3), (2, 1, 3)]:
        row(_name, _sid(_shape), _fn or _public(_name), _dom(_shape), gradgrad=_gg and len(_shape) <= 2)

# sign and step: zero gradient everywhere (so a zero VJP is the right one)
for _name, _fn in (("sign", lambda M, x: M.sign(x)), ("step", lambda M, x: M.step(x))):
    for _shape in [(), (4, 3)]:
        row(_name, _sid(_shape), _fn, away_from_zero(_shape), gradgrad=True, mutate=False)
row("abs", "method", lambda M, x: abs(x), away_from_zero((3,)))

# constant exponents, including negative bases for integer powers
for _p, _dom in ((2, normal), (3, normal), (0, normal), (1, normal), (-1, nonzero), (-2, nonzero),
                 (0.5, positive), (-1.5, positive), (2.5, positive)):
    row("pow_scalar", f"p{_p}", lambda M, x, p=_p: x ** p, _dom((4, 3)), gradgrad=True,
        mutate=_p != 0)
row("pow_scalar", "0d", lambda M, x: x ** 3, normal(()), gradgrad=True)
row("pow_scalar", "square", lambda M, x: M.square(x), normal((3,)), gradgrad=True)
row("pow", "rpow_const", lambda M, x: 2.0 ** x, normal((3,)), gradgrad=True)

# clip: away from the bounds
for _shape, _lo, _hi in (((4, 3), -0.4, 0.6), ((), -0.4, None), ((3,), None, 0.1)):
    row("clip", f"{_sid(_shape)}-{_lo}-{_hi}", lambda M, x, lo=_lo, hi=_hi: M.clip(x, lo, hi),
        grid_a(_shape) * 0.5 + 0.0, gradgrad=True)
row("clip", "clamp", lambda M, x: M.clamp(x, -0.4, 0.6), grid_a((2, 1, 3)) * 0.5, gradgrad=True)

# astype: values exactly representable in float32, so a large eps is exact
row("astype", "f64-f32-f64",
    lambda M, x: M.astype(M.astype(x, np.float32) * 3.0, np.float64),
    _RNG.integers(-8, 8, (4, 3)) / 8.0, gradgrad=True, check=dict(eps=2.0 ** -4), f32=False)

# --- binary ops, every broadcast-compatible pair of SHAPES
BINARY = {
    "add": (lambda M, x, y: x + y, normal, normal),
    "sub": (lambda M, x, y: x - y, normal, normal),
    "mul": (lambda M, x, y: x * y, normal, normal),
    "div": (lambda M, x, y: x / y, normal, nonzero),
    "pow": (lambda M, x, y: x ** y, positive, normal),
    "maximum": (lambda M, x, y: M.maximum(x, y), grid_a, grid_b),
    "minimum": (lambda M, x, y: M.minimum(x, y), grid_a, grid_b),
}
for _name, (_fn, _dx, _dy) in BINARY.items():
    for _a, _b in broadcast_pairs():
        row(_name, f"{_sid(_a)}-{_sid(_b)}", _fn, _dx(_a), _dy(_b), gradgrad=(_a, _b) in GRADGRAD_PAIRS)
    # one tensor as both operands
    row(_name, "same-tensor", lambda M, x, f=_fn: f(M, x, x), positive((4, 3)), gradgrad=True,
        mutate=_name != "sub")
    # a Python number as one operand (float32 kept, gradient of the other)
    row(_name, "const-right", lambda M, x, f=_fn: f(M, x, 1.5), positive((3,)), gradgrad=True)
    row(_name, "const-left", lambda M, x, f=_fn: f(M, 1.5, x), nonzero((3,)) if _name != "pow" else normal((3,)),
        gradgrad=True)

# where: every pair of shapes for (x, y), with a condition broadcasting against both
for _a, _b in broadcast_pairs():
    _cond = _RNG.random(np.broadcast_shapes(_a, _b)[-1:]) > 0.5
    row("where", f"{_sid(_a)}-{_sid(_b)}", lambda M, x, y, c=_cond: M.where(M.tensor(c), x, y),
        normal(_a), normal(_b), gradgrad=(_a, _b) in GRADGRAD_PAIRS)
row("where", "cond-x>0", lambda M, x: M.where(x > 0, x * x, -x), away_from_zero((4, 3)), gradgrad=True)
row("where", "const-branch", lambda M, x: M.where(x > 0, M.sqrt(M.abs(x)), 0.0), away_from_zero((3,)),
    gradgrad=True)

# --- reductions: axis in AXES x keepdims on a 3-d input, plus 0-d / vector / matrix
REDUCE = {
    "sum": (lambda M, x, a, k: M.sum(x, axis=a, keepdims=k), normal),
    "max": (lambda M, x, a, k: M.max(x, axis=a, keepdims=k), distinct),
    "min": (lambda M, x, a, k: M.min(x, axis=a, keepdims=k), distinct),
    "prod": (lambda M, x, a, k: M.prod(x, axis=a, keepdims=k), lambda s: nonzero(s) * 0.8),
    "logsumexp": (lambda M, x, a, k: M.logsumexp(x, axis=a, keepdims=k), normal),
    "mean": (lambda M, x, a, k: M.mean(x, axis=a, keepdims=k), normal),
    "var": (lambda M, x, a, k: M.var(x, axis=a, keepdims=k), normal),
    "std": (lambda M, x, a, k: M.std(x, axis=a, keepdims=k), normal),
    "norm": (lambda M, x, a, k: M.norm(x, axis=a, keepdims=k), nonzero),
}
for _name, (_fn, _dom) in REDUCE.items():
    for _axis, _kd in itertools.product(AXES, (False, True)):
        row(_name, f"3d-{_axis}-{_kd}", lambda M, x, a=_axis, k=_kd, f=_fn: f(M, x, a, k), _dom((2, 3, 4)),
            gradgrad=_axis in (None, (0, 2)) and not _kd)
    for _shape, _axis in (((), None), ((5,), None), ((5,), 0), ((3, 4), 1), ((3, 4), -1), ((3, 4), None)):
        if _name in ("var", "std") and _shape == ():
            continue
        row(_name, f"{_sid(_shape)}-{_axis}", lambda M, x, a=_axis, f=_fn: f(M, x, a, False), _dom(_shape),
            gradgrad=_shape == (3, 4))
row("var", "population", lambda M, x: M.var(x, axis=1, correction=0), normal((3, 4)), gradgrad=True)
row("std", "population", lambda M, x: M.std(x, axis=0, correction=0), normal((3, 4)), gradgrad=True)
row("prod", "one-zero", lambda M, x: M.prod(x, axis=1), np.array([[0.0, 2.0, 3.0], [1.5, -1.0, 0.5]]),
    torch=True, gradgrad=True)
row("prod", "two-zeros", lambda M, x: M.prod(x), np.array([[0.0, 2.0], [0.0, 3.0]]), gradgrad=True)
row("prod", "zeros-3d", lambda M, x: M.prod(x, axis=(0, 2), keepdims=True),
    np.array([[[0.0, 2.0], [1.5, 0.5]], [[0.0, -1.0], [2.0, 0.0]]]), gradgrad=True)
# constant data: var and std are exactly 0 with gradient 0 (std's rule at 0, not sqrt's inf)
row("var", "constant", lambda M, x: M.var(x, axis=1), np.full((2, 3), 2.0), gradgrad=True, mutate=False)
# NOTE: no gradgradcheck: std's gradient jumps at constant data (std = |t| c along a line)
row("std", "constant-row", lambda M, x: M.std(x, axis=1), np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]))
row("mean", "population", lambda M, x: M.mean(x, axis=(0, 1)), normal((2, 3, 2)), gradgrad=True)

for _name in ("softmax", "log_softmax"):
    for _shape, _axis in (((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), -1)):
        row(_name, f"{_sid(_shape)}-{_axis}", lambda M, x, a=_axis, n=_name: getattr(M, n)(x, axis=a),
            normal(_shape), gradgrad=len(_shape) <= 2)

row("cumsum", "vec", lambda M, x: M.cumsum(x, axis=0), normal((5,)), gradgrad=True)
row("cumsum", "3d-1", lambda M, x: M.cumsum(x, axis=1), normal((2, 3, 4)), gradgrad=True)
row("cumsum", "3d--1", lambda M, x: M.cumsum(x, axis=-1), normal((2, 3, 4)))

# --- losses with PyTorch's own rule (autograd/ops/losses.py)
def _bce(M, p, y):
    if M is ag:
        from autograd.ops.losses import binary_cross_entropy
        return binary_cross_entropy(p, y)
    return torch.nn.functional.binary_cross_entropy(p, y, reduction="none")


row("binary_cross_entropy", "2d", _bce, positive((4, 3), 0.1, 0.9), _RNG.uniform(0.0, 1.0, (4, 3)), gradgrad=True)
row("binary_cross_entropy", "vec", _bce, positive((5,), 0.05, 0.95), _RNG.uniform(0.0, 1.0, (5,)), gradgrad=True)

# --- shapes
row("reshape", "3d-2d", lambda M, x: M.reshape(x, (4, 6)), normal((2, 3, 4)), gradgrad=True)
row("reshape", "minus1", lambda M, x: x.reshape(-1), normal((2, 3, 4)))
row("reshape", "0d", lambda M, x: x.reshape(1, 1), normal(()))
row("reshape", "view", lambda M, x: x.view(3, 2) * 1.0, normal((2, 3)), torch=False)
row("reshape", "flatten", lambda M, x: x.flatten(1), normal((2, 3, 4)))
row("reshape", "squeeze", lambda M, x: x.squeeze(1), normal((4, 1, 3)))
row("reshape", "unsqueeze", lambda M, x: x.unsqueeze(-1), normal((4, 3)))
row("transpose", "T", lambda M, x: x.T * 1.0, normal((4, 3)), gradgrad=True)
row("transpose", "permute", lambda M, x: x.permute(2, 0, 1), normal((2, 3, 4)))
row("transpose", "swap", lambda M, x: M.transpose(x, 0, 2), normal((2, 3, 4)))
row("broadcast_to", "broadcast_to", lambda M, x: M.broadcast_to(x, (2, 4, 3)), normal((3,)), gradgrad=True)
row("broadcast_to", "col-3d", lambda M, x: M.broadcast_to(x, (2, 4, 3)), normal((4, 1)))
row("broadcast_to", "0d-2d", lambda M, x: M.broadcast_to(x, (2, 3)), normal(()))
row("broadcast_to", "expand", lambda M, x: x.expand(2, -1, 3), normal((4, 1)))
row("concatenate", "axis0", lambda M, x, y: M.concatenate([x, y], axis=0), normal((2, 3)), normal((4, 3)),
    gradgrad=True)
row("concatenate", "cat", lambda M, x, y, z: M.cat([x, y, z], -1), normal((2, 1)), normal((2, 3)),
    normal((2, 2)))
row("concatenate", "with-const", lambda M, x: M.cat([x, M.ones_like(x)], 1), normal((2, 3)))
row("concatenate", "same-tensor", lambda M, x: M.cat([x, x], 0), normal((3,)))
row("concatenate", "stack", lambda M, x, y: M.stack([x, y], 1), normal((2, 3)), normal((2, 3)))
row("pad", "2d", lambda M, x: M.pad(x, ((1, 2), (0, 1))), normal((2, 3)), gradgrad=True)
row("pad", "value", lambda M, x: M.pad(x, ((0, 0), (2, 1), (1, 1)), value=0.5), normal((2, 3, 2)))
for _name, _fn, _ttorch in (
    ("split", lambda M, x: M.split(x, 2, 1)[1], True),
    ("chunk", lambda M, x: M.chunk(x, 2, 0)[0], True),
    ("tile", lambda M, x: M.tile(x, (2, 1, 3)), True),
    ("repeat", lambda M, x: x.repeat(2, 3), True),
    ("flip", lambda M, x: M.flip(x, (0,)), True),
    ("repeat_interleave", lambda M, x: M.repeat_interleave(x, 2, dim=1), True),
):
    row(_name, "2d", _fn, normal((3, 4)), torch=_ttorch, gradgrad=True)
row("flip", "both", lambda M, x: M.flip(x, (0, 1)), normal((3, 4)))

# --- indexing
INDEXES = {
    "int": 1,
    "neg-int": -1,
    "slice": (slice(None), slice(1, 3)),
    "step": (slice(None, None, 2), slice(None)),
    "ellipsis-none": (Ellipsis, None, 1),
    "int-array-repeats": np.array([0, 0, 2, 1, 0]),
    "mask": np.array([True, False, True]),
    "mask-2d": np.array([[True, False, True, True], [False, False, True, False], [True, True, False, False]]),
    "mixed": (slice(None), np.array([3, 3, 0])),
    "two-arrays": (np.array([0, 2, 0]), np.array([1, 1, 1])),
}
for _key, _index in INDEXES.items():
    row("getitem", _key, lambda M, x, i=_index: M.getitem(x, i), normal((3, 4)),
        gradgrad=_key in ("slice", "int-array-repeats"))
row("getitem", "notes-repeat", lambda M, x: x[[0, 0, 1]], normal((3,)), torch=False)
row("getitem", "negative-step", lambda M, x: x[::-1], normal((4,)), torch=False)
row("index_add", "repeats", lambda M, g: M.recording.index_add(g, np.array([0, 2, 0]), (4, 2))
    if M is ag else TorchNS.index_add(g, np.array([0, 2, 0]), (4, 2)), normal((3, 2)), gradgrad=True)
row("index_add", "slice", lambda M, g: M.recording.index_add(g, (slice(1, 3),), (4, 2)), normal((2, 2)),
    torch=False)

# --- linear algebra
for _a, _b in (((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)),
               ((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 4)), ((2, 4, 3), (3,))):
    row("matmul", f"{_sid(_a)}@{_sid(_b)}", lambda M, x, y: x @ y, normal(_a), normal(_b),
        gradgrad=len(_a) + len(_b) <= 4)
row("matmul", "same-tensor", lambda M, x: x @ x, normal((3, 3)), gradgrad=True)
row("matmul", "dot", lambda M, x, y: M.dot(x, y), normal((4,)), normal((4,)))
row("outer", "outer", lambda M, x, y: M.outer(x, y), normal((3,)), normal((4,)), gradgrad=True)
for _x in ((4,), (3, 4), (2, 3, 4)):
    row("linear", f"{_sid(_x)}-bias", lambda M, x, w, b: M.linear(x, w, b), normal(_x), normal((5, 4)),
        normal((5,)), gradgrad=True)
    row("linear", f"{_sid(_x)}-no-bias", lambda M, x, w: M.linear(x, w), normal(_x), normal((5, 4)),
        gradgrad=len(_x) == 2)

# --- non-differentiable ops: values only, and no gradient ever recorded
for _name, _fn, _ref in (
    ("lt", lambda M, x, y: x < y, np.less), ("le", lambda M, x, y: x <= y, np.less_equal),
    ("gt", lambda M, x, y: x > y, np.greater), ("ge", lambda M, x, y: x >= y, np.greater_equal),
    ("eq", lambda M, x, y: x == y, np.equal), ("ne", lambda M, x, y: x != y, np.not_equal),
):
    nondiff(_name, "bcast", _fn, _ref, np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 0.0, 2.0, 1.0]))
for _name, _fn, _ref in (
    ("logical_and", lambda M, x, y: (x > 0) & (y > 0), lambda x, y: (x > 0) & (y > 0)),
    ("logical_or", lambda M, x, y: (x > 0) | (y > 0), lambda x, y: (x > 0) | (y > 0)),
    ("logical_xor", lambda M, x, y: (x > 0) ^ (y > 0), lambda x, y: (x > 0) ^ (y > 0)),
):
    nondiff(_name, "bcast", _fn, _ref, np.array([[-1.0], [1.0]]), np.array([1.0, -1.0, 2.0]))
nondiff("logical_not", "vec", lambda M, x: ~(x > 0), lambda x: ~(x > 0), np.array([-1.0, 1.0, 0.0]))
for _name, _np in (("argmax", np.argmax), ("argmin", np.argmin)):
    nondiff(_name, "all", lambda M, x, n=_name: getattr(M, n)(x), lambda x, f=_np: f(x), distinct((3, 4)))
    nondiff(_name, "dim1", lambda M, x, n=_name: getattr(M, n)(x, dim=1), lambda x, f=_np: f(x, axis=1),
            distinct((3, 4)))
    nondiff(_name, "keepdim", lambda M, x, n=_name: getattr(M, n)(x, dim=0, keepdim=True),
            lambda x, f=_np: f(x, axis=0, keepdims=True), distinct((3, 4)))
for _name, _np in (("any", np.any), ("all", np.all)):
    nondiff(_name, "all", lambda M, x, n=_name: getattr(M, n)(x > 0), lambda x, f=_np: f(x > 0),
            np.array([[1.0, -1.0], [2.0, 3.0]]))
    nondiff(_name, "dim", lambda M, x, n=_name: getattr(M, n)(x > 0, dim=1),
            lambda x, f=_np: f(x > 0, axis=1), np.array([[1.0, -1.0], [2.0, 3.0]]))


def all_cases():
    return [c for cases in ROWS.values() for c in cases]


def all_nondiff():
    return [c for cases in NONDIFF.values() for c in cases]


# --- sliding windows (autograd/ops/window.py): im2col, col2im and window max
def _window_rows():
    from autograd.ops import window as W
    from autograd.ops.registry import REGISTRY

    geo = dict(kernel_size=(3,), stride=(2,), dilation=(1,))
    row("sliding_window", "1d", lambda M, x: W.sliding_window(x, 3, 2) if M is ag else x.unfold(-1, 3, 2),
        normal((2, 7)), gradgrad=True)
    row("sliding_window", "2d-dilated", lambda M, x: W.sliding_window(x, (2, 3), (1, 2), (2, 1)),
        normal((1, 2, 5, 5)), torch=False)
    row("window_scatter_add", "1d", lambda M, g: W.window_scatter_add(g, (2, 7), 3, 2), normal((2, 3, 3)),
        torch=False, gradgrad=True)
    row("window_scatter_add", "2d-overlap", lambda M, g: W.window_scatter_add(g, (1, 4, 4), (2, 2), 1),
        normal((1, 3, 3, 2, 2)), torch=False)
    row("window_max", "2d", lambda M, x: W.window_max(x, (2, 2)) if M is ag else
        torch.nn.functional.max_pool2d(x, 2), distinct((2, 2, 4, 4)), gradgrad=True)
    row("window_max", "1d-overlap", lambda M, x: W.window_max(x, 3, 1) if M is ag else
        torch.nn.functional.max_pool1d(x, 3, 1), distinct((1, 6)), gradgrad=True)
    x = distinct((2, 7))
    _, idx = W._max_fwd(x, **geo)
    row("window_max_scatter", "1d", lambda M, g: W._window_max_scatter(g, idx=idx, shape=(2, 7), **geo),
        normal((2, 3)), torch=False, gradgrad=True)
    if "window_matmul" in REGISTRY:
        row("window_matmul", "bias", lambda M, w, c, b: W.window_matmul(w, c, b) if M is ag else
            w @ c + b[:, None], normal((3, 4)), normal((2, 4, 5)), normal((3,)), gradgrad=True)
        row("window_matmul", "no-bias", lambda M, w, c: W.window_matmul(w, c), normal((3, 4)),
            normal((2, 4, 5)), torch=False)
    row("window_max_gather", "1d", lambda M, gx: W._window_max_gather(gx, idx=idx, **geo),
        normal((2, 7)), torch=False, gradgrad=True)


_window_rows()


# --- in-place changes recorded in the graph (autograd.inplace): t[i] = v, and a change
# made through a view (its base's graph gets a copy_slices node)
def _assign_row(M, x, v):
    y = x * 1
    y[1] = v * 2
    return y


def _view_change(M, x, v):
    y = x * 1
    y[1:, :2].mul_(v)
    return y * y


def _transposed_view_change(M, x, v):
    y = x * 1
    y.T[0].add_(v)
    return y.exp()


row("setitem", "row", _assign_row, normal((3, 4)), normal((4,)), gradgrad=True)
row("setitem", "mask-scalar", lambda M, x: _masked(M, x), normal((3, 4)))
row("copy_slices", "slice", _view_change, normal((3, 4)), normal((2, 2)), gradgrad=True)
row("copy_slices", "transpose", _transposed_view_change, normal((3, 4)), normal((3,)))


def _masked(M, x):
    y = x * 3
    y[x > 0] = 0.5
    return y


for _name, _fn in (("bitwise_and", lambda x, y: x & y), ("bitwise_or", lambda x, y: x | y),
                   ("bitwise_xor", lambda x, y: x ^ y)):
    nondiff(_name, "int", lambda M, x, y, f=_fn: f(x.long(), y.long()),
            lambda x, y, f=_fn: f(x.astype(np.int64), y.astype(np.int64)), np.array([1, 6, 3]), np.array([3, 5, 0]))
nondiff("bitwise_not", "int", lambda M, x: ~x.long(), lambda x: ~x.astype(np.int64), np.array([1, 6, -3]))
# --- issue 12's ops (special functions, gather/scatter, sorting, einsum, shape helpers)
from . import optable_extra  # noqa: E402,F401


# --- rnn_scan (autograd/ops/recurrent_scan.py): a recurrent layer's time loop as one op;
# the reference is the same recurrence step by step with autograd ops (_composite)
def _scan_rows():
    from autograd import recording as AF
    from autograd.ops.recurrent_scan import _composite
    from autograd.ops.registry import REGISTRY

    def scan(mode, reverse=False):
        def fn(M, *xs):
            if M is ag:
                return REGISTRY["rnn_scan"](*xs, mode=mode, reverse=reverse)
            return _composite(AF, *xs, mode=mode, reverse=reverse)
        return fn

    T, N, H = 3, 2, 2
    row("rnn_scan", "tanh", scan("RNN_TANH"), normal((T, N, H)), normal((N, H)), normal((H, H)),
        torch=False, gradgrad=True)
    row("rnn_scan", "relu-reverse", scan("RNN_RELU", True), away_from_zero((T, N, H)) * 2,
        normal((N, H)) * 0.1, normal((H, H)) * 0.1, torch=False)
    row("rnn_scan", "lstm", scan("LSTM"), normal((T, N, 4 * H)), normal((N, H)), normal((N, H)),
        normal((4 * H, H)), torch=False, gradgrad=True)
    row("rnn_scan", "lstm-reverse", scan("LSTM", True), normal((T, N, 4 * H)), normal((N, H)),
        normal((N, H)), normal((4 * H, H)), torch=False)
    row("rnn_scan", "gru", scan("GRU"), normal((T, N, 3 * H)), normal((N, H)), normal((3 * H, H)),
        normal((3 * H,)), torch=False, gradgrad=True)
    row("rnn_scan", "gru-reverse", scan("GRU", True), normal((T, N, 3 * H)), normal((N, H)),
        normal((3 * H, H)), normal((3 * H,)), torch=False)


_scan_rows()


# --- softmax attention (autograd/ops/attention.py, issue 12)
def _attention_rows():
    def ref(M, q, k, v, b=None, drop=None, scale=0.5):
        s = M.matmul(q, M.swapaxes(k, -1, -2)) * scale
        a = M.softmax(s if b is None else s + b, -1)
        return M.matmul(a if drop is None else a * drop, v)

    drop = (np.random.default_rng(5).random((2, 3, 4)) > 0.3) / 0.7
    row("softmax_attention", "plain", lambda M, q, k, v: ag.softmax_attention(q, k, v, scale=0.5)
        if M is ag else ref(M, q, k, v), normal((2, 3, 2)), normal((2, 4, 2)), normal((2, 4, 3)), gradgrad=True)
    row("softmax_attention", "bias-bcast", lambda M, q, k, v, b: ag.softmax_attention(q, k, v, b, scale=0.5)
        if M is ag else ref(M, q, k, v, b), normal((2, 3, 2)), normal((1, 4, 2)), normal((1, 4, 3)),
        normal((3, 4)), gradgrad=True)
    row("softmax_attention", "dropout", lambda M, q, k, v: ag.softmax_attention(q, k, v, dropout_mask=drop, scale=0.5)
        if M is ag else ref(M, q, k, v, drop=M.tensor(drop)), normal((2, 3, 2)), normal((2, 4, 2)),
        normal((2, 4, 3)), gradgrad=True)

    def heads_ref(M, q, k, v, h=2):
        def split(x):
            return M.swapaxes(M.reshape(x, x.shape[:-1] + (h, x.shape[-1] // h)), -2, -3)
        out = M.swapaxes(ref(M, split(q), split(k), split(v)), -2, -3)
        return M.reshape(out, out.shape[:-2] + (out.shape[-2] * out.shape[-1],))

    row("softmax_attention", "heads", lambda M, q, k, v: ag.softmax_attention(q, k, v, scale=0.5, heads=2)
        if M is ag else heads_ref(M, q, k, v), normal((2, 3, 4)), normal((2, 5, 4)), normal((2, 5, 6)),
        gradgrad=True)


_attention_rows()


# --- pooling over non-overlapping blocks (autograd/ops/blockpool.py): strided slices
def _blockpool_rows():
    from autograd.ops import blockpool as BP

    tnf = torch.nn.functional if torch is not None else None
    row("block_avg_pool", "2d", lambda M, x: BP.block_avg_pool(x, k=(2, 2)) if M is ag else
        tnf.avg_pool2d(x, 2), normal((2, 3, 4, 6)), gradgrad=True)
    row("block_avg_pool", "1d-k3", lambda M, x: BP.block_avg_pool(x, k=(3,)) if M is ag else
        tnf.avg_pool1d(x, 3), normal((2, 9)), gradgrad=True)
    row("block_max_pool", "2d", lambda M, x: BP.block_max_pool(x, k=(2, 2)) if M is ag else
        tnf.max_pool2d(x, 2), distinct((2, 2, 4, 6)), gradgrad=True)
    row("block_max_pool", "2d-2x3", lambda M, x: BP.block_max_pool(x, k=(2, 3)) if M is ag else
        tnf.max_pool2d(x, (2, 3)), distinct((1, 2, 4, 6)), gradgrad=True)


_blockpool_rows()


# --- fused primitives (autograd/ops/fused.py): softmax cross-entropy as one node
def _fused_rows():
    from autograd.ops import fused as FU

    t = np.array([2, 0, 3, 3, 1])

    def ce(reduction):
        return lambda M, z: (FU.softmax_cross_entropy(z, target=t, reduction=reduction) if M is ag else
                             torch.nn.functional.cross_entropy(z, torch.as_tensor(t), reduction=reduction))
    row("softmax_cross_entropy", "mean", ce("mean"), normal((5, 4)), gradgrad=True)
    row("softmax_cross_entropy", "sum", ce("sum"), 3 * normal((5, 4)), gradgrad=True)
    row("softmax_cross_entropy", "none", ce("none"), normal((5, 4)), gradgrad=True)


_fused_rows()


# --- moving between devices (issue 11): x.to(device) and back, differentiable
row("to_device", "strict-and-back", lambda M, x: M.tanh(x.to("strict")).cpu() if M is ag else M.tanh(x),
    normal((2, 3)), gradgrad=True)

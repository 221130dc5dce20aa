"""Op-table rows for issue 12's ops (special functions, rounding, gather/scatter, sorting,
sampling, triangles, einsum and the shape helpers). Imported by ``optable.py``, whose
``row``/``nondiff`` helpers fill the same ``ROWS``/``NONDIFF`` tables, so
``test_optable.py`` runs gradcheck, gradgradcheck, float32 and torch parity over them.
"""
import numpy as np

import autograd as ag
from autograd.ops.registry import REGISTRY
from tests.helpers import torch

from .optable import _RNG, away_from_zero, distinct, nondiff, nonzero, normal, positive, row


def _nnf(M):
    """Where PyTorch keeps a function in torch.nn.functional (gelu, silu, one_hot...)."""
    return M if M is ag else torch.nn.functional


def _off_grid(shape, step=1.0, gap=0.2):
    """Values at least ``gap`` away from every multiple of ``step`` (rounding's jumps)."""
    return step * (_RNG.integers(-3, 3, shape) + _RNG.uniform(gap / step, 1 - gap / step, shape))


def _hardswish_domain(shape):
    x = _RNG.uniform(-5, 5, shape)
    return np.where(np.abs(np.abs(x) - 3) < 0.2, x + 0.5, x)


# --- elementwise, one input
SPECIAL = {
    "erf": (lambda M, x: M.erf(x), normal),
    "gelu": (lambda M, x: _nnf(M).gelu(x), lambda s: 2 * normal(s)),
    "silu": (lambda M, x: _nnf(M).silu(x), lambda s: 2 * normal(s)),
    "mish": (lambda M, x: _nnf(M).mish(x), lambda s: 2 * normal(s)),
    "hardswish": (lambda M, x: _nnf(M).hardswish(x), _hardswish_domain),
    "rsqrt": (lambda M, x: M.rsqrt(x), positive),
    "log2": (lambda M, x: M.log2(x), positive),
    "log10": (lambda M, x: M.log10(x), positive),
    "exp2": (lambda M, x: M.exp2(x), normal),
    "sinh": (lambda M, x: M.sinh(x), normal),
    "cosh": (lambda M, x: M.cosh(x), normal),
    "asinh": (lambda M, x: M.asinh(x), lambda s: 2 * normal(s)),
    "acosh": (lambda M, x: M.acosh(x), lambda s: _RNG.uniform(1.2, 3.0, s)),
    "atanh": (lambda M, x: M.atanh(x), lambda s: _RNG.uniform(-0.8, 0.8, s)),
}
for _name, (_fn, _dom) in SPECIAL.items():
    for _shape in [(), (3,), (4, 3), (2, 1, 3)]:
        row(_name, "x".join(map(str, _shape)) or "0d", _fn, _dom(_shape), gradgrad=len(_shape) <= 2)
row("gelu", "tanh", lambda M, x: _nnf(M).gelu(x, approximate="tanh"), 2 * normal((4, 3)), gradgrad=True)
row("gelu", "tanh-0d", lambda M, x: _nnf(M).gelu(x, approximate="tanh"), normal(()), gradgrad=True)
row("gelu", "wide", lambda M, x: _nnf(M).gelu(x), np.linspace(-7, 7, 15))
row("atanh", "method", lambda M, x: x.arctanh() if M is ag else x.arctanh(), _RNG.uniform(-0.5, 0.5, (3,)))

# --- piecewise constant: zero gradient everywhere (a zero VJP is the right one)
for _name in ("floor", "ceil", "trunc", "round"):
    row(_name, "4x3", lambda M, x, n=_name: getattr(M, n)(x), _off_grid((4, 3)), gradgrad=True, mutate=False)
    row(_name, "0d-method", lambda M, x, n=_name: getattr(x, n)(), _off_grid(()), mutate=False)
row("round", "decimals", lambda M, x: M.round(x, decimals=1), _off_grid((3,), 0.1, 0.02), mutate=False)
row("trunc", "frac", lambda M, x: x - M.trunc(x), _off_grid((4,)), gradgrad=True, mutate=False)

# --- two inputs with broadcasting
_y = nonzero((3,))
row("remainder", "4x3-3", lambda M, x, y: M.remainder(x, y), _off_grid((4, 3)) * np.abs(_y), _y, gradgrad=True)
_y = nonzero((4, 1))
row("remainder", "mod-op", lambda M, x, y: x % y, _off_grid((4, 3)) * np.abs(_y), _y)
row("remainder", "const-right", lambda M, x: M.remainder(x, 1.5), _off_grid((3,), 1.5, 0.3), gradgrad=True)
# (torch has no derivative for remainder(number, tensor))
row("remainder", "const-left", lambda M, y: M.remainder(2.5, y), np.array([0.7, -0.9, 1.3]), torch=False)
row("logaddexp", "4x3-3", lambda M, x, y: M.logaddexp(x, y), normal((4, 3)), normal((3,)), gradgrad=True)
row("logaddexp", "0d-2x1x3", lambda M, x, y: M.logaddexp(x, y), normal(()), normal((2, 1, 3)))
row("logaddexp", "same-tensor", lambda M, x: M.logaddexp(x, x), normal((3,)), gradgrad=True)
row("logaddexp", "large", lambda M, x, y: M.logaddexp(x, y), np.array([500.0, -500.0]), np.array([499.0, -501.0]))
_bad = np.array([[1.0, np.nan, -2.0], [np.inf, 0.5, -np.inf]])
row("nan_to_num", "values", lambda M, x: M.nan_to_num(x, nan=0.5, posinf=9.0, neginf=-9.0), _bad,
    gradgrad=True)
row("nan_to_num", "default-nan", lambda M, x: M.nan_to_num(x), np.array([1.0, np.nan, -2.0]))

# --- gather, scatter and friends
_IDX = np.array([[0, 3, 3], [1, 1, 0], [2, 0, 2]])
row("gather", "dim1-repeats", lambda M, x: M.gather(x, 1, M.tensor(_IDX)), normal((3, 4)), gradgrad=True)
row("gather", "dim0-smaller", lambda M, x: M.gather(x, 0, M.tensor(np.array([[2, 0], [1, 1]]))),
    normal((3, 4)))
row("gather", "method-3d", lambda M, x: x.gather(-1, M.tensor(np.array([[[1], [0]], [[2], [2]]]))),
    normal((2, 2, 3)))
_SIDX = np.array([[0, 1, 2, 0, 1], [2, 0, 1, 1, 2]])  # no repeats within a column
row("scatter", "src", lambda M, x, s: M.scatter(x, 0, M.tensor(_SIDX), s), normal((3, 5)), normal((2, 5)),
    gradgrad=True)
row("scatter", "value", lambda M, x: M.scatter(x, 0, M.tensor(_SIDX), 1.5), normal((3, 5)))
row("scatter", "method-dim1", lambda M, x, s: x.scatter(1, M.tensor(np.array([[2], [0]])), s),
    normal((2, 3)), normal((2, 1)))
# src larger than index: PyTorch's forward allows it, its backward refuses; here the
# src entries the index does not reach get a zero gradient
row("scatter", "src-larger", lambda M, x, s: x.scatter(1, M.tensor(np.array([[2], [0]])), s),
    normal((2, 3)), normal((2, 2)), torch=False)
_AIDX = np.array([[0, 0, 1], [2, 0, 0]])
row("scatter_add", "repeats", lambda M, x, s: M.scatter_add(x, 0, M.tensor(_AIDX), s), normal((3, 3)),
    normal((2, 3)), gradgrad=True)
row("scatter_add", "src-larger", lambda M, x, s: M.scatter_add(x, 1, M.tensor(_AIDX), s), normal((2, 4)),
    normal((3, 4)), torch=False)
row("scatter_add", "dim1", lambda M, x, s: x.scatter_add(1, M.tensor(_AIDX), s), normal((2, 4)),
    normal((2, 3)))
row("index_select", "repeats", lambda M, x: M.index_select(x, 0, M.tensor(np.array([3, 0, 3]))),
    normal((4, 3)), gradgrad=True)
row("index_select", "dim-1", lambda M, x: x.index_select(-1, M.tensor(np.array([1]))), normal((2, 3)))
_MASK = np.array([True, False, False, True])
row("masked_fill", "number", lambda M, x: M.masked_fill(x, M.tensor(_MASK), 0.5), normal((3, 4)),
    gradgrad=True)
row("masked_fill", "tensor-value", lambda M, x, v: x.masked_fill(M.tensor(_MASK), v), normal((3, 4)),
    normal(()))
row("masked_fill", "causal-inf", lambda M, x: M.softmax(M.masked_fill(
    x, M.tensor(np.triu(np.ones((3, 3), dtype=bool), 1)), float("-inf")), -1), normal((3, 3)))
row("where", "scalar-right", lambda M, x: M.where(x > 0, x, 2.0), away_from_zero((4, 3)), gradgrad=True)
row("where", "scalar-left", lambda M, x: M.where(x > 0, -1.5, x * x), away_from_zero((3,)))
row("where", "method", lambda M, x, y: x.where(x > 0, y), away_from_zero((4, 3)), normal((3,)))

# --- sorting: values are differentiable, indices are not
row("sort", "dim1", lambda M, x: M.sort(x, dim=1).values, distinct((3, 4)), gradgrad=True)
row("sort", "descending-dim0", lambda M, x: M.sort(x, 0, descending=True)[0], distinct((3, 4)))
row("sort", "method-vec", lambda M, x: x.sort().values, distinct((5,)))
row("topk", "k2", lambda M, x: M.topk(x, 2).values, distinct((3, 4)), gradgrad=True)
row("topk", "smallest-dim0", lambda M, x: M.topk(x, 2, dim=0, largest=False)[0], distinct((3, 4)))
nondiff("argsort", "dim1", lambda M, x: M.argsort(x, dim=1), lambda x: np.argsort(x, axis=1), distinct((3, 4)))
nondiff("argsort", "descending", lambda M, x: M.argsort(x, dim=0, descending=True),
        lambda x: np.argsort(-x, axis=0), distinct((3, 4)))
nondiff("one_hot", "inferred", lambda M, x: _nnf(M).one_hot(x.long()), lambda x: np.eye(4, dtype=np.int64)[
    x.astype(np.int64)], np.array([[0.0, 3.0], [1.0, 1.0]]))
nondiff("one_hot", "classes", lambda M, x: _nnf(M).one_hot(x.long(), 5), lambda x: np.eye(5, dtype=np.int64)[
    x.astype(np.int64)], np.array([2.0, 0.0, 4.0]))


def _draw(p, n, replacement, seed):
    from autograd.ops.gather import multinomial

    return multinomial.fwd(p, n, replacement, np.random.default_rng(seed))


nondiff("multinomial", "replacement", lambda M, p: M.multinomial(p, 6, True, generator=ag.Generator().manual_seed(3)),
        lambda p: _draw(p, 6, True, 3), positive((2, 4)), torch=False)
nondiff("multinomial", "no-replacement", lambda M, p: M.multinomial(p, 3, generator=ag.Generator().manual_seed(4)),
        lambda p: _draw(p, 3, False, 4), positive((4,)), torch=False)

# --- triangles, rolls, cumulative products
row("tril", "square", lambda M, x: M.tril(x), normal((4, 4)), gradgrad=True)
row("tril", "batched-k1", lambda M, x: x.tril(1), normal((2, 3, 4)))
row("triu", "square", lambda M, x: M.triu(x), normal((4, 4)), gradgrad=True)
row("triu", "batched-k-1", lambda M, x: M.triu(x, -1), normal((2, 3, 4)))
row("roll", "dim0", lambda M, x: M.roll(x, 1, 0), normal((4, 3)), gradgrad=True)
row("roll", "two-dims", lambda M, x: x.roll((2, -1), (0, 1)), normal((4, 3)))
row("roll", "flat", lambda M, x: M.roll(x, 5), normal((4, 3)))
row("cumprod", "vec", lambda M, x: M.cumprod(x, 0), nonzero((5,)), gradgrad=True)
row("cumprod", "3d-dim1", lambda M, x: x.cumprod(1), nonzero((2, 3, 4)) * 0.8)
row("cumprod", "zeros", lambda M, x: M.cumprod(x, dim=1), np.array([[0.0, 2.0, 3.0], [1.5, 0.0, 0.0]]),
    gradgrad=True)
row("cumprod", "zero-last", lambda M, x: M.cumprod(x, dim=0), np.array([1.5, -2.0, 0.0]))

# --- einsum: products, traces, diagonals, sums, broadcasting, three operands
EINSUM = {
    "matmul": ("ij,jk->ik", (3, 4), (4, 2)),
    "transpose": ("ij->ji", (3, 4)),
    "diag": ("ii->i", (3, 3)),
    "trace": ("ii", (3, 3)),
    "sum-all": ("ij->", (3, 4)),
    "sum-axis": ("ijk->ik", (2, 3, 4)),
    "dot-implicit": ("i,i", (4,), (4,)),
    "outer": ("i,j->ij", (3,), (4,)),
    "bmm": ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    "attention": ("bhqd,bhkd->bhqk", (2, 2, 3, 4), (2, 2, 5, 4)),
    "ellipsis": ("...ij,...jk", (2, 3, 4), (4, 5)),
    "ellipsis-bcast": ("...ij,...jk->...ik", (1, 3, 4), (2, 4, 2)),
    "chain": ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
    "diag-mixed": ("iij,jk->ik", (3, 3, 2), (2, 4)),
    "unused-letter": ("ij,k->i", (3, 4), (2,)),
}
for _key, (_eq, *_shapes) in EINSUM.items():
    row("einsum", _key, lambda M, *xs, e=_eq: M.einsum(e, *xs), *[normal(s) for s in _shapes],
        gradgrad=_key in ("matmul", "diag", "trace", "ellipsis-bcast", "chain", "unused-letter"))
row("einsum", "list-operands", lambda M, x, y: M.einsum("ij,ij->i", [x, y]), normal((3, 4)), normal((3, 4)))
row("einsum", "same-tensor", lambda M, x: M.einsum("ij,kj->ik", x, x), normal((3, 4)), gradgrad=True)

# --- baddbmm and the shape helpers (compositions: their rows check the composition)
row("baddbmm", "beta-alpha", lambda M, x, a, b: M.baddbmm(x, a, b, beta=0.5, alpha=2.0), normal((2, 3, 5)),
    normal((2, 3, 4)), normal((2, 4, 5)), gradgrad=True)
row("baddbmm", "bcast-input", lambda M, x, a, b: x.baddbmm(a, b), normal((5,)), normal((2, 3, 4)),
    normal((2, 4, 5)))
row("baddbmm", "beta0", lambda M, x, a, b: M.baddbmm(x, a, b, beta=0.0), normal((2, 3, 5)),
    normal((2, 3, 4)), normal((2, 4, 5)))
row("diff", "n1", lambda M, x: M.diff(x), normal((3, 5)), gradgrad=True)
row("diff", "n2-dim0", lambda M, x: x.diff(n=2, dim=0), normal((5, 3)))
row("diff", "prepend-append", lambda M, x: M.diff(x, dim=1, prepend=M.zeros_like(x)[:, :1],
                                                   append=M.ones_like(x)), normal((2, 3)))
row("tensor_split", "sections", lambda M, x: M.cat([p * (i + 1.0) for i, p in enumerate(
    M.tensor_split(x, 3, dim=1))], 1), normal((2, 7)), gradgrad=True)
row("tensor_split", "indices", lambda M, x: M.cat([p * (i + 1.0) for i, p in enumerate(
    x.tensor_split([1, 4]))], 0), normal((6, 2)))
for _k in (0, 1, -2):
    row("diag", f"vec-k{_k}", lambda M, x, k=_k: M.diag(x, k), normal((3,)), gradgrad=_k == 1)
row("diag", "mat-k1", lambda M, x: x.diag(1), normal((3, 4)))
row("diagonal", "3d-offset", lambda M, x: M.diagonal(x, -1, 1, 2), normal((2, 3, 4)), gradgrad=True)
row("diagonal", "dims-2-0", lambda M, x: x.diagonal(offset=1, dim1=2, dim2=0), normal((3, 4, 5)))
row("vstack", "mixed", lambda M, x, y: M.vstack([x, y]), normal((3,)), normal((2, 3)), gradgrad=True)
row("hstack", "vectors", lambda M, x, y: M.hstack([x, y]), normal((3,)), normal((2,)), gradgrad=True)
row("hstack", "matrices", lambda M, x, y: M.hstack([x, y]), normal((2, 3)), normal((2, 1)))
row("movedim", "one", lambda M, x: M.movedim(x, 0, -1), normal((2, 3, 4)), gradgrad=True)
row("movedim", "two", lambda M, x: x.movedim((0, 1), (2, 0)), normal((2, 3, 4)))
row("movedim", "moveaxis", lambda M, x: M.moveaxis(x, -1, 0), normal((2, 3, 4)))
for _k in (1, 2, 3, -1):
    row("rot90", f"k{_k}", lambda M, x, k=_k: M.rot90(x, k, (0, 1)), normal((3, 4)), gradgrad=_k == 1)
row("rot90", "dims-2-0", lambda M, x: x.rot90(1, (2, 0)), normal((2, 3, 4)))
row("unflatten", "middle", lambda M, x: M.unflatten(x, 1, (2, 3)), normal((4, 6, 2)), gradgrad=True)
row("unflatten", "minus-one", lambda M, x: x.unflatten(-1, (-1, 2)), normal((3, 4)))

# --- the slice-of-a-packed-vector op behind ag.Function's several outputs
row("function_output", "slice", lambda M, x: __import__("autograd.ops.custom", fromlist=["x"]).function_output(
    x, start=2, stop=8, shape=(2, 3)), normal((10,)), torch=False, gradgrad=True)

# --- tanh's VJP as one node (what tanh's rule records under create_graph), against
# torch's own tanh_backward; third order is its own rule recorded again
row("tanh_backward", "4x3", lambda M, g, y: REGISTRY["tanh_backward"](g, y) if M is ag else
    torch.ops.aten.tanh_backward(g, y), normal((4, 3)), np.tanh(normal((4, 3))), gradgrad=True)
row("tanh_backward", "0d", lambda M, g, y: REGISTRY["tanh_backward"](g, y) if M is ag else
    torch.ops.aten.tanh_backward(g, y), normal(()), np.tanh(normal(())), gradgrad=True)

# --- log_softmax's VJP as one node (what its rule records under create_graph), against
# torch's _log_softmax_backward_data
for _axis, _shape in ((1, (4, 3)), (0, (4, 3)), (-1, (2, 3, 4))):
    row("log_softmax_backward", f"{'x'.join(map(str, _shape))}-axis{_axis}",
        lambda M, g, y, a=_axis: REGISTRY["log_softmax_backward"](g, y, axis=a) if M is ag else
        torch.ops.aten._log_softmax_backward_data(g, y, a, y.dtype),
        normal(_shape), normal(_shape) - 1.0, gradgrad=True)

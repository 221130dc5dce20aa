"""Gradient checking by central finite differences, as in the lecture notes.

For every input entry w the notes perturb w and rerun the forward pass:

    A = (C(w + eps) - C(w - eps)) / (2 eps)

and compare with the analytic gradient G by the relative error
|A - G| / (|A| + |G|). (The notes perturb multiplicatively, w(1 +- eps); an
additive eps is the same test and also works at w = 0.) Here every output entry is
differentiated, so the whole Jacobian is compared: entry (o, i) passes when
|A - G| <= atol + rtol |A|. Run it in float64: in float32 the rounding error of the
difference quotient is larger than any useful tolerance.

Inputs may live on any device (``"strict"``, ``"cuda"``): the inputs are perturbed where
they live and the Jacobians are compared on the host.
"""
import numpy as np

from .backend import backend_of, to_device, to_host
from .engine import grad
from .grad_mode import enable_grad, no_grad
from ._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numerical_jacobian", "analytical_jacobian"]


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree (the message names the worst entry)."""


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _outputs(fn, inputs):
    out = fn(*inputs)
    return _as_tuple(out) if isinstance(out, (Tensor, tuple, list)) else (Tensor(out),)


def _diff_inputs(inputs):
    return [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]


def numerical_jacobian(fn, inputs, eps=1e-6):
    """Per differentiable input, a matrix (total outputs) x (input size) by central
    differences."""
    inputs = _as_tuple(inputs)
    with no_grad():
        outs = _outputs(fn, inputs)
        n_out = sum(o.numel() for o in outs)
        jacs = []
        for i in _diff_inputs(inputs):
            x = inputs[i]
            if not getattr(x.array.flags, "writeable", True) or x.array.base is not None:
                x.array = x.array.copy()
            flat = x.array.reshape(-1)
            J = np.zeros((n_out, flat.size))
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = np.concatenate([np.asarray(to_host(o.array), dtype=np.float64).ravel()
                                       for o in _outputs(fn, inputs)]) if n_out else np.zeros(0)
                flat[j] = orig - eps
                minus = np.concatenate([np.asarray(to_host(o.array), dtype=np.float64).ravel()
                                        for o in _outputs(fn, inputs)]) if n_out else np.zeros(0)
                flat[j] = orig
                J[:, j] = (plus - minus) / (2 * eps)
            jacs.append(J)
    return jacs


def analytical_jacobian(fn, inputs):
    """Per differentiable input, the Jacobian from the backward pass, one output entry
    (one row) at a time."""
    inputs = _as_tuple(inputs)
    idx = _diff_inputs(inputs)
    diff = [inputs[i] for i in idx]
    outs = _outputs(fn, inputs)
    n_out = sum(o.numel() for o in outs)
    jacs = [np.zeros((n_out, x.numel())) for x in diff]
    row = 0
    for o in outs:
        for k in range(o.numel()):
            if o.requires_grad and o.array.dtype.kind == "f":
                seed = np.zeros(o.shape, dtype=o.array.dtype)
                seed.reshape(-1)[k] = 1
                gs = grad(o, diff, grad_outputs=Tensor(to_device(seed, o.device)), retain_graph=True,
                          allow_unused=True)
                for J, g in zip(jacs, gs):
                    if g is not None:
                        J[row] = np.asarray(to_host(g.array), dtype=np.float64).ravel()
            row += 1
    return jacs


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check ``fn``'s analytic gradients against central finite differences.

    ``inputs`` is a Tensor or a tuple of them (and constants); those with
    ``requires_grad=True`` are checked and must be float64. Returns True, or raises
    :class:`GradcheckError` naming the worst entry (input, index, output entry,
    numerical, analytical, relative error); with ``raise_exception=False`` returns
    False instead.
    """
    inputs = _as_tuple(inputs)
    idx = _diff_inputs(inputs)
    if not idx:
        raise ValueError("gradcheck: no input requires grad; create them with requires_grad=True")
    for i in idx:
        if inputs[i].dtype != np.float64:
            raise ValueError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; finite differences need "
                "float64 to be meaningful. Pass x.double() (or create it with dtype=float64)")
    outs = _outputs(fn, inputs)
    shapes = [o.shape for o in outs]
    numeric = numerical_jacobian(fn, inputs, eps)
    analytic = analytical_jacobian(fn, inputs)
    worst = None
    for pos, (i, N, A) in enumerate(zip(idx, numeric, analytic)):
        excess = np.abs(A - N) - (atol + rtol * np.abs(N))
        bad = ~np.isfinite(A) & np.isfinite(N)
        excess = np.where(bad, np.inf, excess)
        if excess.size and excess.max() > 0:
            o, j = np.unravel_index(np.argmax(excess), excess.shape)
            if worst is None or excess[o, j] > worst[0]:
                worst = (excess[o, j], i, j, o, N[o, j], A[o, j])
    if worst is None:
        return True
    _, i, j, o, num, ana = worst
    rel = abs(ana - num) / (abs(ana) + abs(num)) if (ana or num) else 0.0
    out_index, k = 0, o
    while k >= int(np.prod(shapes[out_index])):
        k -= int(np.prod(shapes[out_index]))
        out_index += 1
    in_index = tuple(int(v) for v in np.unravel_index(j, inputs[i].shape)) if inputs[i].ndim else ()
    o_index = tuple(int(v) for v in np.unravel_index(k, shapes[out_index])) if shapes[out_index] else ()
    msg = (f"gradcheck failed: worst entry is input {i} at index {in_index}, output {out_index} "
           f"at index {o_index}: "
           f"numerical {num:.10g}, analytical {ana:.10g}, relative error |A-G|/(|A|+|G|) = "
           f"{rel:.3g} (allowed |A-G| <= {atol} + {rtol}*|A|)")
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, seed=0):
    """Check second derivatives: gradcheck of (inputs, v) -> v^T J(inputs), the
    vector-Jacobian product computed with ``create_graph=True``. ``grad_outputs`` (v)
    are random float64 tensors unless given."""
    inputs = _as_tuple(inputs)
    idx = _diff_inputs(inputs)
    outs = [o for o in _outputs(fn, inputs)]
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(Tensor(to_device(rng.standard_normal(o.shape), o.device), requires_grad=True)
                             for o in outs if o.requires_grad)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_order(*args):
        # NOTE: the finite differences run this under no_grad; the first derivative
        # itself needs the graph, so it is always computed with grad mode on.
        with enable_grad():
            xs, vs = args[:n], args[n:]
            os_ = [o for o in _outputs(fn, xs) if o.requires_grad]
            gs = grad(os_, [xs[i] for i in idx], grad_outputs=vs, create_graph=True, allow_unused=True)
            return tuple(g if g is not None else
                         Tensor(backend_of(xs[i].array).zeros(xs[i].shape, xs[i].dtype))
                         for g, i in zip(gs, idx))

    return gradcheck(first_order, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)

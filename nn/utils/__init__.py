"""Gradient clipping and flat parameter vectors.

Clipping acts on ``.grad`` in place, after ``backward()`` and before the optimizer
step, against exploding gradients:

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
"""
import math

import numpy as np

import autograd as ag

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters", "get_total_norm"]


def _with_grads(parameters):
    if isinstance(parameters, ag.Tensor):
        parameters = [parameters]
    return [p for p in parameters if p is not None and p.grad is not None]


def get_total_norm(tensors, norm_type=2.0):
    """The norm of all the given arrays/tensors taken together as one long vector."""
    arrays = [t.array if isinstance(t, ag.Tensor) else t if ag.backend.is_array(t) else np.asarray(t)
              for t in tensors]
    norm_type = float(norm_type)
    if not arrays:
        return 0.0
    if math.isinf(norm_type):
        return float(max(np.abs(a).max() if a.size else 0.0 for a in arrays))
    if norm_type == 2.0:
        return float(math.sqrt(sum(float(np.vdot(a, a).real) for a in arrays)))
    return float(sum(float((np.abs(a) ** norm_type).sum()) for a in arrays) ** (1.0 / norm_type))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale the gradients so that their joint ``norm_type``-norm (all gradients as
    one vector) is at most ``max_norm``: g <- g * max_norm / (total + 1e-6) when
    total > max_norm. Returns the total norm *before* clipping, as a 0-d Tensor
    (like PyTorch; ``float()`` it). ``norm_type`` may be ``inf`` (the max |g|)."""
    params = _with_grads(parameters)
    if not params:
        return ag.tensor(0.0)
    grads = [p.grad.array for p in params]
    total = get_total_norm(grads, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"the total norm of order {norm_type} of the gradients is {total}; "
                           "set error_if_nonfinite=False to clip anyway")
    coef = float(max_norm) / (total + 1e-6)
    if coef < 1:
        for p in params:  # new arrays, not in place: gradient arrays may be shared
            p.grad.array = p.grad.array * p.grad.array.dtype.type(coef)
    return ag.tensor(total, dtype=grads[0].dtype, device=params[0].device)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _with_grads(parameters):
        # NOTE: a new array rather than out=: the engine may share one gradient array
        # between several tensors (e.g. both inputs of an add)
        p.grad.array = np.clip(p.grad.array, -clip_value, clip_value)


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one 1-D Tensor (differentiable)."""
    params = [parameters] if isinstance(parameters, ag.Tensor) else list(parameters)
    return ag.cat([ag.reshape(p, (-1,)) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in place."""
    v = vec.array if isinstance(vec, ag.Tensor) else np.asarray(vec)
    if v.ndim != 1:
        raise ValueError(f"vector_to_parameters expects a 1-D vector, got shape {v.shape}")
    params = [parameters] if isinstance(parameters, ag.Tensor) else list(parameters)
    need = sum(p.numel() for p in params)
    if v.size != need:
        raise ValueError(f"vector_to_parameters: the vector has {v.size} entries but the "
                         f"parameters need {need}")
    i = 0
    for p in params:
        p.array[...] = v[i:i + p.numel()].reshape(p.shape)
        ag.increment_version(p)
        i += p.numel()

"""Weight penalties of the notes, as differentiable Tensors.

The regularised cost is  J = mean loss + lambda * R(w);  the caller multiplies by
lambda (and, for the notes' per-sample form, divides by m):

    loss = F.cross_entropy(model(x), y) + 1e-4 * nn.l2_penalty(model.parameters())

L1 pushes weights to exactly zero (sparse models); L2 keeps them small and is the
same as weight decay: its gradient 2 lambda w turns the step into
w <- w (1 - 2 lr lambda) - lr g. Using both is the elastic net. Biases are usually
left out: pass only the weights, e.g. ``[m.weight for m in linears]``.
"""
import autograd as ag

__all__ = ["l1_penalty", "l2_penalty", "elastic_net_penalty"]


def _params(params):
    if isinstance(params, ag.Tensor):
        return [params]
    return [p for p in params if p is not None]


def _total(terms):
    if not terms:
        return ag.tensor(0.0)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def l1_penalty(params):
    """R(w) = sum over all given tensors of sum |w|;  dR/dw = sign(w) (0 at w = 0)."""
    return _total([ag.sum(ag.abs(p)) for p in _params(params)])


def l2_penalty(params):
    """R(w) = sum over all given tensors of sum w^2;  dR/dw = 2 w.
    (No 1/2 factor: multiply by lambda / 2 for the form whose gradient is lambda w.)"""
    return _total([ag.sum(p * p) for p in _params(params)])


def elastic_net_penalty(params, l1_ratio=0.5):
    """Elastic net: l1_ratio * l1_penalty + (1 - l1_ratio) * l2_penalty."""
    params = _params(params)
    return l1_ratio * l1_penalty(params) + (1 - l1_ratio) * l2_penalty(params)

"""AdaGrad: per-coordinate learning rates from the sum of squared gradients."""
import numpy as np

from .optimizer import Optimizer, check_nonneg

__all__ = ["Adagrad", "adagrad_update"]


def adagrad_update(param, grad, state_sum, *, step, lr, lr_decay, weight_decay, eps, maximize):
    """One AdaGrad step on arrays; updates ``param`` and ``state_sum`` in place.

        g <- -g if maximize;  g <- g + weight_decay * theta
        G <- G + g * g
        theta <- theta - lr / (1 + (step - 1) * lr_decay) * g / (sqrt(G) + eps)
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    clr = lr / (1 + (step - 1) * lr_decay)
    state_sum += g * g
    std = np.sqrt(state_sum)
    std += eps
    param -= clr * g / std


class Adagrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan and Singer, 2011), exactly ``torch.optim.Adagrad``.

    ``Adagrad(params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, maximize=False)``

    The notes: accumulate the squared gradients G <- G + g^2 and step
    theta <- theta - lr / sqrt(G + eps) * g, so coordinates with large past
    gradients take small steps.

    Difference from PyTorch: PyTorch puts eps outside the square root,
    theta <- theta - lr * g / (sqrt(G) + eps), and allows a learning-rate decay
    lr_t = lr / (1 + (t - 1) * lr_decay) and a starting value of G
    (``initial_accumulator_value``). This code follows PyTorch; with the default
    eps = 1e-10 the two forms agree except where G is ~0. ``weight_decay`` adds
    weight_decay * theta to g (L2), before it is accumulated.
    """

    def __init__(self, params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=bool(maximize))
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        check_nonneg("lr_decay value", group["lr_decay"])
        check_nonneg("weight_decay value", group["weight_decay"])
        check_nonneg("initial_accumulator_value", group["initial_accumulator_value"])
        check_nonneg("epsilon value", group["eps"])

    def _init_state(self, p, group):
        return {"step": 0, "sum": np.full_like(p.array, group["initial_accumulator_value"])}

    def _update(self, p, grad, state, group):
        adagrad_update(p.array, grad, state["sum"], step=state["step"], lr=group["lr"],
                       lr_decay=group["lr_decay"], weight_decay=group["weight_decay"],
                       eps=group["eps"], maximize=group["maximize"])

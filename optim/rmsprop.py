"""RMSprop: divide the gradient by a running RMS of recent gradients."""
import numpy as np

from .optimizer import Optimizer, check_nonneg

__all__ = ["RMSprop", "rmsprop_update"]


def rmsprop_update(param, grad, square_avg, grad_avg, buf, *, lr, alpha, eps, weight_decay,
                   momentum, centered, maximize):
    """One RMSprop step on arrays; updates ``param`` and the buffers in place.

        g <- -g if maximize;  g <- g + weight_decay * theta
        v <- alpha * v + (1 - alpha) * g^2
        m <- alpha * m + (1 - alpha) * g,  v~ = v - m^2   (centered; otherwise v~ = v)
        buf <- momentum * buf + g / (sqrt(v~) + eps),  theta <- theta - lr * buf   (momentum > 0)
        theta <- theta - lr * g / (sqrt(v~) + eps)                                (otherwise)
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    square_avg *= alpha
    square_avg += (1 - alpha) * (g * g)
    if centered:
        grad_avg += (1 - alpha) * (g - grad_avg)
        avg = np.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = np.sqrt(square_avg)
    avg += eps
    if momentum > 0:
        buf *= momentum
        buf += g / avg
        param -= lr * buf
    else:
        param -= lr * g / avg


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes, 2012), exactly ``torch.optim.RMSprop``.

    ``RMSprop(params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, maximize=False)``

    The notes: like AdaGrad, but with an exponential average of the squared
    gradients (decay gamma, PyTorch's ``alpha``) instead of the full sum:

        v <- alpha * v + (1 - alpha) * g^2
        theta <- theta - lr * g / (sqrt(v) + eps)

    The notes write lr / sqrt(v + eps); PyTorch, and this code, add eps after the
    square root. Options, as in PyTorch: ``centered`` divides by an estimate of the
    standard deviation instead, sqrt(v - m^2) with m the running mean of g;
    ``momentum`` accumulates the normalised steps, buf <- momentum * buf +
    g / (sqrt(v) + eps), theta <- theta - lr * buf; ``weight_decay`` adds
    weight_decay * theta to g (L2).
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=bool(centered), maximize=bool(maximize))
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        check_nonneg("alpha value", group["alpha"])
        if group["alpha"] > 1:
            raise ValueError(f"Invalid alpha value: {group['alpha']} (must be in [0, 1])")
        check_nonneg("epsilon value", group["eps"])
        check_nonneg("momentum value", group["momentum"])
        check_nonneg("weight_decay value", group["weight_decay"])

    def _init_state(self, p, group):
        state = {"step": 0, "square_avg": np.zeros_like(p.array)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(p.array)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(p.array)
        return state

    def _update(self, p, grad, state, group):
        momentum, centered = group["momentum"], group["centered"]
        # a group switched to momentum/centered after its first step gets fresh buffers
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(p.array)
        if centered and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(p.array)
        rmsprop_update(p.array, grad, state["square_avg"], state.get("grad_avg"),
                       state.get("momentum_buffer"), lr=group["lr"], alpha=group["alpha"],
                       eps=group["eps"], weight_decay=group["weight_decay"], momentum=momentum,
                       centered=centered, maximize=group["maximize"])

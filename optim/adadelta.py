"""AdaDelta: RMSprop whose step size is itself a running RMS of past updates."""
import numbers

import numpy as np

from .optimizer import Optimizer, check_nonneg

__all__ = ["Adadelta", "adadelta_update"]


def adadelta_update(param, grad, square_avg, acc_delta, *, lr, rho, eps, weight_decay, maximize):
    """One AdaDelta step on arrays; updates ``param``, ``square_avg``, ``acc_delta`` in place.

        g <- -g if maximize;  g <- g + weight_decay * theta
        E[g^2] <- rho * E[g^2] + (1 - rho) * g^2
        delta <- sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
        E[dx^2] <- rho * E[dx^2] + (1 - rho) * delta^2
        theta <- theta - lr * delta
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    square_avg *= rho
    square_avg += (1 - rho) * (g * g)
    std = np.sqrt(square_avg + eps)
    delta = np.sqrt(acc_delta + eps)
    delta /= std
    delta *= g
    acc_delta *= rho
    acc_delta += (1 - rho) * (delta * delta)
    param -= lr * delta


class Adadelta(Optimizer):
    r"""AdaDelta (Zeiler, 2012), exactly ``torch.optim.Adadelta``.

    ``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False)``

    Zeiler's algorithm keeps two exponential averages with decay rho, one of the
    squared gradients and one of the squared updates:

        E[g^2]  <- rho * E[g^2] + (1 - rho) * g^2
        dx      <- - sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g
        E[dx^2] <- rho * E[dx^2] + (1 - rho) * dx^2
        theta   <- theta + lr * dx

    The notes (004, "AdaDelta") describe only the first half: "Extension of AdaGrad:
    instead of accumulating all past squared gradients, we restrict the window of
    accumulated past gradients to some fixed size", with the formula

        E[dtheta^2]^[t] = gamma E[dtheta^2]^[t-1] + (1 - gamma) dtheta^[t]
        theta^[t] = theta^[t-1] - alpha / sqrt(E[dtheta^2]^[t-1] + eps) dtheta^[t-1]

    (the square of dtheta^[t] is lost on the slide). That is RMSprop with eps inside
    the root, word for word the notes' next slide, "RMSprop (Root Mean Square prop)",
    and this library runs it as ``optim.RMSprop(params, lr=alpha, alpha=gamma,
    eps=eps, eps_inside_sqrt=True)``: with gamma = 0.9, lr = 0.1 and a constant gradient
    0.5 from theta = 1 it gives theta = 0.684, 0.454, 0.262, where this class (Zeiler's
    algorithm, with its defaults rho = 0.9, lr = 1.0) gives 0.99684, 0.99359, 0.99029.

    Zeiler goes one step further and replaces the global learning rate by the running
    RMS of the previous updates, sqrt(E[dx^2] + eps), which gives the update the units
    of theta and removes the need to tune lr. PyTorch (and this code, which follows
    it) keeps an extra factor lr on top, default 1.0, which is Zeiler's algorithm
    exactly. ``weight_decay`` adds weight_decay * theta to g (L2).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=bool(maximize))
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        rho = group["rho"]
        if isinstance(rho, bool) or not isinstance(rho, numbers.Real) or not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho} (must be in [0, 1])")
        check_nonneg("epsilon value", group["eps"])
        check_nonneg("weight_decay value", group["weight_decay"])

    def _init_state(self, p, group):
        return {"step": 0, "square_avg": np.zeros_like(p.array), "acc_delta": np.zeros_like(p.array)}

    def _update(self, p, grad, state, group):
        adadelta_update(p.array, grad, state["square_avg"], state["acc_delta"], lr=group["lr"],
                        rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                        maximize=group["maximize"])

"""The notes' exponential-average momentum and its Nesterov (look-ahead) variant.

Both are special cases of the heavy-ball rule of :func:`optim.sgd.sgd_update`
(dampening = beta, buffer starting at 0), not copies of it.
"""
import numpy as np

from .optimizer import Optimizer, check_nonneg, check_unit, required
from .sgd import sgd_update

__all__ = ["Momentum", "Nesterov"]


class _ExpAverageMomentum(Optimizer):
    _nesterov = False

    def __init__(self, params, lr=required, beta=0.9, weight_decay=0, *, maximize=False):
        super().__init__(params, dict(lr=lr, beta=beta, weight_decay=weight_decay,
                                      maximize=bool(maximize)))

    def _check_group(self, group):
        super()._check_group(group)
        check_unit("beta value", group["beta"])
        check_nonneg("weight_decay value", group["weight_decay"])

    def _init_state(self, p, group):
        # NOTE: V starts at 0, as in the notes (PyTorch's SGD starts its buffer at g_1).
        return {"step": 0, "momentum_buffer": np.zeros_like(p.array)}

    def _update(self, p, grad, state, group):
        b = group["beta"]
        sgd_update(p.array, grad, state["momentum_buffer"], lr=group["lr"], momentum=b,
                   dampening=b, nesterov=self._nesterov, weight_decay=group["weight_decay"],
                   maximize=group["maximize"])


class Momentum(_ExpAverageMomentum):
    r"""Momentum in the notes' exponential-average form.

    ``Momentum(params, lr, beta=0.9, weight_decay=0, maximize=False)``

        V <- beta * V + (1 - beta) * g        (V starts at 0)
        theta <- theta - lr * V

    V is an exponential moving average of the gradients; ``state[p]['momentum_buffer']``
    holds it. ``weight_decay`` adds weight_decay * theta to g (L2).

    Relation to PyTorch (which has no such class):

    * ``SGD(lr, momentum=beta, dampening=beta)`` runs the same recursion but starts
      its buffer at the first gradient (buf_1 = g_1) instead of
      V_1 = (1 - beta) g_1. That is all they differ in: started from V_0 = g_1,
      Momentum reproduces it exactly.
    * ``SGD(lr * (1 - beta), momentum=beta)`` (no dampening) is the same trajectory:
      its buffer is V / (1 - beta), and it starts at g_1 = V_1 / (1 - beta).
    """


class Nesterov(_ExpAverageMomentum):
    r"""Nesterov accelerated gradient, the notes' look-ahead form with one gradient per step.

    ``Nesterov(params, lr, beta=0.9, weight_decay=0, maximize=False)``

    The notes take the gradient at the look-ahead point:

        V <- beta * V + (1 - beta) * grad f(theta - lr * beta * V)     (V starts at 0)
        theta <- theta - lr * V

    Evaluating the gradient somewhere other than at the parameters would need a
    second forward/backward pass. The standard reformulation stores the look-ahead
    point phi = theta - lr * beta * V as the parameter instead; substituting gives

        g = grad f(phi)
        V <- beta * V + (1 - beta) * g
        phi <- phi - lr * (beta * V + (1 - beta) * g)

    which is what this class does: its parameters are the notes' look-ahead points
    (phi_0 = theta_0 since V_0 = 0, and phi = theta once V has died out at a minimum).

    Relation to PyTorch: ``SGD(lr * (1 - beta), momentum=beta, nesterov=True)`` is the
    same trajectory (its buffer is V / (1 - beta), and starting it at g_1 matches V_0 = 0).
    """

    _nesterov = True

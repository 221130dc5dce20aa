"""Stochastic gradient descent with (optional) momentum: ``torch.optim.SGD``'s rule.

The heavy-ball rule here, :func:`sgd_update`, is shared with :class:`optim.Momentum`
and :class:`optim.Nesterov`, which are special cases of it (see momentum.py).
"""
import numpy as np

import autograd as ag
from autograd.inplace import bump

from .optimizer import Optimizer, _follow, check_nonneg

__all__ = ["SGD", "sgd_update"]


def sgd_update(param, grad, buf, *, lr, momentum, dampening, nesterov, weight_decay, maximize):
    """One heavy-ball step on arrays; updates ``param`` (and ``buf``) in place, returns ``buf``.

        d <- -g if maximize else g;   d <- d + weight_decay * theta
        buf <- d                                   (first step, when buf is None)
        buf <- momentum * buf + (1 - dampening) * d (later steps)
        d <- (1 - dampening) * d + momentum * buf  (nesterov)   or   d <- buf
        theta <- theta - lr * d

    With dampening = 0 the nesterov line is PyTorch's ``d + momentum * buf``; a
    non-zero dampening there is used only by :class:`optim.Nesterov`.
    ``grad`` is never written to.
    """
    d = -grad if maximize else grad
    if weight_decay != 0:
        d = d + weight_decay * param
    if momentum != 0:
        if buf is None:
            # a copy on d's device, and an array even for 0-d parameters (numpy scalars)
            buf = d.copy() if ag.backend.is_array(d) else np.array(d)
        else:
            buf *= momentum
            buf += (1 - dampening) * d if dampening != 0 else d
        if nesterov:
            d = (1 - dampening) * d + momentum * buf if dampening != 0 else d + momentum * buf
        else:
            d = buf
    param -= lr * d
    return buf


class SGD(Optimizer):
    r"""Gradient descent, optionally with momentum, exactly ``torch.optim.SGD``.

    ``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False)``

    Plain gradient descent (the notes): theta <- theta - lr * g. Full-batch,
    stochastic (one sample) and mini-batch gradient descent are the same update;
    they differ only in the batch the loss was computed on.

    With momentum b (PyTorch's form, which this code follows):

        buf_1 = g_1,   buf_t = b * buf_{t-1} + (1 - dampening) * g_t
        theta <- theta - lr * buf_t                      (nesterov=False)
        theta <- theta - lr * (g_t + b * buf_t)          (nesterov=True)

    With dampening = 0 this is exactly the notes' first momentum form
    v <- a v - eps g, theta <- theta + v (v_0 = 0): v_t = -lr * buf_t. The notes'
    exponential-average form V <- b V + (1 - b) g is :class:`optim.Momentum`; it
    equals SGD(momentum=b, dampening=b) except that V starts at 0 instead of g_1.

    ``weight_decay`` adds weight_decay * theta to the gradient (L2 regularisation);
    ``maximize`` ascends the objective instead.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=bool(nesterov), maximize=bool(maximize))
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        check_nonneg("momentum value", group["momentum"])
        check_nonneg("dampening value", group["dampening"])
        check_nonneg("weight_decay value", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening")

    def _init_state(self, p, group):
        return {"step": 0, "momentum_buffer": None}

    def step(self, closure=None):
        """One update of every parameter that has a gradient (see :meth:`Optimizer.step`).

        NOTE: when every group is plain gradient descent (no momentum, weight decay or
        maximize), the same updates, state counts and version bumps as the generic loop,
        without its per-parameter method calls (a tenth of a small MLP step's overhead).
        """
        if closure is not None or type(self)._update is not SGD._update or any(
                g["momentum"] or g["weight_decay"] or g["maximize"] for g in self.param_groups):
            return super().step(closure)
        state = self.state
        for group in self.param_groups:
            lr = group["lr"]
            for p in group["params"]:
                g = p._grad if p.grad_fn is None else p.grad
                if g is None:
                    continue
                s = state.get(p)
                if s is None:
                    s = state[p] = self._init_state(p, group)
                elif s.get("momentum_buffer") is not None:  # left by an earlier momentum group
                    _follow(p, s)
                s["step"] += 1
                p.array -= lr * g.array  # theta <- theta - lr * g
                bump(p)  # an in-place change: graphs that saved p see it
        return None

    def _update(self, p, grad, state, group):
        if not (group["momentum"] or group["weight_decay"] or group["maximize"]):
            # NOTE: plain gradient descent, theta <- theta - lr * g, the same two numpy
            # operations as sgd_update's last line without its branches and keywords
            # (a training step's optimizer time is mostly this Python overhead)
            p.array -= group["lr"] * grad
            return
        state["momentum_buffer"] = sgd_update(
            p.array, grad, state["momentum_buffer"], lr=group["lr"], momentum=group["momentum"],
            dampening=group["dampening"], nesterov=group["nesterov"],
            weight_decay=group["weight_decay"], maximize=group["maximize"])

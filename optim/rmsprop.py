"""RMSprop: divide the gradient by a running RMS of recent gradients."""
import numpy as np

from .optimizer import Optimizer, check_nonneg

__all__ = ["RMSprop", "rmsprop_update"]


def rmsprop_update(param, grad, square_avg, grad_avg, buf, *, lr, alpha, eps, weight_decay,
                   momentum, centered, maximize, eps_inside_sqrt=False):
    """One RMSprop step on arrays; updates ``param`` and the buffers in place.

        g <- -g if maximize;  g <- g + weight_decay * theta
        v <- alpha * v + (1 - alpha) * g^2
        m <- alpha * m + (1 - alpha) * g,  v~ = v - m^2   (centered; otherwise v~ = v)
        d = sqrt(v~) + eps      (d = sqrt(v~ + eps) with eps_inside_sqrt)
        buf <- momentum * buf + g / d,  theta <- theta - lr * buf   (momentum > 0)
        theta <- theta - lr * g / d                                 (otherwise)
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    square_avg *= alpha
    square_avg += (1 - alpha) * (g * g)
    if centered:
        grad_avg += (1 - alpha) * (g - grad_avg)
        avg = np.subtract(square_avg, grad_avg * grad_avg, out=np.empty_like(square_avg))
    else:
        avg = square_avg.copy()
    # NOTE: avg is a fresh array (0-d too, where numpy's operators return scalars),
    # so the root and eps can go in place in either order
    if eps_inside_sqrt:
        avg += eps
        np.sqrt(avg, out=avg)
    else:
        np.sqrt(avg, out=avg)
        avg += eps
    if momentum > 0:
        buf *= momentum
        buf += g / avg
        param -= lr * buf
    else:
        param -= lr * g / avg


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes, 2012), exactly ``torch.optim.RMSprop`` by default.

    ``RMSprop(params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, maximize=False, eps_inside_sqrt=False)``

    Like AdaGrad, but with an exponential average of the squared gradients (decay
    ``alpha``, the notes' gamma) instead of the full sum. PyTorch's rule, the default:

        v <- alpha * v + (1 - alpha) * g^2
        theta <- theta - lr * g / (sqrt(v) + eps)

    The notes (004, "RMSprop (Root Mean Square prop)") put eps inside the root:

        S^[t] = gamma S^[t-1] + (1 - gamma) dtheta^[t]
        theta^[t] = theta^[t-1] - alpha / sqrt(S^[t-1] + eps) dtheta^[t-1]

    where the notes' alpha is the learning rate ``lr`` and dtheta^[t] must be read as
    the squared gradient (the square is lost on the slide, as its name, "Root Mean
    Square", says; the notes' Adam slide has it). ``eps_inside_sqrt=True`` divides by
    sqrt(v + eps) as the notes do; with gamma = ``alpha`` = 0.9, lr = 0.1 and a constant
    gradient 0.5 from theta = 1 it gives theta = 0.684, 0.454, 0.262. The notes'
    "AdaDelta" slide is this same rule (see :class:`Adadelta`). With eps = 1e-8 the
    placement of eps changes nothing visible unless v is tiny.

    Options, as in PyTorch: ``centered`` divides by an estimate of the standard
    deviation instead, sqrt(v - m^2) with m the running mean of g; ``momentum``
    accumulates the normalised steps, buf <- momentum * buf + g / (sqrt(v) + eps),
    theta <- theta - lr * buf; ``weight_decay`` adds weight_decay * theta to g (L2).
    ``eps_inside_sqrt`` combines with all of them (the denominator becomes
    sqrt(v~ + eps) wherever PyTorch has sqrt(v~) + eps).
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False, eps_inside_sqrt=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=bool(centered), maximize=bool(maximize),
                        eps_inside_sqrt=bool(eps_inside_sqrt))
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        check_nonneg("alpha value", group["alpha"])
        if group["alpha"] > 1:
            raise ValueError(f"Invalid alpha value: {group['alpha']} (must be in [0, 1])")
        check_nonneg("epsilon value", group["eps"])
        check_nonneg("momentum value", group["momentum"])
        check_nonneg("weight_decay value", group["weight_decay"])
        group.setdefault("eps_inside_sqrt", False)  # state dicts saved before the option

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
                       centered=centered, maximize=group["maximize"],
                       eps_inside_sqrt=group["eps_inside_sqrt"])

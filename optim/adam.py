"""Adam and AdamW: one rule, two meanings of weight decay."""
import numpy as np

from .optimizer import Optimizer, check_nonneg, check_unit

__all__ = ["Adam", "AdamW", "adam_update"]


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, step, lr, beta1, beta2, eps,
                weight_decay, decoupled_weight_decay, amsgrad, maximize, bias_correction=True,
                eps_inside_sqrt=False):
    """One Adam/AdamW step on arrays; updates ``param`` and the moment buffers in place.

        g <- -g if maximize
        theta <- theta * (1 - lr * weight_decay)     (decoupled: AdamW)
        g <- g + weight_decay * theta                (otherwise: L2, Adam)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v), and v_max replaces v below   (amsgrad)
        theta <- theta - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    With ``bias_correction=False`` the factors 1 - beta^t are 1; with
    ``eps_inside_sqrt=True`` the denominator is sqrt(v^ + eps) instead of sqrt(v^) + eps
    (v^ = v / (1 - beta2^t), or v without bias correction).
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    # NOTE: one scratch array serves every intermediate (this runs every training step);
    # an array even for 0-d parameters, where numpy's operators would return scalars.
    tmp = np.subtract(g, exp_avg, out=np.empty_like(exp_avg))
    tmp *= 1 - beta1
    exp_avg += tmp  # m <- m + (1 - beta1) (g - m), PyTorch's lerp
    np.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    exp_avg_sq *= beta2
    exp_avg_sq += tmp
    if bias_correction:
        bias_correction1, bias_correction2 = 1 - beta1 ** step, 1 - beta2 ** step
    else:
        bias_correction1 = bias_correction2 = 1.0
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    second = max_exp_avg_sq if amsgrad else exp_avg_sq
    if eps_inside_sqrt:  # sqrt(v^ + eps)
        np.divide(second, bias_correction2, out=tmp)
        tmp += eps
        np.sqrt(tmp, out=tmp)
    else:  # sqrt(v^) + eps, PyTorch's
        np.sqrt(second, out=tmp)
        tmp /= bias_correction2 ** 0.5
        tmp += eps
    np.divide(exp_avg, tmp, out=tmp)
    tmp *= lr / bias_correction1
    param -= tmp


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015), exactly ``torch.optim.Adam`` by default.

    ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    maximize=False, decoupled_weight_decay=False, bias_correction=True,
    eps_inside_sqrt=False)``

    PyTorch's (and the paper's) rule, the default: momentum plus RMSprop, with bias
    correction and eps added after the square root:

        m <- b1 * m + (1 - b1) * g,      v <- b2 * v + (1 - b2) * g^2
        m^ = m / (1 - b1^t),             v^ = v / (1 - b2^t)
        theta <- theta - lr * m^ / (sqrt(v^) + eps)

    PyTorch computes it as lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps);
    this code follows PyTorch's arithmetic. ``t`` counts this parameter's steps
    (``state[p]['step']``), starting at 1.

    The notes (004, "Adam (Adaptive moment estimation)": "Adam = Momentum +
    AdaDelta/RMSprop") write it without bias correction and with eps inside the root:

        V^[t] = b1 V^[t-1] + (1 - b1) dtheta^[t-1]
        S^[t] = b2 S^[t-1] + (1 - b2) dtheta^[t-1] . dtheta^[t-1]
        theta^[t] = theta^[t-1] - alpha V^[t] / sqrt(S^[t] + eps)

    (dtheta^[t-1], the gradient at theta^[t-1]; V and S start at 0)

    and b1 = 0.9 "(momentum term, first moment)", b2 = 0.999 "(RMSprop term, second
    moment)", eps = 10^-8 "(avoid divide-by-zero)". ``Adam(params, lr,
    bias_correction=False, eps_inside_sqrt=True)`` runs exactly that rule. The two
    differ most at the start, where V and S, started at 0, are still small: with
    lr = 0.1 and a constant gradient 0.5 from theta = 1 the notes' rule gives
    theta = 0.684, 0.259, -0.236 (a first step of lr * 0.05 / sqrt(0.00025) =
    lr * sqrt(10)), PyTorch's 0.9, 0.8, 0.7 (with a constant gradient, bias correction
    makes every step lr).
    The two options are independent; each changes only what its name says.

    ``weight_decay`` here is L2 regularisation: weight_decay * theta is added to the
    gradient, so it is rescaled by the adaptive denominator like the rest of the
    gradient. For weight decay decoupled from the gradient (each step shrinks theta
    by a factor 1 - lr * weight_decay), use :class:`AdamW`, or pass
    ``decoupled_weight_decay=True``. ``amsgrad`` divides by the running maximum of v
    instead of v (Reddi et al., 2018).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 *, maximize=False, decoupled_weight_decay=False, bias_correction=True,
                 eps_inside_sqrt=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=bool(amsgrad),
                        maximize=bool(maximize), decoupled_weight_decay=bool(decoupled_weight_decay),
                        bias_correction=bool(bias_correction), eps_inside_sqrt=bool(eps_inside_sqrt))
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(betas)
        check_unit("beta parameter at index 0", betas[0])
        check_unit("beta parameter at index 1", betas[1])
        check_nonneg("epsilon value", group["eps"])
        check_nonneg("weight_decay value", group["weight_decay"])
        # groups restored from a state dict saved before these options existed
        group.setdefault("bias_correction", True)
        group.setdefault("eps_inside_sqrt", False)

    def _init_state(self, p, group):
        state = {"step": 0, "exp_avg": np.zeros_like(p.array), "exp_avg_sq": np.zeros_like(p.array)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(p.array)
        return state

    def _update(self, p, grad, state, group):
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(p.array)
        beta1, beta2 = group["betas"]
        adam_update(p.array, grad, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq"),
                    step=state["step"], lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    amsgrad=group["amsgrad"], maximize=group["maximize"],
                    bias_correction=group["bias_correction"],
                    eps_inside_sqrt=group["eps_inside_sqrt"])


class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter, 2019), exactly ``torch.optim.AdamW``: Adam with
    decoupled weight decay.

    ``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    maximize=False)``

    The Adam update of :class:`Adam`, except that weight decay does not go through
    the gradient: before the Adam step each parameter is shrunk,
    theta <- theta * (1 - lr * weight_decay), so every weight decays at the same
    relative rate whatever the size of its gradients. (Adam's ``weight_decay`` is
    L2 regularisation, whose effect is divided by sqrt(v^).)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, bias_correction=True, eps_inside_sqrt=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True,
                         bias_correction=bias_correction, eps_inside_sqrt=eps_inside_sqrt)

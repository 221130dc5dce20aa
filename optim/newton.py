"""Newton's method: a second-order step through the engine's higher-order gradients."""
import numpy as np

import autograd as ag

from .optimizer import Optimizer, check_nonneg

__all__ = ["Newton", "newton_direction", "cg_solve", "NotPositiveDefiniteError"]

_CLOSURE_PATTERN = """\
    def closure():
        return loss_fn(params)     # recompute and return the scalar loss; no backward()

    for _ in range(steps):
        loss = opt.step(closure)"""

_MAX_DAMPING_TRIES = 60


class NotPositiveDefiniteError(ArithmeticError):
    """The (damped) Hessian is not positive definite, and the optimizer was told not to fix it."""


def _first_damping(scale):
    # NOTE: the first Levenberg-Marquardt increase is relative to the size of the
    # Hessian, so that it means the same thing whatever the units of the loss.
    return 1e-8 * max(scale, 1e-300)


def newton_direction(hessian, grad, damping=0.0, adaptive=True):
    """Solve (H + damping * I) d = g for a dense symmetric H; returns ``(d, damping_used)``.

    Positive definiteness is tested with a Cholesky factorisation. If it fails and
    ``adaptive`` is true, damping is raised Levenberg-Marquardt style (x10 from a
    start relative to the size of H) until it succeeds; otherwise
    :class:`NotPositiveDefiniteError` is raised. Non-finite inputs raise
    ``FloatingPointError``: never a silent NaN.
    """
    H = np.asarray(hessian, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    if not (np.all(np.isfinite(H)) and np.all(np.isfinite(g))):
        raise FloatingPointError("Newton: the gradient or the Hessian contains inf or NaN; the loss "
                                 "is not finite (or not twice differentiable) at this point")
    n = g.size
    H = 0.5 * (H + H.T)  # symmetric up to rounding; make it exactly so
    lam = float(damping)
    eye = np.eye(n)
    for _ in range(_MAX_DAMPING_TRIES):
        A = H + lam * eye if lam else H
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            if not adaptive:
                raise NotPositiveDefiniteError(
                    f"Newton: H + {lam:g} I is not positive definite (a saddle point, a maximum or "
                    "a flat direction); pass a larger damping, or adaptive_damping=True") from None
            lam = max(10.0 * lam, _first_damping(np.abs(H).max()))
            continue
        y = np.linalg.solve(L, g)
        return np.linalg.solve(L.T, y), lam
    raise NotPositiveDefiniteError(f"Newton: no damping up to {lam:g} made the Hessian positive definite")


def cg_solve(hvp, grad, damping=0.0, adaptive=True, tol=1e-10, max_iter=None):
    """Solve (H + damping * I) d = g by conjugate gradients, H known only through ``hvp(v) = H v``.

    Returns ``(d, damping_used)``. A direction of non-positive curvature means H + damping I
    is not positive definite: damping is raised (Levenberg-Marquardt) and the solve restarts,
    or :class:`NotPositiveDefiniteError` is raised when ``adaptive`` is false.
    Stops when ||r|| <= tol * ||g||.
    """
    g = np.asarray(grad, dtype=np.float64)
    if not np.all(np.isfinite(g)):
        raise FloatingPointError("Newton: the gradient contains inf or NaN")
    n = g.size
    max_iter = 2 * n if max_iter is None else int(max_iter)
    gnorm = np.sqrt(g @ g)
    lam = float(damping)
    if gnorm == 0.0:
        return np.zeros_like(g), lam
    for _ in range(_MAX_DAMPING_TRIES):
        x = np.zeros_like(g)
        r = g.copy()
        p = r.copy()
        rs = r @ r
        curvature_ok = True
        for _ in range(max_iter):
            Ap = np.asarray(hvp(p), dtype=np.float64)
            if lam:
                Ap = Ap + lam * p
            pAp = p @ Ap
            if not np.isfinite(pAp):
                raise FloatingPointError("Newton: a Hessian-vector product is not finite")
            pp = p @ p
            if not pAp > 0.0:
                curvature_ok = False
                rayleigh = (pAp / pp) - lam  # p^T H p / p^T p: a negative or tiny eigenvalue
                break
            alpha = rs / pAp
            x += alpha * p
            r -= alpha * Ap
            rs_new = r @ r
            if np.sqrt(rs_new) <= tol * gnorm:
                break
            p *= rs_new / rs
            p += r
            rs = rs_new
        if curvature_ok:
            return x, lam
        if not adaptive:
            raise NotPositiveDefiniteError(
                f"Newton: H + {lam:g} I is not positive definite (curvature {pAp / pp:g} along a "
                "conjugate-gradient direction); pass a larger damping, or adaptive_damping=True")
        lam = max(10.0 * lam, 2.0 * abs(rayleigh), _first_damping(abs(rayleigh)))
    raise NotPositiveDefiniteError(f"Newton: no damping up to {lam:g} made the Hessian positive definite")


class Newton(Optimizer):
    r"""Newton's method: theta <- theta - lr * (H + damping * I)^{-1} g.

    ``Newton(params, lr=1.0, damping=0.0, max_dense=256, adaptive_damping=True,
    cg_tol=1e-10, cg_max_iter=None)``

    The notes name it without a formula (004: "second-order methods: Newton"; 003
    tells stationary points apart by "the Hessian H_theta[g](theta_0)"). The step is
    theta <- theta - H^{-1} g with H the Hessian of the loss. With lr = 1 and no
    damping this lands on the minimum of a strictly convex quadratic in one step.
    PyTorch has no Newton optimizer.

    The loss must be recomputed inside the step, so ``step`` requires a closure that
    returns the scalar loss (and does not call ``backward``: Newton differentiates
    it twice itself, with ``ag.grad(..., create_graph=True)``)::

        opt = optim.Newton([w, b])

        def closure():
            return loss_fn(params)     # recompute and return the scalar loss; no backward()

        for _ in range(steps):
            loss = opt.step(closure)

    H is never differentiated by hand: the gradient is computed as a graph
    (``create_graph=True``) and differentiated again. With at most ``max_dense``
    parameters (all groups together) the Hessian is built row by row, one reverse
    pass per row, and the damped system is solved by a Cholesky factorisation; above
    that, H is never formed and the system is solved by conjugate gradients with one
    Hessian-vector product per iteration.

    ``damping`` adds damping * I to H (Levenberg-Marquardt). If H + damping I is not
    positive definite (a saddle, a maximum, a flat direction), the plain Newton step
    would not be a descent direction. With ``adaptive_damping=True`` the damping
    used for that step is raised (x10, starting from a level relative to H) until
    it is; with False a :class:`NotPositiveDefiniteError` is raised. The damping
    used by the last step is ``opt.last_damping``. Non-finite values raise, never
    produce a silent NaN.

    After a step, each parameter's ``.grad`` holds the gradient at the point the
    step started from. All parameters share one Hessian, so Newton takes a single
    parameter group.
    """

    def __init__(self, params, lr=1.0, damping=0.0, max_dense=256, adaptive_damping=True,
                 cg_tol=1e-10, cg_max_iter=None):
        defaults = dict(lr=lr, damping=damping, max_dense=max_dense,
                        adaptive_damping=bool(adaptive_damping), cg_tol=cg_tol, cg_max_iter=cg_max_iter)
        super().__init__(params, defaults)
        self.last_damping = None

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("Newton doesn't support several parameter groups: all parameters "
                             "share one Hessian; pass them all in one list")
        super().add_param_group(param_group)

    def _check_group(self, group):
        super()._check_group(group)
        check_nonneg("damping", group["damping"])
        check_nonneg("max_dense", group["max_dense"])
        check_nonneg("cg_tol", group["cg_tol"])
        if group["cg_max_iter"] is not None:
            check_nonneg("cg_max_iter", group["cg_max_iter"])

    def step(self, closure=None):
        """Evaluate the loss with ``closure``, build H (or H v) and take one Newton step.

        Returns the loss at the starting point.
        """
        if closure is None:
            raise RuntimeError("Newton.step needs a closure that recomputes the loss, because "
                               "the Hessian is built from the loss's graph:\n" + _CLOSURE_PATTERN)
        group = self.param_groups[0]
        params = group["params"]
        loss = _check_loss(self._closure_loss(closure))
        with ag.enable_grad():
            g, hvp = _gradient_and_hvp(loss, params)
            if g.size <= group["max_dense"]:
                d, lam = newton_direction(_dense_hessian(hvp, g.size), g, group["damping"],
                                          group["adaptive_damping"])
            else:
                d, lam = cg_solve(hvp, g, group["damping"], group["adaptive_damping"],
                                  group["cg_tol"], group["cg_max_iter"])
        self.last_damping = lam
        self._apply(params, group, g, d)
        return loss

    def _apply(self, params, group, g, d):
        """Set each parameter's ``.grad`` to its part of g and move it by -lr d."""
        lr = group["lr"]
        for p, gi, di in zip(params, _split(g, params), _split(d, params)):
            # NOTE: the Newton system is solved on the host in float64 (small problems);
            # the gradient and the step go back to the parameter's device
            p.grad = ag.Tensor(ag.backend.to_device(gi.astype(p.dtype), p.device))
            s = self.state.get(p)
            if s is None:
                s = self.state[p] = self._init_state(p, group)
            s["step"] += 1
            p.array -= ag.backend.to_device((lr * di).astype(p.dtype, copy=False), p.device)
            ag.increment_version(p)


def _check_loss(loss):
    if not isinstance(loss, ag.Tensor):
        raise TypeError(f"Newton: the closure must return the loss as a Tensor, got "
                        f"{type(loss).__name__}")
    if loss.numel() != 1:
        raise ValueError(f"Newton: the closure must return a scalar loss, got a tensor of shape "
                         f"{loss.shape}; reduce it first, e.g. with .sum() or .mean()")
    if not loss.requires_grad:
        raise RuntimeError("Newton: the loss returned by the closure does not depend on the "
                           "parameters (it does not require grad); was it computed under no_grad?")
    return loss


def _split(flat, params):
    """The pieces of a flat vector, shaped like ``params``."""
    out, start = [], 0
    for p in params:
        n = p.numel()
        out.append(flat[start:start + n].reshape(p.shape))
        start += n
    return out


def _gradient_and_hvp(loss, params):
    """The flat gradient g of ``loss`` and a function v -> H v (H the Hessian), which is
    the gradient of g . v: one reverse pass through the gradient's own graph."""
    try:
        grads = ag.grad(loss, params, create_graph=True, allow_unused=True)
    except RuntimeError as e:
        raise RuntimeError(f"{e}\nNewton: the closure must return the loss without calling "
                           "backward() on it (backward frees the graph Newton "
                           "differentiates):\n" + _CLOSURE_PATTERN) from e
    g = _flat([gi.array if gi is not None else np.zeros(p.shape) for gi, p in zip(grads, params)])
    live = [(i, gi) for i, gi in enumerate(grads) if gi is not None and gi.requires_grad]

    def hvp(v):
        if not live:
            return np.zeros(g.size)
        pieces = _split(v, params)
        vs = [ag.Tensor(ag.backend.to_device(pieces[i].astype(gi.dtype), gi.device)) for i, gi in live]
        hv = ag.grad([gi for _, gi in live], params, grad_outputs=vs, retain_graph=True,
                     allow_unused=True)
        return _flat([h.array if h is not None else np.zeros(p.shape) for h, p in zip(hv, params)])

    return g, hvp


def _dense_hessian(hvp, n):
    """H row by row: H e_k for each unit vector (H is symmetric)."""
    H = np.empty((n, n))
    e = np.zeros(n)
    for k in range(n):
        e[k] = 1.0
        H[k] = hvp(e)
        e[k] = 0.0
    return H


def _flat(arrays):
    return np.concatenate([np.asarray(ag.backend.to_host(a), dtype=np.float64).ravel() for a in arrays])

"""Test problems for the optimizers, each in three spellings: autograd (what the optimizer
under test trains), numpy with a hand-derived gradient (what the transcribed update rules
train) and torch (what torch.optim trains). All in float64.

- ``quadratic``: f(x, Y) = 1/2 x^T A x - b.x + 1/2 sum(w * (Y - C)^2), A SPD with
  eigenvalues in [1, 10]: two parameters of different shapes, a canyon-shaped bowl.
- ``mlp``: a 3-5-2 tanh network built from raw tensors W1, b1, W2, b2, mean squared error.
"""
import numpy as np

import autograd as ag


class Quadratic:
    name = "quadratic"

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
        self.A = Q @ np.diag(np.linspace(1.0, 10.0, 5)) @ Q.T
        self.b = rng.standard_normal(5)
        self.C = rng.standard_normal((2, 3))
        self.w = rng.uniform(0.5, 3.0, (2, 3))
        self.init = [rng.standard_normal(5), rng.standard_normal((2, 3))]

    def loss_ag(self, params):
        x, Y = params
        A, b, C, w = (ag.Tensor(a) for a in (self.A, self.b, self.C, self.w))
        return 0.5 * (x * (A @ x)).sum() - (b * x).sum() + 0.5 * (w * (Y - C) ** 2).sum()

    def grad_np(self, arrays):
        x, Y = arrays
        return [self.A @ x - self.b, self.w * (Y - self.C)]

    def loss_torch(self, params, torch):
        x, Y = params
        A, b, C, w = (torch.from_numpy(a) for a in (self.A, self.b, self.C, self.w))
        return 0.5 * (x * (A @ x)).sum() - (b * x).sum() + 0.5 * (w * (Y - C) ** 2).sum()


class MLP:
    name = "mlp"

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed + 1)
        self.X = rng.standard_normal((12, 3))
        self.T = np.stack([np.sin(self.X[:, 0]), self.X[:, 1] * self.X[:, 2]], axis=1)
        self.init = [rng.standard_normal((3, 5)) * 0.7, rng.standard_normal(5) * 0.1,
                     rng.standard_normal((5, 2)) * 0.7, rng.standard_normal(2) * 0.1]

    def loss_ag(self, params):
        W1, b1, W2, b2 = params
        h = ag.tanh(ag.Tensor(self.X) @ W1 + b1)
        out = h @ W2 + b2
        return ((out - ag.Tensor(self.T)) ** 2).mean()

    def grad_np(self, arrays):
        W1, b1, W2, b2 = arrays
        h = np.tanh(self.X @ W1 + b1)
        out = h @ W2 + b2
        dout = 2.0 * (out - self.T) / out.size
        dz = (dout @ W2.T) * (1.0 - h * h)
        return [self.X.T @ dz, dz.sum(0), h.T @ dout, dout.sum(0)]

    def loss_torch(self, params, torch):
        W1, b1, W2, b2 = params
        h = torch.tanh(torch.from_numpy(self.X) @ W1 + b1)
        out = h @ W2 + b2
        return ((out - torch.from_numpy(self.T)) ** 2).mean()


PROBLEMS = {"quadratic": Quadratic, "mlp": MLP}


def leaves(arrays):
    """Fresh float64 leaf tensors holding copies of ``arrays``."""
    return [ag.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]


def train(opt_factory, problem, steps, sign=1.0, params=None, engine=True):
    """Train with our optimizer; return the parameter values after every step.

    engine=True: gradients from ``loss.backward()`` (the full training step);
    engine=False: ``p.grad`` set from the hand-derived numpy gradient, so that
    several rules fed the same gradient function differ only in their arithmetic.
    """
    params = leaves(problem.init) if params is None else params
    opt = opt_factory(params)
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        if engine:
            loss = sign * problem.loss_ag(params)
            loss.backward()
        else:
            for p, g in zip(params, problem.grad_np([p.array for p in params])):
                p.grad = ag.Tensor(sign * g)
        opt.step()
        traj.append([p.array.copy() for p in params])
    return traj


def train_torch(torch, opt_factory, problem, steps, sign=1.0, engine=True):
    """The same with torch.optim (engine=True: torch's autograd computes the gradients)."""
    params = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in problem.init]
    opt = opt_factory(params)
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        if engine:
            loss = sign * problem.loss_torch(params, torch)
            loss.backward()
        else:
            with torch.no_grad():
                for p, g in zip(params, problem.grad_np([p.detach().numpy() for p in params])):
                    p.grad = torch.from_numpy(sign * g)
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj


def train_reference(ref, problem, steps, sign=1.0):
    """Train a transcribed update rule (``ref.point()``, ``ref.update(grads)``)."""
    traj = []
    for _ in range(steps):
        g = [sign * gi for gi in problem.grad_np(ref.point())]
        ref.update(g)
        traj.append([a.copy() for a in ref.point()])
    return traj


def max_rel_diff(traj_a, traj_b):
    """The largest |a - b| / max(1, |b|) over every step and every parameter entry."""
    worst = 0.0
    for step_a, step_b in zip(traj_a, traj_b, strict=True):
        for a, b in zip(step_a, step_b, strict=True):
            assert a.shape == b.shape
            worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b)))))
    return worst

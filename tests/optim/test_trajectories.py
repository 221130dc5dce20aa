"""100 steps of every optimizer on a quadratic and on a small MLP, in float64.

Each trajectory must equal (to 1e-10) a straightforward transcription of the
published update rule written below in plain numpy, trained on the hand-derived
gradient, and, where torch is installed, torch.optim's trajectory. Every
combination of the options PyTorch supports is covered. With ``maximize`` the
objective is -f, so the maximiser still moves towards f's minimum.
"""
import itertools

import numpy as np
import pytest

import autograd as ag
import optim
from tests.helpers import torch
from tests.optim.problems import PROBLEMS, max_rel_diff, train, train_reference, train_torch

STEPS = 100
TOL = 1e-10


# ----------------------------------------------------------------- transcriptions
class Ref:
    """A transcribed rule: ``theta`` are the parameters, ``update`` takes the gradients."""

    def __init__(self, init, **hp):
        self.theta = [np.array(a, dtype=np.float64) for a in init]
        self.hp = hp
        self.t = 0
        self.setup()

    def setup(self):
        pass

    def point(self):
        return self.theta

    def zeros(self):
        return [np.zeros_like(a) for a in self.theta]

    def update(self, grads):
        self.t += 1
        hp = self.hp
        for i, g in enumerate(grads):
            if hp.get("maximize"):
                g = -g
            self.rule(i, g, hp)

    def l2(self, i, g, wd):
        return g + wd * self.theta[i] if wd else g


class RefSGD(Ref):
    """torch.optim.SGD's documented algorithm."""

    def setup(self):
        self.b = [None] * len(self.theta)

    def rule(self, i, g, hp):
        mu, tau = hp.get("momentum", 0), hp.get("dampening", 0)
        g = self.l2(i, g, hp.get("weight_decay", 0))
        if mu:
            self.b[i] = g.copy() if self.t == 1 else mu * self.b[i] + (1 - tau) * g
            g = g + mu * self.b[i] if hp.get("nesterov") else self.b[i]
        self.theta[i] = self.theta[i] - hp["lr"] * g


class RefMomentum(Ref):
    """The notes: V <- b V + (1 - b) g (V_0 = 0), theta <- theta - lr V."""

    def setup(self):
        self.V = self.zeros()

    def rule(self, i, g, hp):
        b = hp["beta"]
        g = self.l2(i, g, hp.get("weight_decay", 0))
        self.V[i] = b * self.V[i] + (1 - b) * g
        self.theta[i] = self.theta[i] - hp["lr"] * self.V[i]


class RefNesterov(RefMomentum):
    """The notes' look-ahead form: the gradient is taken at theta - lr b V, and that
    look-ahead point is what the optimizer's parameters hold."""

    def point(self):
        lr, b = self.hp["lr"], self.hp["beta"]
        return [th - lr * b * V for th, V in zip(self.theta, self.V)]

    def rule(self, i, g, hp):
        # g was evaluated at point(); weight decay, like the gradient, applies there
        wd = hp.get("weight_decay", 0)
        if wd:
            g = g + wd * self.point()[i]
        b = hp["beta"]
        self.V[i] = b * self.V[i] + (1 - b) * g
        self.theta[i] = self.theta[i] - hp["lr"] * self.V[i]


class RefAdagrad(Ref):
    """Duchi et al. as in torch: G += g^2, theta -= lr_t g / (sqrt(G) + eps)."""

    def setup(self):
        self.G = [np.full_like(a, self.hp.get("initial_accumulator_value", 0.0)) for a in self.theta]

    def rule(self, i, g, hp):
        g = self.l2(i, g, hp.get("weight_decay", 0))
        lr_t = hp["lr"] / (1 + (self.t - 1) * hp.get("lr_decay", 0))
        self.G[i] = self.G[i] + g ** 2
        self.theta[i] = self.theta[i] - lr_t * g / (np.sqrt(self.G[i]) + 1e-10)


class RefAdadelta(Ref):
    """Zeiler (2012), Algorithm 1, times lr."""

    def setup(self):
        self.Eg2, self.Edx2 = self.zeros(), self.zeros()

    def rule(self, i, g, hp):
        rho, eps = hp.get("rho", 0.9), 1e-6
        g = self.l2(i, g, hp.get("weight_decay", 0))
        self.Eg2[i] = rho * self.Eg2[i] + (1 - rho) * g ** 2
        dx = -np.sqrt(self.Edx2[i] + eps) / np.sqrt(self.Eg2[i] + eps) * g
        self.Edx2[i] = rho * self.Edx2[i] + (1 - rho) * dx ** 2
        self.theta[i] = self.theta[i] + hp["lr"] * dx


class RefRMSprop(Ref):
    """Hinton's RMSprop with torch's centered and momentum options."""

    def setup(self):
        self.v, self.m, self.buf = self.zeros(), self.zeros(), self.zeros()

    def rule(self, i, g, hp):
        a, eps, mu = hp.get("alpha", 0.99), 1e-8, hp.get("momentum", 0)
        g = self.l2(i, g, hp.get("weight_decay", 0))
        self.v[i] = a * self.v[i] + (1 - a) * g ** 2
        v = self.v[i]
        if hp.get("centered"):
            self.m[i] = a * self.m[i] + (1 - a) * g
            v = v - self.m[i] ** 2
        step = g / (np.sqrt(v) + eps)
        if mu > 0:
            self.buf[i] = mu * self.buf[i] + step
            step = self.buf[i]
        self.theta[i] = self.theta[i] - hp["lr"] * step


class RefAdam(Ref):
    """Kingma and Ba (2015), Algorithm 1, with AMSGrad and L2 / decoupled weight decay."""

    decoupled = False

    def setup(self):
        self.m, self.v, self.vmax = self.zeros(), self.zeros(), self.zeros()

    def rule(self, i, g, hp):
        (b1, b2), eps, lr, t = hp.get("betas", (0.9, 0.999)), 1e-8, hp["lr"], self.t
        wd = hp.get("weight_decay", 0)
        if self.decoupled:
            self.theta[i] = self.theta[i] - lr * wd * self.theta[i]
        else:
            g = self.l2(i, g, wd)
        self.m[i] = b1 * self.m[i] + (1 - b1) * g
        self.v[i] = b2 * self.v[i] + (1 - b2) * g ** 2
        m_hat = self.m[i] / (1 - b1 ** t)
        if hp.get("amsgrad"):
            self.vmax[i] = np.maximum(self.vmax[i], self.v[i])
            v_hat = self.vmax[i] / (1 - b2 ** t)
        else:
            v_hat = self.v[i] / (1 - b2 ** t)
        self.theta[i] = self.theta[i] - lr * m_hat / (np.sqrt(v_hat) + eps)


class RefAdamW(RefAdam):
    decoupled = True


# ----------------------------------------------------------------- the grid
def _grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, vals)) for vals in itertools.product(*axes.values())]


def _sgd_grid():
    out = []
    for extra in _grid(weight_decay=[0, 0.1], maximize=[False, True]):
        out.append(dict(lr=0.05, **extra))
        for mom in (dict(momentum=0.9), dict(momentum=0.9, nesterov=True),
                    dict(momentum=0.9, dampening=0.5)):
            out.append(dict(lr=0.05, **mom, **extra))
    return out


def _torch_momentum(torch, nesterov):
    def make(params, lr, beta, weight_decay=0, maximize=False):
        # Momentum(lr, b) == SGD(lr (1 - b), momentum=b): see optim.Momentum's docstring
        return torch.optim.SGD(params, lr=lr * (1 - beta), momentum=beta, nesterov=nesterov,
                               weight_decay=weight_decay, maximize=maximize)
    return make


CASES = []  # (name, ours, reference, torch name or callable, hyper-parameters)
for hp in _sgd_grid():
    CASES.append(("SGD", RefSGD, "SGD", hp))
for hp in _grid(weight_decay=[0, 0.1], maximize=[False, True]):
    CASES.append(("Momentum", RefMomentum, "momentum", dict(lr=0.1, beta=0.9, **hp)))
    CASES.append(("Nesterov", RefNesterov, "nesterov", dict(lr=0.1, beta=0.9, **hp)))
for hp in _grid(weight_decay=[0, 0.1], maximize=[False, True]):
    CASES.append(("Adagrad", RefAdagrad, "Adagrad", dict(lr=0.1, **hp)))
CASES.append(("Adagrad", RefAdagrad, "Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)))
CASES.append(("Adagrad", RefAdagrad, "Adagrad",
              dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5, weight_decay=0.1, maximize=True)))
for hp in _grid(weight_decay=[0, 0.1], maximize=[False, True]):
    CASES.append(("Adadelta", RefAdadelta, "Adadelta", dict(lr=1.0, **hp)))
CASES.append(("Adadelta", RefAdadelta, "Adadelta", dict(lr=0.5, rho=0.8)))
for hp in _grid(centered=[False, True], momentum=[0, 0.9], weight_decay=[0, 0.1], maximize=[False, True]):
    CASES.append(("RMSprop", RefRMSprop, "RMSprop", dict(lr=0.003, **hp)))
for hp in _grid(amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True]):
    CASES.append(("Adam", RefAdam, "Adam", dict(lr=0.01, **hp)))
    CASES.append(("AdamW", RefAdamW, "AdamW", dict(lr=0.01, **hp)))
CASES.append(("Adam", RefAdam, "Adam", dict(lr=0.02, betas=(0.8, 0.99), amsgrad=True)))


def _id(case):
    name, _, _, hp = case
    flags = ",".join(f"{k}={v}" for k, v in hp.items() if k != "lr")
    return f"{name}({flags})"


def _torch_factory(torch_name, hp):
    if torch_name in ("momentum", "nesterov"):
        return lambda ps: _torch_momentum(torch, torch_name == "nesterov")(ps, **hp)
    return lambda ps: getattr(torch.optim, torch_name)(ps, **hp)


def _check(case, problem_name, engine):
    name, ref_cls, torch_name, hp = case
    problem = PROBLEMS[problem_name]()
    sign = -1.0 if hp.get("maximize") else 1.0
    ours = train(lambda ps: getattr(optim, name)(ps, **hp), problem, STEPS, sign, engine=engine)

    ref = train_reference(ref_cls(problem.init, **hp), problem, STEPS, sign)
    assert max_rel_diff(ours, ref) <= TOL

    # the run must actually have moved somewhere (not a vacuous comparison)
    moved = max(np.abs(a - b).max() for a, b in zip(ours[-1], problem.init))
    assert moved > 1e-3

    if torch is not None:
        theirs = train_torch(torch, _torch_factory(torch_name, hp), problem, STEPS, sign, engine=engine)
        assert max_rel_diff(ours, theirs) <= TOL


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_update_rule_matches_transcription_and_torch(case, problem_name):
    """Every option combination; all three fed the same (hand-derived) gradient function,
    so the comparison isolates the update arithmetic."""
    _check(case, problem_name, engine=False)


FIRST_OF_EACH = list({c[0]: c for c in reversed(CASES)}.values())


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("case", FIRST_OF_EACH, ids=[_id(c) for c in FIRST_OF_EACH])
def test_training_loop_matches_transcription_and_torch(case, problem_name):
    """The full step, zero_grad / loss.backward() / step, with each side's own autograd."""
    _check(case, problem_name, engine=True)


def test_grid_covers_every_option():
    seen = {(c[0], k) for c in CASES for k, v in c[3].items() if v not in (0, False)}
    for opt, key in [("SGD", "momentum"), ("SGD", "dampening"), ("SGD", "nesterov"), ("SGD", "weight_decay"),
                     ("SGD", "maximize"), ("RMSprop", "centered"), ("RMSprop", "momentum"),
                     ("Adam", "amsgrad"), ("AdamW", "amsgrad"), ("Adagrad", "lr_decay"),
                     ("Adagrad", "initial_accumulator_value"), ("Adadelta", "maximize")]:
        assert (opt, key) in seen


# ----------------------------------------------------------------- random hyper-parameters
if torch is not None:
    from hypothesis import given, settings, strategies as st

    _HP = {
        "SGD": dict(momentum=st.sampled_from([0.0, 0.5, 0.99]), dampening=st.sampled_from([0.0, 0.3]),
                    weight_decay=st.floats(0, 0.5), maximize=st.booleans()),
        "Adagrad": dict(lr_decay=st.floats(0, 0.5), weight_decay=st.floats(0, 0.5),
                        initial_accumulator_value=st.floats(0, 1), eps=st.floats(1e-10, 1e-3)),
        "Adadelta": dict(rho=st.floats(0, 0.99), eps=st.floats(1e-8, 1e-3), weight_decay=st.floats(0, 0.5)),
        "RMSprop": dict(alpha=st.floats(0.5, 0.999), eps=st.floats(1e-8, 1e-3), momentum=st.floats(0, 0.9),
                        centered=st.booleans(), weight_decay=st.floats(0, 0.5)),
        "Adam": dict(betas=st.tuples(st.floats(0, 0.99), st.floats(0, 0.999)), eps=st.floats(1e-8, 1e-3),
                     weight_decay=st.floats(0, 0.5), amsgrad=st.booleans(), maximize=st.booleans()),
        "AdamW": dict(betas=st.tuples(st.floats(0, 0.99), st.floats(0, 0.999)),
                      weight_decay=st.floats(0, 0.5), amsgrad=st.booleans()),
    }

    @pytest.mark.parametrize("name", list(_HP))
    def test_random_hyper_parameters_and_shapes_match_torch(name):
        @settings(max_examples=15, deadline=None)
        @given(hp=st.fixed_dictionaries(_HP[name]), lr=st.floats(1e-4, 0.5),
               shape=st.sampled_from([(), (1,), (3,), (2, 3)]), seed=st.integers(0, 2 ** 16))
        def check(hp, lr, shape, seed):
            rng = np.random.default_rng(seed)
            x0 = np.asarray(rng.standard_normal(shape))
            grads = [np.asarray(rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 1)) for _ in range(8)]
            w = ag.tensor(x0, requires_grad=True)
            t = torch.tensor(x0, requires_grad=True)
            opt_a, opt_b = getattr(optim, name)([w], lr=lr, **hp), getattr(torch.optim, name)([t], lr=lr, **hp)
            for g in grads:
                w.grad = ag.Tensor(g)
                t.grad = torch.from_numpy(g.copy())
                opt_a.step()
                opt_b.step()
                np.testing.assert_allclose(w.array, t.detach().numpy(), rtol=1e-11, atol=1e-12)

        check()

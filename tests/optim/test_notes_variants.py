"""The notes' own optimizer formulas, as keyword options of PyTorch's classes.

``Adam(bias_correction=False, eps_inside_sqrt=True)`` is the notes' Adam (004, "Adam
(Adaptive moment estimation)"); ``RMSprop(eps_inside_sqrt=True)`` is the notes' RMSprop
and their "AdaDelta". Each option is checked three ways: the notes' worked numbers
(lr 0.1, a constant gradient 0.5 from theta = 1), a plain-numpy transcription over 100
steps on the shared test problems (every combination with PyTorch's other options), and
torch where an equivalent torch setting exists (eps = 0, where the placement of eps
cannot matter). The defaults stay exactly PyTorch's (tests/optim/test_trajectories.py).
"""
import itertools

import numpy as np
import pytest

import autograd as ag
import optim
from tests.helpers import requires_torch, torch
from tests.optim.problems import PROBLEMS, max_rel_diff, train, train_reference, train_torch

STEPS = 100
TOL = 1e-10


def constant_gradient_path(make, steps=3, g=0.5, theta0=1.0):
    """theta after each of ``steps`` steps of f(theta) = g theta (gradient g everywhere)."""
    p = ag.tensor([theta0], dtype=ag.float64, requires_grad=True)
    opt = make([p])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        (g * p).sum().backward()
        opt.step()
        out.append(float(p.array[0]))
    return out


# ----------------------------------------------------------------- the notes' numbers
def test_notes_adam_numbers():
    """004: V = b1 V + (1-b1) g, S = b2 S + (1-b2) g^2, theta -= lr V / sqrt(S + eps)."""
    notes = constant_gradient_path(lambda ps: optim.Adam(ps, lr=0.1, bias_correction=False,
                                                         eps_inside_sqrt=True))
    np.testing.assert_allclose(notes, [0.68378, 0.25882, -0.23620], atol=5e-6)
    np.testing.assert_allclose(notes, [0.684, 0.259, -0.236], atol=5e-4)
    # PyTorch's default rule on the same problem: every step is lr
    torch_rule = constant_gradient_path(lambda ps: optim.Adam(ps, lr=0.1))
    np.testing.assert_allclose(torch_rule, [0.9, 0.8, 0.7], atol=1e-7)


def test_notes_adadelta_is_rmsprop_with_eps_inside_sqrt():
    notes = constant_gradient_path(lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9, eps_inside_sqrt=True))
    np.testing.assert_allclose(notes, [0.68377, 0.45436, 0.26226], atol=5e-6)
    np.testing.assert_allclose(notes, [0.684, 0.454, 0.262], atol=5e-4)
    zeiler = constant_gradient_path(lambda ps: optim.Adadelta(ps))
    np.testing.assert_allclose(zeiler, [0.99684, 0.99359, 0.99029], atol=5e-6)


def test_first_step_by_hand():
    """One step of each of the four Adam combinations, written out."""
    g, lr, b1, b2, eps = 0.5, 0.1, 0.9, 0.999, 1e-2  # a large eps, so its placement shows
    m, v = (1 - b1) * g, (1 - b2) * g * g
    expect = {
        (True, False): lr * (m / (1 - b1)) / (np.sqrt(v / (1 - b2)) + eps),
        (True, True): lr * (m / (1 - b1)) / np.sqrt(v / (1 - b2) + eps),
        (False, False): lr * m / (np.sqrt(v) + eps),
        (False, True): lr * m / np.sqrt(v + eps),
    }
    for (bc, inside), step in expect.items():
        got = constant_gradient_path(lambda ps: optim.Adam(ps, lr=lr, eps=eps, bias_correction=bc,
                                                           eps_inside_sqrt=inside), steps=1)
        assert got[0] == pytest.approx(1.0 - step, abs=1e-15), (bc, inside)
    assert len({round(s, 12) for s in expect.values()}) == 4  # the four rules really differ


# ----------------------------------------------------------------- transcriptions
class RefAdamNotes:
    """Adam with both switches: bias correction on/off, eps inside/outside the root."""

    def __init__(self, init, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 decoupled=False, bias_correction=True, eps_inside_sqrt=False):
        self.theta = [np.array(a, dtype=np.float64) for a in init]
        self.m = [np.zeros_like(a) for a in self.theta]
        self.v = [np.zeros_like(a) for a in self.theta]
        self.vmax = [np.zeros_like(a) for a in self.theta]
        self.hp = dict(lr=lr, betas=betas, eps=eps, wd=weight_decay, amsgrad=amsgrad, decoupled=decoupled,
                       bc=bias_correction, inside=eps_inside_sqrt)
        self.t = 0

    def point(self):
        return self.theta

    def update(self, grads):
        self.t += 1
        h = self.hp
        b1, b2 = h["betas"]
        for i, g in enumerate(grads):
            if h["decoupled"]:
                self.theta[i] = self.theta[i] * (1 - h["lr"] * h["wd"])
            elif h["wd"]:
                g = g + h["wd"] * self.theta[i]
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            self.vmax[i] = np.maximum(self.vmax[i], self.v[i])
            v = self.vmax[i] if h["amsgrad"] else self.v[i]
            c1, c2 = (1 - b1 ** self.t, 1 - b2 ** self.t) if h["bc"] else (1.0, 1.0)
            m_hat, v_hat = self.m[i] / c1, v / c2
            denom = np.sqrt(v_hat + h["eps"]) if h["inside"] else np.sqrt(v_hat) + h["eps"]
            self.theta[i] = self.theta[i] - h["lr"] * m_hat / denom


class RefRMSpropNotes:
    """RMSprop with eps inside the root, with PyTorch's centered / momentum / L2 options."""

    def __init__(self, init, lr, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        self.theta = [np.array(a, dtype=np.float64) for a in init]
        self.v = [np.zeros_like(a) for a in self.theta]
        self.mu = [np.zeros_like(a) for a in self.theta]
        self.buf = [np.zeros_like(a) for a in self.theta]
        self.hp = dict(lr=lr, alpha=alpha, eps=eps, wd=weight_decay, momentum=momentum, centered=centered)

    def point(self):
        return self.theta

    def update(self, grads):
        h = self.hp
        a = h["alpha"]
        for i, g in enumerate(grads):
            g = g + h["wd"] * self.theta[i] if h["wd"] else g
            self.v[i] = a * self.v[i] + (1 - a) * g * g
            v = self.v[i]
            if h["centered"]:
                self.mu[i] = a * self.mu[i] + (1 - a) * g
                v = v - self.mu[i] ** 2
            step = g / np.sqrt(v + h["eps"])
            if h["momentum"]:
                self.buf[i] = h["momentum"] * self.buf[i] + step
                step = self.buf[i]
            self.theta[i] = self.theta[i] - h["lr"] * step


def _grid(**axes):
    return [dict(zip(axes, vals)) for vals in itertools.product(*axes.values())]


ADAM_CASES = [dict(lr=0.01, eps=1e-3, **hp) for hp in
              _grid(bias_correction=[True, False], eps_inside_sqrt=[True, False], amsgrad=[False, True],
                    weight_decay=[0, 0.1])]
ADAMW_CASES = [dict(lr=0.01, eps=1e-3, weight_decay=0.1, **hp) for hp in
               _grid(bias_correction=[True, False], eps_inside_sqrt=[True, False])]
RMSPROP_CASES = [dict(lr=0.003, eps=1e-3, **hp) for hp in
                 _grid(centered=[False, True], momentum=[0, 0.9], weight_decay=[0, 0.1])]


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("hp", ADAM_CASES, ids=str)
def test_adam_options_match_transcription(hp, problem_name):
    problem = PROBLEMS[problem_name]()
    ours = train(lambda ps: optim.Adam(ps, **hp), problem, STEPS, engine=False)
    ref = train_reference(RefAdamNotes(problem.init, **hp), problem, STEPS)
    assert max_rel_diff(ours, ref) <= TOL


@pytest.mark.parametrize("hp", ADAMW_CASES, ids=str)
def test_adamw_options_match_transcription(hp):
    problem = PROBLEMS["quadratic"]()
    ours = train(lambda ps: optim.AdamW(ps, **hp), problem, STEPS, engine=False)
    ref = train_reference(RefAdamNotes(problem.init, decoupled=True, **hp), problem, STEPS)
    assert max_rel_diff(ours, ref) <= TOL


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("hp", RMSPROP_CASES, ids=str)
def test_rmsprop_eps_inside_sqrt_matches_transcription(hp, problem_name):
    problem = PROBLEMS[problem_name]()
    ours = train(lambda ps: optim.RMSprop(ps, eps_inside_sqrt=True, **hp), problem, STEPS, engine=False)
    ref = train_reference(RefRMSpropNotes(problem.init, **hp), problem, STEPS)
    assert max_rel_diff(ours, ref) <= TOL


def test_the_option_changes_the_path():
    """With a visible eps, eps inside the root is a different trajectory (not a no-op)."""
    problem = PROBLEMS["mlp"]()
    a = train(lambda ps: optim.RMSprop(ps, lr=0.003, eps=1e-3), problem, 20, engine=False)
    b = train(lambda ps: optim.RMSprop(ps, lr=0.003, eps=1e-3, eps_inside_sqrt=True), problem, 20,
              engine=False)
    assert max_rel_diff(a, b) > 1e-4


# ----------------------------------------------------------------- against torch
@requires_torch
@pytest.mark.parametrize("amsgrad", [False, True])
def test_eps_inside_sqrt_with_eps_zero_is_torch_adam(amsgrad):
    """With eps = 0 the placement cannot matter: the option must then be torch's Adam."""
    problem = PROBLEMS["mlp"]()
    ours = train(lambda ps: optim.Adam(ps, lr=0.01, eps=0.0, amsgrad=amsgrad, eps_inside_sqrt=True),
                 problem, STEPS)
    theirs = train_torch(torch, lambda ps: torch.optim.Adam(ps, lr=0.01, eps=0.0, amsgrad=amsgrad),
                         problem, STEPS)
    assert max_rel_diff(ours, theirs) <= TOL


@requires_torch
@pytest.mark.parametrize("centered", [False, True])
def test_eps_inside_sqrt_with_eps_zero_is_torch_rmsprop(centered):
    problem = PROBLEMS["quadratic"]()
    ours = train(lambda ps: optim.RMSprop(ps, lr=0.003, eps=0.0, centered=centered, momentum=0.5,
                                          eps_inside_sqrt=True), problem, STEPS)
    theirs = train_torch(torch, lambda ps: torch.optim.RMSprop(ps, lr=0.003, eps=0.0, centered=centered,
                                                               momentum=0.5), problem, STEPS)
    assert max_rel_diff(ours, theirs) <= TOL


@requires_torch
def test_defaults_unchanged_against_torch():
    problem = PROBLEMS["mlp"]()
    for ours_f, torch_f in [(lambda ps: optim.Adam(ps, lr=0.01, eps=1e-3),
                             lambda ps: torch.optim.Adam(ps, lr=0.01, eps=1e-3)),
                            (lambda ps: optim.RMSprop(ps, lr=0.003, eps=1e-3),
                             lambda ps: torch.optim.RMSprop(ps, lr=0.003, eps=1e-3))]:
        assert max_rel_diff(train(ours_f, problem, STEPS), train_torch(torch, torch_f, problem, STEPS)) <= TOL


# ----------------------------------------------------------------- groups and state dicts
def test_options_are_per_group_and_survive_state_dict():
    a = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    opt = optim.Adam([{"params": [a]}, {"params": [b], "bias_correction": False, "eps_inside_sqrt": True}],
                     lr=0.1)
    assert opt.defaults["bias_correction"] is True and opt.defaults["eps_inside_sqrt"] is False
    for _ in range(2):
        opt.zero_grad()
        (0.5 * a + 0.5 * b).sum().backward()
        opt.step()
    assert a.array[0] == pytest.approx(0.8, abs=1e-7)
    assert b.array[0] == pytest.approx(0.2588236, abs=1e-6)
    sd = opt.state_dict()
    assert sd["param_groups"][1]["eps_inside_sqrt"] is True
    opt2 = optim.Adam([{"params": [a]}, {"params": [b]}], lr=0.1)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]["bias_correction"] is False


def test_state_dict_saved_before_the_options_loads_with_pytorch_defaults():
    p = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    for make, keys in [(lambda ps: optim.Adam(ps, lr=0.1), ("bias_correction", "eps_inside_sqrt")),
                       (lambda ps: optim.RMSprop(ps, lr=0.1), ("eps_inside_sqrt",))]:
        opt = make([p])
        sd = opt.state_dict()
        for k in keys:
            del sd["param_groups"][0][k]
        opt.param_groups[0]["eps_inside_sqrt"] = True
        opt.load_state_dict(sd)
        assert opt.param_groups[0]["eps_inside_sqrt"] is False
        opt.zero_grad()
        p.sum().backward()
        opt.step()  # runs with the restored (default) options


@pytest.mark.parametrize("make", [
    lambda ps: optim.Adam(ps, lr=0.1, bias_correction=False, eps_inside_sqrt=True),
    lambda ps: optim.Adam(ps, lr=0.1, eps_inside_sqrt=True, amsgrad=True),
    lambda ps: optim.RMSprop(ps, lr=0.1, eps_inside_sqrt=True),
    lambda ps: optim.RMSprop(ps, lr=0.1, eps_inside_sqrt=True, centered=True, momentum=0.5),
], ids=["adam-notes", "adam-amsgrad-inside", "rmsprop-inside", "rmsprop-inside-centered"])
def test_float32_and_0d_parameters_keep_dtype_and_shape(make):
    for value in (np.float32(1.0), np.ones((2, 3), np.float32), np.float64(1.0)):
        p = ag.tensor(value, requires_grad=True)
        opt = make([p])
        for _ in range(3):
            opt.zero_grad()
            (p * 0.5).sum().backward()
            opt.step()
        assert p.array.dtype == np.asarray(value).dtype and p.shape == np.shape(value)
        assert np.all(np.isfinite(p.array)) and np.all(p.array < 1.0)

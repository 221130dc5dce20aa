"""Losses: gradcheck, agreement with PyTorch, stability, shape checks."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(7)
N, C = 4, 3


def _probs(shape, rng):
    return rng.uniform(0.05, 0.95, shape)


def _signs(shape, rng):
    return rng.choice([-1.0, 1.0], shape)


def _regress_pair(rng):
    x = rng.standard_normal((N, 2))
    y = x + rng.choice([-1, 1], x.shape) * rng.uniform(0.2, 2.0, x.shape)  # |d| away from kinks
    return x, y


# name: (our loss, make (input, target) arrays, torch loss or None, module factory)
def _cases():
    rng = np.random.default_rng(3)
    xr, yr = _regress_pair(rng)
    w = rng.uniform(0.5, 2, (C,))
    idx = np.array([0, 2, 1, 2])
    logits = rng.standard_normal((N, C)) * 2
    probs_t = rng.dirichlet(np.ones(C), N)
    kd_logits = rng.standard_normal((2, C, 2, 2))
    kd_idx = rng.integers(0, C, (2, 2, 2))
    score = rng.standard_normal((N, 2)) * 1.5
    score[np.abs(score) < 0.1] += 0.3
    signs = _signs((N, 2), rng)
    score_h = score.copy()
    score_h[np.abs(np.abs(score_h) - 1) < 0.1] += 0.25  # away from the hinge
    tF = None if torch is None else torch.nn.functional
    return {
        "mse": (F.mse_loss, xr, yr, lambda r: (lambda a, b: tF.mse_loss(a, b, reduction=r)),
                nn.MSELoss),
        "l1": (F.l1_loss, xr, yr, lambda r: (lambda a, b: tF.l1_loss(a, b, reduction=r)),
               nn.L1Loss),
        "huber": (lambda a, b, reduction: F.huber_loss(a, b, reduction, delta=0.9), xr, yr,
                  lambda r: (lambda a, b: tF.huber_loss(a, b, reduction=r, delta=0.9)),
                  lambda reduction: nn.HuberLoss(reduction, delta=0.9)),
        "smooth_l1": (lambda a, b, reduction: F.smooth_l1_loss(a, b, reduction, beta=0.8), xr, yr,
                      lambda r: (lambda a, b: tF.smooth_l1_loss(a, b, reduction=r, beta=0.8)),
                      lambda reduction: nn.SmoothL1Loss(reduction, beta=0.8)),
        "bce": (F.binary_cross_entropy, _probs((N, 2), rng), rng.uniform(0, 1, (N, 2)),
                lambda r: (lambda a, b: tF.binary_cross_entropy(a, b, reduction=r)), nn.BCELoss),
        "bce_weight": (lambda a, b, reduction: F.binary_cross_entropy(a, b, np.array([0.5, 2.0]),
                                                                      reduction),
                       _probs((N, 2), rng), (rng.uniform(0, 1, (N, 2)) > 0.5) * 1.0,
                       lambda r: (lambda a, b: tF.binary_cross_entropy(
                           a, b, torch.tensor([0.5, 2.0], dtype=torch.float64), reduction=r)),
                       lambda reduction: nn.BCELoss(np.array([0.5, 2.0]), reduction)),
        "bce_logits": (F.binary_cross_entropy_with_logits, score, (signs + 1) / 2,
                       lambda r: (lambda a, b: tF.binary_cross_entropy_with_logits(a, b, reduction=r)),
                       nn.BCEWithLogitsLoss),
        "bce_logits_pos_weight": (
            lambda a, b, reduction: F.binary_cross_entropy_with_logits(
                a, b, reduction=reduction, pos_weight=np.array([3.0, 0.5])),
            score, rng.uniform(0, 1, (N, 2)),
            lambda r: (lambda a, b: tF.binary_cross_entropy_with_logits(
                a, b, reduction=r, pos_weight=torch.tensor([3.0, 0.5], dtype=torch.float64))),
            lambda reduction: nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=[3.0, 0.5])),
        "cross_entropy": (F.cross_entropy, logits, idx,
                          lambda r: (lambda a, b: tF.cross_entropy(a, b, reduction=r)),
                          nn.CrossEntropyLoss),
        "cross_entropy_probs": (F.cross_entropy, logits, probs_t,
                                lambda r: (lambda a, b: tF.cross_entropy(a, b, reduction=r)),
                                nn.CrossEntropyLoss),
        "cross_entropy_kd": (F.cross_entropy, kd_logits, kd_idx,
                             lambda r: (lambda a, b: tF.cross_entropy(a, b, reduction=r)),
                             nn.CrossEntropyLoss),
        "cross_entropy_weight_ignore_smooth": (
            lambda a, b, reduction: F.cross_entropy(a, b, weight=w, ignore_index=1,
                                                    reduction=reduction, label_smoothing=0.1),
            logits, np.array([0, 1, 2, 2]),
            lambda r: (lambda a, b: tF.cross_entropy(a, b, weight=torch.tensor(w), ignore_index=1,
                                                     reduction=r, label_smoothing=0.1)),
            lambda reduction: nn.CrossEntropyLoss(w, ignore_index=1, reduction=reduction,
                                                  label_smoothing=0.1)),
        "cross_entropy_probs_weight_smooth": (
            lambda a, b, reduction: F.cross_entropy(a, b, weight=w, reduction=reduction,
                                                    label_smoothing=0.2),
            logits, probs_t,
            lambda r: (lambda a, b: tF.cross_entropy(a, b, weight=torch.tensor(w), reduction=r,
                                                     label_smoothing=0.2)),
            lambda reduction: nn.CrossEntropyLoss(w, reduction=reduction, label_smoothing=0.2)),
        "nll": (F.nll_loss, np.log(rng.dirichlet(np.ones(C), N)), idx,
                lambda r: (lambda a, b: tF.nll_loss(a, b, reduction=r)), nn.NLLLoss),
        "nll_weight": (lambda a, b, reduction: F.nll_loss(a, b, weight=w, reduction=reduction),
                       np.log(rng.dirichlet(np.ones(C), N)), idx,
                       lambda r: (lambda a, b: tF.nll_loss(a, b, weight=torch.tensor(w), reduction=r)),
                       lambda reduction: nn.NLLLoss(w, reduction=reduction)),
        "logistic": (F.logistic_loss, score, signs,
                     lambda r: (lambda a, b: tF.soft_margin_loss(a, b, reduction=r)),
                     nn.LogisticLoss),
        "perceptron": (F.perceptron_loss, score, signs,
                       lambda r: (lambda a, b: torch.clamp(-b * a, min=0) if r == "none" else
                                  getattr(torch.clamp(-b * a, min=0), r)()),
                       nn.PerceptronLoss),
        "hinge": (F.hinge_loss, score_h, signs,
                  lambda r: (lambda a, b: torch.clamp(1 - b * a, min=0) if r == "none" else
                             getattr(torch.clamp(1 - b * a, min=0), r)()),
                  nn.HingeLoss),
    }


CASES = _cases()


def _target(t):
    return ag.tensor(t) if t.dtype.kind in "iu" else ag.tensor(t, dtype=np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_float64(name, reduction):
    fn, x, t, _, make = CASES[name]
    xa = ag.tensor(x, requires_grad=True)
    ta = _target(t)
    assert ag.gradcheck(lambda a: fn(a, ta, reduction=reduction), (xa,))
    mod = make(reduction=reduction)
    np.testing.assert_allclose(mod(xa, ta).array, fn(xa, ta, reduction=reduction).array)


@requires_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, reduction):
    fn, x, t, tfn, _ = CASES[name]
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = fn(xa, _target(t), reduction=reduction)
    tout = tfn(reduction)(xt, torch.tensor(t))
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(ag.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_gradcheck_target_of_regression_losses():
    x, y = _regress_pair(np.random.default_rng(0))
    xa, ya = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
    for fn in (F.mse_loss, F.l1_loss, F.huber_loss):
        assert ag.gradcheck(lambda a, b: fn(a, b), (xa, ya))


@requires_torch
def test_float32_cross_entropy_matches_torch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 10)).astype(np.float32)
    t = rng.integers(0, 10, 16)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.cross_entropy(xa, t)
    assert out.dtype == np.float32
    tout = torch.nn.functional.cross_entropy(xt, torch.tensor(t))
    out.backward()
    tout.backward()
    np.testing.assert_allclose(out.item(), tout.item(), rtol=1e-6)
    np.testing.assert_allclose(xa.grad.array, xt.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    rng = np.random.default_rng(2)
    x = ag.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    t = np.array([0, 1, 2, 3, 0])
    F.cross_entropy(x, t, reduction="sum").backward()
    p = np.exp(x.array) / np.exp(x.array).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.array, p - np.eye(4)[t], atol=1e-12)


def test_bce_with_logits_gradient_is_yhat_minus_y():
    z = ag.tensor([-2.0, 0.3, 4.0], dtype=np.float64, requires_grad=True)
    y = np.array([0.0, 1.0, 1.0])
    F.binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    np.testing.assert_allclose(z.grad.array, 1 / (1 + np.exp(-z.array)) - y)


def test_logistic_loss_equals_bce_with_logits_on_01_labels():
    rng = np.random.default_rng(4)
    x = ag.tensor(rng.standard_normal(6))
    y = rng.choice([-1.0, 1.0], 6)
    np.testing.assert_allclose(F.logistic_loss(x, y).item(),
                               F.binary_cross_entropy_with_logits(x, (y + 1) / 2).item(), rtol=1e-6)


def test_notes_values():
    np.testing.assert_allclose(F.mse_loss(ag.tensor([3.0]), [1.0]).item(), 4.0)  # halved form: 2
    np.testing.assert_allclose(F.perceptron_loss(ag.tensor([-2.0, 3.0]), [1.0, 1.0],
                                                 reduction="none").array, [2.0, 0.0])
    np.testing.assert_allclose(F.hinge_loss(ag.tensor([0.5, 3.0]), [1.0, 1.0],
                                            reduction="none").array, [0.5, 0.0])
    np.testing.assert_allclose(F.logistic_loss(ag.tensor([0.0]), [1.0]).item(), np.log(2), rtol=1e-6)


# ---------------------------------------------------------------- stability
EXTREME_LOGITS = np.array([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 1000.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logit_losses_finite_at_plus_minus_1000(dtype):
    x = EXTREME_LOGITS.astype(dtype)
    signs = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]])
    calls = [
        (F.cross_entropy, np.array([0, 1])),          # the wrong class at -1000: loss 2000
        (F.cross_entropy, np.array([1, 0])),
        (F.cross_entropy, np.full(x.shape, 1 / 3)),
        (F.binary_cross_entropy_with_logits, (signs + 1) / 2),
        (F.binary_cross_entropy_with_logits, (1 - signs) / 2),
        (F.logistic_loss, signs), (F.logistic_loss, -signs),
        (F.perceptron_loss, signs), (F.hinge_loss, signs),
        (lambda a, b: F.nll_loss(F.log_softmax(a, dim=1), b), np.array([0, 1])),
    ]
    for fn, t in calls:
        xa = ag.tensor(x, requires_grad=True)
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            out = fn(xa, t)
            out.backward()
        assert np.isfinite(out.array).all() and np.isfinite(xa.grad.array).all(), fn


def test_cross_entropy_at_1000_exact_values():
    x = ag.tensor(np.array([[-1000.0, 1000.0]]), requires_grad=True)
    out = F.cross_entropy(x, np.array([0]))
    out.backward()
    assert out.item() == 2000.0
    np.testing.assert_allclose(x.grad.array, [[-1.0, 1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_finite_at_probabilities_0_and_1(dtype):
    p = ag.tensor(np.array([0.0, 1.0, 0.0, 1.0, 0.5], dtype=dtype), requires_grad=True)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    with np.errstate(all="raise"):
        out = F.binary_cross_entropy(p, y, reduction="none")
        out.sum().backward()
    np.testing.assert_allclose(out.array, [0, 0, 100, 100, np.log(2)], rtol=1e-6)  # PyTorch's clamp
    assert np.isfinite(p.grad.array).all()
    # PyTorch's rule (p - y) / max(p (1 - p), 1e-12): 0 where p = y, -+1e12 at the wrong end
    np.testing.assert_allclose(p.grad.array, [0.0, 0.0, -1e12, 1e12, -2.0], rtol=1e-6)


@requires_torch
def test_bce_at_0_and_1_matches_torch_forward():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 1 - 1e-7])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    ours = F.binary_cross_entropy(ag.tensor(p), y, reduction="none").array
    theirs = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y),
                                                      reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_bce_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5]), [1.0])


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy,
                                F.binary_cross_entropy_with_logits, F.logistic_loss,
                                F.perceptron_loss, F.hinge_loss])
def test_shape_mismatch_raises_naming_loss_and_shapes(fn):
    x = ag.tensor(np.full((4, 1), 0.5))
    y = np.ones(4)
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*\(4, 1\).*\(4,\)"):
        fn(x, y)


def test_cross_entropy_shape_and_dtype_errors():
    x = ag.randn(4, 3)
    with pytest.raises(ValueError, match=r"cross_entropy.*\(4, 3\).*\(5,\)"):
        F.cross_entropy(x, np.zeros(5, dtype=int))
    with pytest.raises(TypeError, match="integers"):
        F.cross_entropy(x, np.zeros(4))  # float labels: a common mistake
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, np.zeros(4, dtype=int), reduction="avg")


def test_sign_losses_reject_01_labels():
    with pytest.raises(ValueError, match=r"-1 or \+1"):
        F.logistic_loss(ag.tensor([0.3, 0.2]), [0.0, 1.0])


def test_single_sample_cross_entropy_and_ignore_all():
    x = ag.tensor(np.array([1.0, 2.0, 0.5]), requires_grad=True)
    out = F.cross_entropy(x, np.array(1))
    assert out.shape == ()
    np.testing.assert_allclose(out.item(), -F.log_softmax(x, dim=0).array[1])
    allign = F.cross_entropy(ag.randn(2, 3), np.array([-100, -100]))
    assert np.isnan(allign.item())  # like PyTorch


def test_float32_model_with_float64_targets_stays_float32():
    x = ag.randn(3, 2, requires_grad=True)
    assert F.mse_loss(x, np.zeros((3, 2))).dtype == np.float32
    assert F.binary_cross_entropy_with_logits(x, np.ones((3, 2))).dtype == np.float32


def test_loss_modules_repr_and_weight_buffer():
    crit = nn.CrossEntropyLoss(weight=[1.0, 2.0])
    assert "weight" in crit.state_dict()
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.L1Loss(reduction="sum")) == "L1Loss(reduction='sum')"
    with pytest.raises(ValueError):
        nn.MSELoss(reduction="bad")

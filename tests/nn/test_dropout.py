"""Dropout: inverted dropout in training, identity in eval, per-module mode."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def test_identity_in_eval():
    d = nn.Dropout(0.5).eval()
    x = ag.randn(100, 10, requires_grad=True)
    y = d(x)
    np.testing.assert_array_equal(y.array, x.array)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.ones((100, 10)))
    np.testing.assert_array_equal(F.dropout(x, 0.7, training=False).array, x.array)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_training_drops_and_preserves_mean(p):
    d = nn.Dropout(p)
    x = ag.ones((400, 500))
    y = d(x).array
    kept = y != 0
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)  # inverted scaling
    assert abs(y.mean() - 1.0) < 0.02  # E[y] = x


def test_gradient_is_the_scaled_mask():
    x = ag.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.3, training=True)
    y.sum().backward()
    mask = y.array / x.array
    np.testing.assert_allclose(x.grad.array, mask, rtol=1e-5)
    vals = np.unique(x.grad.array)
    assert len(vals) == 2 and vals[0] == 0 and np.isclose(vals[1], 1 / 0.7)
    xd = ag.tensor(x.array[:6, :5].astype(np.float64), requires_grad=True)
    ag.manual_seed(3)
    ref = F.dropout(xd, 0.3)
    assert ag.gradcheck(lambda t: (ag.manual_seed(3), F.dropout(t, 0.3))[1], (xd,))
    assert ref.dtype == np.float64


def test_train_eval_train_restores_dropout():
    model = nn.Sequential(nn.Linear(10, 10), nn.Dropout(0.5))
    x = ag.randn(64, 10)
    assert model.training and model[1].training
    a = model(x).array
    assert (a == 0).mean() > 0.3
    model.eval()
    assert not model[1].training
    np.testing.assert_array_equal(model(x).array, model(x).array)
    model.train()
    assert model[1].training
    assert (model(x).array == 0).mean() > 0.3


def test_no_grad_does_not_change_the_mode():
    d = nn.Dropout(0.5)
    x = ag.ones((100, 100))
    with ag.no_grad():
        y = d(x)
    assert d.training
    assert (y.array == 0).mean() > 0.4  # still dropping under no_grad
    d.eval()
    with ag.no_grad():
        np.testing.assert_array_equal(d(x).array, x.array)
    with ag.enable_grad():
        assert not d.training


def test_seeded_and_reproducible():
    x = ag.ones((20, 20))
    ag.manual_seed(7)
    a = F.dropout(x, 0.5).array
    ag.manual_seed(7)
    b = F.dropout(x, 0.5).array
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, F.dropout(x, 0.5).array)


def test_p_validated_and_edge_values():
    for p in (-0.1, 1.5, "a"):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(ag.ones(3), p)
    x = ag.randn(5, 5)
    np.testing.assert_array_equal(F.dropout(x, 0.0).array, x.array)
    np.testing.assert_array_equal(F.dropout(x, 1.0).array, np.zeros((5, 5)))
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25, inplace=False)"


def test_float32_and_channel_dropout():
    x = ag.ones((8, 6, 4, 4), requires_grad=True)
    y = nn.Dropout(0.5)(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    y2 = nn.Dropout2d(0.5)(ag.ones((8, 6, 4, 4))).array
    per_channel = y2.reshape(8, 6, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # whole maps dropped or kept
    assert 0 < (per_channel[..., 0] == 0).mean() < 1

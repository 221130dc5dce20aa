"""nn.init under both names: the notes' "Xavier" and "Bengio" against PyTorch's/Glorot's.

The notes' example layer n^[l-1] = 400 -> n^[l] = 100 (``nn.Linear(400, 100).weight``,
40,000 samples: the variance is measured to about 0.7%).
"""
import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import init
from tests.helpers import requires_torch, torch

N_IN, N_OUT = 400, 100

TABLE = [  # (name, initialiser, the variance the nn.init docstring's table states)
    ("small_random_", init.small_random_, 1e-4),
    ("lecun_normal_ (the notes' Xavier)", init.lecun_normal_, 1 / N_IN),
    ("lecun_uniform_ (the notes' Xavier)", init.lecun_uniform_, 1 / N_IN),
    ("kaiming_normal_ relu", lambda t: init.kaiming_normal_(t, nonlinearity="relu"), 2 / N_IN),
    ("xavier_normal_ (Glorot)", init.xavier_normal_, 2 / (N_IN + N_OUT)),
    ("xavier_uniform_ (Glorot)", init.xavier_uniform_, 2 / (N_IN + N_OUT)),
    ("bengio_ (sum, the paper)", init.bengio_, 2 / (N_IN + N_OUT)),
    ("bengio_ uniform", lambda t: init.bengio_(t, "uniform"), 2 / (N_IN + N_OUT)),
    ("bengio_ product", lambda t: init.bengio_(t, formula="product"), 2 / (N_IN * N_OUT)),
    ("bengio_ product uniform", lambda t: init.bengio_(t, "uniform", "product"), 2 / (N_IN * N_OUT)),
    ("bengio_product_normal_ (the notes' printed Bengio)", init.bengio_product_normal_, 2 / (N_IN * N_OUT)),
    ("bengio_product_uniform_", init.bengio_product_uniform_, 2 / (N_IN * N_OUT)),
]


def _layer_weight():
    return nn.Linear(N_IN, N_OUT).weight  # shape (100, 400): fan_in 400, fan_out 100


@pytest.mark.parametrize("name, fn, var", TABLE, ids=[t[0] for t in TABLE])
def test_measured_variance_is_the_tables(name, fn, var):
    ag.manual_seed(0)
    w = _layer_weight()
    assert fn(w) is w
    assert abs(w.array.var() / var - 1) < 0.03, (name, w.array.var(), var)
    assert abs(w.array.mean()) < 0.03 * math.sqrt(var)


def test_the_notes_numbers_for_400_to_100():
    """The notes' 1/n, 2/n and 2/(n^[l-1] n^[l]), and Glorot's sum: 2.5e-3, 5e-3, 5e-5, 4e-3."""
    measured = {}
    for key, fn in [("xavier_notes", init.lecun_normal_), ("relu", init.kaiming_normal_),
                    ("bengio_notes", init.bengio_product_normal_), ("glorot", init.xavier_normal_)]:
        ag.manual_seed(1)
        measured[key] = fn(_layer_weight()).array.var()
    assert measured["xavier_notes"] == pytest.approx(2.5e-3, rel=0.03)
    assert measured["relu"] == pytest.approx(5e-3, rel=0.03)
    assert measured["bengio_notes"] == pytest.approx(5e-5, rel=0.03)
    assert measured["glorot"] == pytest.approx(4e-3, rel=0.03)
    # the printed product is n_in n_out / (n_in + n_out) = 80 times smaller than the sum
    assert measured["glorot"] / measured["bengio_notes"] == pytest.approx(80, rel=0.05)


def test_square_layers_cannot_tell_lecun_from_glorot():
    """For n_in = n_out the notes' Xavier and Glorot's coincide (which is why a square
    example hides the naming difference), while the product still differs (2/n^2)."""
    n = 256
    assert 1 / n == 2 / (n + n)
    ag.manual_seed(2)
    w = init.bengio_product_normal_(nn.Linear(n, n).weight)
    assert w.array.var() == pytest.approx(2 / n ** 2, rel=0.03)


def test_uniform_bounds():
    w = init.bengio_product_uniform_(_layer_weight())
    bound = math.sqrt(6 / (N_IN * N_OUT))
    assert np.abs(w.array).max() <= bound and np.abs(w.array).max() > 0.99 * bound


def test_conv_fans_in_the_product():
    ag.manual_seed(3)
    w = init.bengio_product_normal_(nn.Parameter(ag.zeros(32, 16, 3, 3)))  # fan_in 144, fan_out 288
    assert w.array.var() == pytest.approx(2 / (144 * 288), rel=0.03)


def test_bad_arguments_name_the_choices():
    with pytest.raises(ValueError, match="formula must be 'sum'.*'product'"):
        init.bengio_(_layer_weight(), formula="mean")
    with pytest.raises(ValueError, match="distribution must be 'normal' or 'uniform'"):
        init.bengio_(_layer_weight(), "laplace")
    with pytest.raises(ValueError, match="fewer than 2"):
        init.bengio_product_normal_(nn.Parameter(ag.zeros(5)))


@requires_torch
def test_pytorchs_xavier_is_glorot_not_the_notes_xavier():
    """torch.nn.init.xavier_normal_ on the notes' layer: Var 4e-3 (= ours), not 1/400."""
    torch.manual_seed(0)
    t = torch.empty(N_OUT, N_IN)
    theirs = torch.nn.init.xavier_normal_(t).var().item()
    ag.manual_seed(0)
    ours = init.xavier_normal_(_layer_weight()).array.var()
    assert theirs == pytest.approx(2 / (N_IN + N_OUT), rel=0.03)
    assert ours == pytest.approx(theirs, rel=0.05)
    assert abs(theirs / (1 / N_IN) - 1) > 0.4

"""nn.datasets: the toy problems, the notes' two Gaussian classes, the digits, splitting and scaling."""
import builtins
import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import datasets as D


@pytest.mark.parametrize("make, n, classes", [
    (lambda: D.moons(), 200, 2),
    (lambda: D.moons(n=51, noise=0.0), 51, 2),
    (lambda: D.spirals(), 300, 3),
    (lambda: D.spirals(n=20, classes=5), 100, 5),
    (lambda: D.gaussian_blobs(), 300, 3),
    (lambda: D.two_gaussians(), 200, 2),
    (lambda: D.xor(n=40), 40, 2),
])
def test_generators_shapes_dtypes_and_seeds(make, n, classes):
    X, y = make()
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(classes))
    X2, y2 = make()
    np.testing.assert_array_equal(X, X2)  # seeded: the same call gives the same data
    np.testing.assert_array_equal(y, y2)


def test_seeds_differ_and_none_uses_library_generator():
    assert not np.array_equal(D.moons(seed=0)[0], D.moons(seed=1)[0])
    ag.manual_seed(5)
    a = D.spirals(seed=None)[0]
    ag.manual_seed(5)
    np.testing.assert_array_equal(a, D.spirals(seed=None)[0])


def test_xor_truth_table():
    X, y = D.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    Xn, yn = D.xor(n=400, noise=0.05)
    corner = np.round(Xn).astype(int)
    np.testing.assert_array_equal(yn, corner[:, 0] ^ corner[:, 1])


def test_moons_without_noise_lie_on_their_arcs():
    X, y = D.moons(n=100, noise=0.0)
    up = X[y == 0]
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0, atol=1e-6)
    low = X[y == 1]
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1, low[:, 1] - 0.5), 1.0, atol=1e-6)


def test_gaussian_blobs_centres_and_shared_covariance():
    centers = np.array([[-5.0, 0.0], [5.0, 0.0]])
    X, y = D.gaussian_blobs(n=4000, centers=centers, std=0.5, seed=1)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.05)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.05)
    cov = [[1.0, 0.8], [0.8, 1.0]]
    X, y = D.gaussian_blobs(n=6000, centers=centers, cov=cov, seed=2)
    np.testing.assert_allclose(np.cov((X - centers[y]).T), cov, atol=0.06)
    with pytest.raises(ValueError, match="cov"):
        D.gaussian_blobs(centers=centers, cov=np.eye(3))


def _log_gauss(X, mu, cov):
    d = X - mu
    prec = np.linalg.inv(cov)
    return -0.5 * np.einsum("ni,ij,nj->n", d, prec, d) - 0.5 * math.log(np.linalg.det(2 * np.pi * cov))


def test_gaussian_log_odds_is_the_bayes_posterior():
    mu0, mu1 = np.array(D.TWO_GAUSSIANS_MEANS[0]), np.array(D.TWO_GAUSSIANS_MEANS[1])
    cov = np.array(D.TWO_GAUSSIANS_COV)
    w, b = D.gaussian_log_odds(mu0, mu1, cov, prior1=0.3)
    X = np.random.default_rng(0).normal(size=(50, 2)) * 2
    exact = _log_gauss(X, mu1, cov) + math.log(0.3) - _log_gauss(X, mu0, cov) - math.log(0.7)
    np.testing.assert_allclose(X @ w + b, exact, rtol=1e-10, atol=1e-10)


def test_logistic_regression_recovers_the_linear_log_odds():
    optim = pytest.importorskip("optim")
    X, y = D.two_gaussians(n=4000, seed=3)
    w_true, b_true = D.gaussian_log_odds()
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.5)
    xt, yt = ag.tensor(X), ag.tensor(y.astype(np.float32).reshape(-1, 1))
    for _ in range(300):  # full-batch gradient descent on the binary cross-entropy
        opt.zero_grad()
        z = model(xt)
        loss = (z.relu() - z * yt + (1 + (-z.abs()).exp()).log()).mean()
        loss.backward()
        opt.step()
    w = model.weight.numpy().reshape(-1)
    cos = w @ w_true / np.linalg.norm(w) / np.linalg.norm(w_true)
    assert cos > 0.99
    np.testing.assert_allclose(w, w_true, rtol=0.2)
    assert abs(float(model.bias.numpy()[0]) - b_true) < 0.3


def test_digits_are_the_real_handwritten_digits():
    pytest.importorskip("sklearn")
    X, y = D.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).min() >= 170
    raw, _ = D.digits(scale=False)
    np.testing.assert_array_equal(raw, X * 16)
    img, _ = D.digits(images=True)
    assert img.shape == (1797, 1, 8, 8)
    from sklearn.datasets import load_digits
    np.testing.assert_array_equal(load_digits().target, y)


def test_digits_without_sklearn_gives_the_install_hint(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(D, "_digits_file", lambda: None)
    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r'pip install "gradtable\[data\]"'):
        D.digits()


def test_train_test_split_sizes_disjoint_and_fixed():
    X = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    Xtr, Xte, ytr, yte = D.train_test_split(X, y, test_size=0.2, seed=0)
    assert (len(Xtr), len(Xte)) == (40, 10)
    assert sorted(np.concatenate([ytr, yte])) == list(range(50))
    np.testing.assert_array_equal(Xtr[:, 0] / 2, ytr)  # rows stay paired
    np.testing.assert_array_equal(D.train_test_split(X, y, seed=0)[3], yte)
    assert len(D.train_test_split(X, y, test_size=0.21)[1]) == 11  # ceil, like scikit-learn
    assert len(D.train_test_split(X, y, test_size=5)[1]) == 5
    with pytest.raises(ValueError):
        D.train_test_split(X, y, test_size=1.5)
    with pytest.raises(ValueError, match="samples"):
        D.train_test_split(X, y[:10])


def test_train_test_split_stratified_keeps_class_shares():
    y = np.repeat([0, 1, 2], [100, 50, 10])
    X = np.zeros((160, 1))
    _, _, ytr, yte = D.train_test_split(X, y, test_size=0.2, seed=1, stratify=True)
    np.testing.assert_array_equal(np.bincount(yte), [20, 10, 2])
    assert len(ytr) + len(yte) == 160


def test_standardize_fits_on_training_data_only():
    rng = np.random.default_rng(0)
    Xtr = (rng.normal(size=(200, 3)) * [1, 10, 0] + [5, -3, 7]).astype(np.float32)
    Xte = (rng.normal(size=(50, 3)) * [1, 10, 0] + [6, -3, 7]).astype(np.float32)
    scaler = D.standardize(Xtr)
    Ztr, Zte = scaler(Xtr), scaler.transform(Xte)
    assert Ztr.dtype == np.float32
    np.testing.assert_allclose(Ztr.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(Ztr[:, :2].std(axis=0), 1, atol=1e-5)
    np.testing.assert_array_equal(Ztr[:, 2], 0)  # a constant feature is only centred
    # the test set uses the training statistics, not its own
    np.testing.assert_allclose(Zte, (Xte - scaler.mean_) / scaler.scale_, rtol=1e-5)
    assert abs(Zte[:, 0].mean() - 1.0) < 0.4
    np.testing.assert_allclose(scaler.inverse_transform(Zte), Xte, rtol=1e-5, atol=1e-4)
    with pytest.raises(RuntimeError, match="fit"):
        D.Standardizer().transform(Xtr)


def test_min_max_fits_on_training_data_only():
    Xtr = np.array([[0.0, 10.0], [2.0, 20.0], [4.0, 30.0]])
    Xte = np.array([[5.0, 10.0]])
    scaler = D.min_max(Xtr)
    np.testing.assert_allclose(scaler(Xtr), [[0, 0], [0.5, 0.5], [1, 1]])
    np.testing.assert_allclose(scaler(Xte), [[1.25, 0.0]])  # may leave [0, 1] on new data
    np.testing.assert_allclose(D.min_max(Xtr, (-1, 1))(Xtr)[:, 0], [-1, 0, 1])
    np.testing.assert_allclose(scaler.inverse_transform(scaler(Xte)), Xte)
    with pytest.raises(ValueError):
        D.MinMaxScaler((1, 0))

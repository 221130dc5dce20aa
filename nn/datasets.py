"""Built-in datasets of the lecture notes, and the two input normalisations.

Every generator returns numpy arrays ``(X, y)``: ``X`` float32 of shape (n, features),
``y`` int64 class labels 0..C-1 of shape (n,). Seeded generators use their own
``numpy.random.Generator(seed)``, so the same call gives the same data everywhere;
``seed=None`` draws from the library's generator (``ag.manual_seed``).

==================  ===================================================================
``xor()``           the four corners of the unit square, label x1 XOR x2 (not linearly
                    separable: a single hidden layer fixes it); ``xor(n, noise)`` gives
                    n noisy samples around those corners
``moons()``         two interleaving half circles
``spirals()``       C intertwined spiral arms
``gaussian_blobs``  isotropic (or shared-covariance) Gaussian clusters
``two_gaussians``   the notes' two Gaussian classes with a shared covariance, whose
                    Bayes-optimal log-odds is linear (``gaussian_log_odds``)
``digits()``        the real 8x8 handwritten digits (1797 images, scikit-learn)
==================  ===================================================================

Splitting and scaling follow scikit-learn::

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    X_tr, X_val, X_te, y_tr, y_val, y_te = train_val_test_split(X, y, val_size=0.2, test_size=0.2)
    scaler = standardize(X_train)          # fitted on the training set only
    X_train, X_test = scaler(X_train), scaler(X_test)
"""
import math
import numbers

import numpy as np

import autograd as ag

__all__ = ["xor", "moons", "spirals", "gaussian_blobs", "two_gaussians", "gaussian_log_odds",
           "digits", "train_test_split", "train_val_test_split", "standardize", "min_max",
           "Standardizer", "MinMaxScaler",
           "DATA_INSTALL_HINT"]

DATA_INSTALL_HINT = 'pip install "gradtable[data]"'


def _rng(seed):
    if seed is None:
        return ag.random.generator()
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_n(n, name="n", minimum=1):
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def _shuffled(X, y, rng):
    perm = rng.permutation(len(y))
    return X[perm].astype(np.float32), y[perm].astype(np.int64)


# --------------------------------------------------------------------------- toy problems
def xor(n=None, noise=0.1, seed=0):
    """The XOR problem.

    ``xor()`` is the notes' truth table: X = [[0,0],[0,1],[1,0],[1,1]], y = [0,1,1,0].
    ``xor(n, noise)`` draws n samples around the four corners (Gaussian noise of
    standard deviation ``noise``), label = XOR of the corner: still not linearly
    separable, and large enough to split into training and test sets.
    """
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    labels = np.array([0, 1, 1, 0], dtype=np.int64)
    if n is None:
        return corners.copy(), labels.copy()
    n = _check_n(n, minimum=4)
    rng = _rng(seed)
    which = np.arange(n) % 4
    X = corners[which] + noise * rng.standard_normal((n, 2))
    return _shuffled(X, labels[which], rng)


def moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles ("two moons"), n samples in total.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half circle
    shifted by (1, -0.5) so that the two arcs hook into each other; Gaussian noise of
    standard deviation ``noise`` is added to both coordinates. A curved boundary is needed.
    """
    n = _check_n(n, minimum=2)
    rng = _rng(seed)
    n0 = (n + 1) // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _shuffled(X, y, rng)


def spirals(n=100, classes=3, noise=0.2, seed=0, turns=0.75):
    """``classes`` spiral arms winding out of the origin, ``n`` samples per class.

    Arm k starts at angle 2*pi*k/classes; along it the radius grows from 0 to 1 while the
    angle advances by ``turns`` full turns. ``noise`` is the standard deviation of a
    Gaussian perturbation of the angle (radians). Total: n * classes samples.
    """
    n = _check_n(n)
    classes = _check_n(classes, "classes", minimum=2)
    rng = _rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n), classes)
    k = np.repeat(np.arange(classes), n)
    theta = 2 * np.pi * (k / classes + turns * r) + noise * rng.standard_normal(n * classes)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return _shuffled(X, k, rng)


def gaussian_blobs(n=300, centers=3, std=1.0, seed=0, cov=None, dim=2, box=(-5.0, 5.0)):
    """Gaussian clusters, one per class, ``n`` samples in total (split as evenly as possible).

    Args:
        centers: an integer (that many centres drawn uniformly in ``box`` in ``dim``
            dimensions) or an array (k, d) of centres.
        std: standard deviation of each isotropic cluster (a number, or one per cluster).
        cov: instead of ``std``, a covariance matrix (d, d) shared by every cluster (the
            setting in which the notes derive logistic regression).
    """
    n = _check_n(n)
    rng = _rng(seed)
    if isinstance(centers, (numbers.Integral, np.integer)) and not isinstance(centers, bool):
        k = _check_n(centers, "centers")
        centers = rng.uniform(box[0], box[1], size=(k, _check_n(dim, "dim")))
    centers = np.atleast_2d(np.asarray(centers, dtype=np.float64))
    k, d = centers.shape
    if n < k:
        raise ValueError(f"gaussian_blobs: n={n} is smaller than the number of centres ({k})")
    y = np.arange(n) % k
    if cov is not None:
        cov = np.asarray(cov, dtype=np.float64)
        if cov.shape != (d, d):
            raise ValueError(f"gaussian_blobs: cov must be ({d}, {d}), got {cov.shape}")
        noise = rng.multivariate_normal(np.zeros(d), cov, size=n)
    else:
        stds = np.broadcast_to(np.asarray(std, dtype=np.float64), (k,))
        noise = rng.standard_normal((n, d)) * stds[y][:, None]
    return _shuffled(centers[y] + noise, y, rng)


TWO_GAUSSIANS_MEANS = ((-1.0, -0.5), (1.0, 1.0))
TWO_GAUSSIANS_COV = ((1.0, 0.3), (0.3, 0.6))


def two_gaussians(n=200, mean0=TWO_GAUSSIANS_MEANS[0], mean1=TWO_GAUSSIANS_MEANS[1],
                  cov=TWO_GAUSSIANS_COV, prior1=0.5, seed=0):
    """The notes' two Gaussian classes with a shared covariance.

    p(x | y=c) = N(x; mu_c, Sigma) with the same Sigma for both classes, and P(y=1) =
    ``prior1`` (round(n * prior1) samples of class 1). Under this model the posterior is
    exactly a logistic regression: log P(y=1|x) / P(y=0|x) = w.x + b, with (w, b) given by
    :func:`gaussian_log_odds`. A logistic regression trained on these samples should
    recover that linear boundary.
    """
    n = _check_n(n, minimum=2)
    rng = _rng(seed)
    mean0, mean1 = np.asarray(mean0, np.float64), np.asarray(mean1, np.float64)
    cov = np.asarray(cov, np.float64)
    n1 = int(round(n * prior1))
    y = np.concatenate([np.zeros(n - n1), np.ones(n1)]).astype(np.int64)
    means = np.where(y[:, None] == 1, mean1, mean0)
    X = means + rng.multivariate_normal(np.zeros(len(mean0)), cov, size=n)
    return _shuffled(X, y, rng)


def gaussian_log_odds(mean0=TWO_GAUSSIANS_MEANS[0], mean1=TWO_GAUSSIANS_MEANS[1],
                      cov=TWO_GAUSSIANS_COV, prior1=0.5):
    """The Bayes-optimal linear log-odds of :func:`two_gaussians`: returns ``(w, b)``.

    With shared covariance Sigma the quadratic terms of the two log-likelihoods cancel::

        log P(y=1|x)/P(y=0|x) = w.x + b,    w = Sigma^-1 (mu1 - mu0),
        b = -1/2 mu1' Sigma^-1 mu1 + 1/2 mu0' Sigma^-1 mu0 + log(prior1 / (1 - prior1))

    so P(y=1|x) = sigmoid(w.x + b) and the optimal boundary is the line w.x + b = 0.
    """
    mean0, mean1 = np.asarray(mean0, np.float64), np.asarray(mean1, np.float64)
    prec = np.linalg.inv(np.asarray(cov, np.float64))
    w = prec @ (mean1 - mean0)
    b = -0.5 * mean1 @ prec @ mean1 + 0.5 * mean0 @ prec @ mean0 + math.log(prior1 / (1 - prior1))
    return w, float(b)


# --------------------------------------------------------------------------- real data
def digits(scale=True, images=False):
    """The real 8x8 handwritten digits (UCI, shipped with scikit-learn; no download).

    Returns ``(X, y)``: 1797 samples, ``y`` int64 digits 0..9. ``X`` is float32 of shape
    (1797, 64) (pixels row by row), or (1797, 1, 8, 8) NCHW images with ``images=True``.
    Pixel values are grey levels 0..16 in the source; ``scale=True`` (the default)
    divides by 16 so they lie in [0, 1], ``scale=False`` keeps the raw 0..16.

    Needs scikit-learn, the optional extra ``data``: ``pip install "gradtable[data]"``.
    """
    raw = _digits_file()
    if raw is not None:
        X, y = raw[:, :-1], raw[:, -1]
    else:
        try:
            from sklearn.datasets import load_digits
        except ImportError as e:
            raise ImportError(
                f"nn.datasets.digits() needs scikit-learn, which is not installed; "
                f"install the optional extra with: {DATA_INSTALL_HINT}"
            ) from e
        bunch = load_digits()
        X, y = bunch.data, bunch.target
    X = X.astype(np.float32)
    if scale:
        X /= 16.0
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return X, y.astype(np.int64)


def _digits_file():
    """The digits as scikit-learn ships them (``sklearn/datasets/data/digits.csv.gz``: 64 pixel
    columns and the label), read directly: the same numbers as ``load_digits()``, without
    the seconds it takes to import ``sklearn.datasets``. None when the file is not there
    (no scikit-learn, or another layout), and the caller falls back to ``load_digits``.
    """
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    path = os.path.join(os.path.dirname(spec.origin), "datasets", "data", "digits.csv.gz")
    try:
        raw = np.loadtxt(path, delimiter=",")
    except (OSError, ValueError):
        return None
    if raw.shape != (1797, 65):
        return None
    return raw


# --------------------------------------------------------------------------- splitting
def train_test_split(X, y, test_size=0.2, seed=0, stratify=False):
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1) (the test set gets ceil(n * test_size) samples)
    or a sample count. A fixed ``seed`` gives a fixed split. ``stratify=True`` keeps each
    class's share the same in both parts.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_test_split: X has {n} samples but y has {len(y)}")
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must lie in (0, 1), got {test_size}")
        n_test = int(math.ceil(n * test_size))
    else:
        n_test = int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: a test set of {n_test} of {n} samples leaves "
                         "one side empty")
    rng = _rng(seed)
    if stratify:
        test_idx = []
        classes = np.unique(y)
        for c in classes:
            idx = rng.permutation(np.flatnonzero(y == c))
            test_idx.append(idx[:int(round(len(idx) * n_test / n))])
        test_idx = np.concatenate(test_idx)
        mask = np.zeros(n, bool)
        mask[test_idx] = True
        test_idx = rng.permutation(test_idx)
        train_idx = rng.permutation(np.flatnonzero(~mask))
    else:
        perm = rng.permutation(n)
        test_idx, train_idx = perm[:n_test], perm[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


def _fraction_or_count(size, n, name):
    if isinstance(size, float):
        if not 0.0 < size < 1.0:
            raise ValueError(f"{name} as a fraction must lie in (0, 1), got {size}")
        return int(math.ceil(n * size))
    if isinstance(size, bool) or not isinstance(size, (numbers.Integral, np.integer)) or size < 1:
        raise ValueError(f"{name} must be a fraction in (0, 1) or a positive count, got {size!r}")
    return int(size)


def _stratified_order(y, rng):
    """A random order of the samples in which every prefix holds each class in (almost)
    its overall share: class c's k-th sample (in a random order within the class) gets
    the key (k + 1/2) / n_c, and the samples are sorted by key, ties broken at random."""
    keys = np.empty(len(y))
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        keys[idx] = (np.arange(len(idx)) + 0.5) / len(idx)
    return np.lexsort((rng.permutation(len(y)), keys))


def train_val_test_split(X, y, val_size=0.2, test_size=0.2, seed=0, stratify=False):
    """The notes' three data sets: fit on the training set, choose hyper-parameters and
    when to stop on the validation set, and measure once on the test set.

    Returns ``X_train, X_val, X_test, y_train, y_val, y_test``. ``val_size`` and
    ``test_size`` are fractions in (0, 1) (each part gets ceil(n * fraction) samples) or
    sample counts; the training set gets the rest. A fixed ``seed`` gives a fixed split.
    ``stratify=True`` keeps each class's share the same in the three parts (to about one
    sample per class and part).
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_val_test_split: X has {n} samples but y has {len(y)}")
    n_val = _fraction_or_count(val_size, n, "val_size")
    n_test = _fraction_or_count(test_size, n, "test_size")
    if n_val + n_test >= n:
        raise ValueError(f"train_val_test_split: {n_val} validation and {n_test} test samples "
                         f"of {n} leave no training set")
    rng = _rng(seed)
    order = _stratified_order(y, rng) if stratify else rng.permutation(n)
    test_idx, val_idx, train_idx = np.split(order, [n_test, n_test + n_val])
    if stratify:  # the parts were cut from one ordered list: shuffle each
        train_idx, val_idx, test_idx = (rng.permutation(i) for i in (train_idx, val_idx, test_idx))
    return X[train_idx], X[val_idx], X[test_idx], y[train_idx], y[val_idx], y[test_idx]


# --------------------------------------------------------------------------- scaling
class _Scaler:
    """Shared machinery: statistics over ``axis`` (default 0, the sample axis)."""

    def __call__(self, X):
        return self.transform(X)

    def _prep(self, X):
        X = np.asarray(X)
        if X.dtype.kind != "f":
            X = X.astype(np.float32)
        return X

    def fit_transform(self, X):
        return self.fit(X).transform(X)


class Standardizer(_Scaler):
    """Input standardisation: x' = (x - mean) / std, with the *training* set's statistics.

    ``Standardizer().fit(X_train)`` (or ``standardize(X_train)``) learns ``mean_`` and
    ``scale_`` (the population std, per feature, over the sample axis); ``scaler(X)`` /
    ``scaler.transform(X)`` applies them to any set; ``inverse_transform`` undoes it.
    Constant features (std 0) are only centred (their scale is taken as 1).
    The output keeps the input's float dtype.
    """

    def __init__(self, axis=0):
        self.axis = axis
        self.mean_ = self.scale_ = None

    def fit(self, X):
        X = self._prep(X).astype(np.float64)
        self.mean_ = X.mean(axis=self.axis, keepdims=True)
        std = X.std(axis=self.axis, keepdims=True)
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        return self

    def transform(self, X):
        if self.mean_ is None:
            raise RuntimeError("Standardizer is not fitted: call fit(X_train) first")
        X = self._prep(X)
        return ((X - self.mean_) / self.scale_).astype(X.dtype)

    def inverse_transform(self, X):
        X = self._prep(X)
        return (X * self.scale_ + self.mean_).astype(X.dtype)

    def __repr__(self):
        return f"Standardizer(axis={self.axis}, fitted={self.mean_ is not None})"


class MinMaxScaler(_Scaler):
    """Min-max normalisation: x' = lo + (x - min) / (max - min) * (hi - lo).

    ``min_`` and ``max_`` come from the training set (``fit``); test data are mapped with
    the same numbers, so they may fall slightly outside ``feature_range``. Constant
    features map to ``lo``.
    """

    def __init__(self, feature_range=(0.0, 1.0), axis=0):
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"feature_range must be (lo, hi) with lo < hi, got {feature_range}")
        self.feature_range = (float(lo), float(hi))
        self.axis = axis
        self.min_ = self.max_ = None

    def fit(self, X):
        X = self._prep(X).astype(np.float64)
        self.min_ = X.min(axis=self.axis, keepdims=True)
        self.max_ = X.max(axis=self.axis, keepdims=True)
        return self

    def transform(self, X):
        if self.min_ is None:
            raise RuntimeError("MinMaxScaler is not fitted: call fit(X_train) first")
        X = self._prep(X)
        lo, hi = self.feature_range
        span = np.where(self.max_ - self.min_ > 1e-12, self.max_ - self.min_, 1.0)
        return (lo + (X - self.min_) / span * (hi - lo)).astype(X.dtype)

    def inverse_transform(self, X):
        X = self._prep(X)
        lo, hi = self.feature_range
        span = np.where(self.max_ - self.min_ > 1e-12, self.max_ - self.min_, 1.0)
        return ((X - lo) / (hi - lo) * span + self.min_).astype(X.dtype)

    def __repr__(self):
        return f"MinMaxScaler(feature_range={self.feature_range}, fitted={self.min_ is not None})"


def standardize(X_train, axis=0):
    """A :class:`Standardizer` fitted on ``X_train``: ``scaler = standardize(X_train)``,
    then ``scaler(X_train)``, ``scaler(X_test)``."""
    return Standardizer(axis=axis).fit(X_train)


def min_max(X_train, feature_range=(0.0, 1.0), axis=0):
    """A :class:`MinMaxScaler` fitted on ``X_train``: ``scaler = min_max(X_train)``,
    then ``scaler(X_train)``, ``scaler(X_test)``."""
    return MinMaxScaler(feature_range, axis=axis).fit(X_train)

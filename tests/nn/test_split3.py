"""nn.datasets.train_val_test_split: sizes, disjointness, seeds, stratification, errors."""
import numpy as np
import pytest

from nn.datasets import train_val_test_split


def test_sizes_disjoint_complete_and_seeded():
    X = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    Xtr, Xva, Xte, ytr, yva, yte = train_val_test_split(X, y, val_size=0.2, test_size=0.1, seed=3)
    assert (len(Xtr), len(Xva), len(Xte)) == (35, 10, 5)
    together = np.concatenate([ytr, yva, yte])
    np.testing.assert_array_equal(np.sort(together), y)  # disjoint and complete
    for Xp, yp in ((Xtr, ytr), (Xva, yva), (Xte, yte)):
        np.testing.assert_array_equal(Xp[:, 0], 2 * yp)  # rows stay paired with labels
    again = train_val_test_split(X, y, val_size=0.2, test_size=0.1, seed=3)
    for a, b in zip(again, (Xtr, Xva, Xte, ytr, yva, yte)):
        np.testing.assert_array_equal(a, b)
    other = train_val_test_split(X, y, val_size=0.2, test_size=0.1, seed=4)
    assert not np.array_equal(other[3], ytr)
    counts = train_val_test_split(X, y, val_size=7, test_size=3, seed=0)
    assert [len(p) for p in counts[3:]] == [40, 7, 3]


def test_stratified_parts_keep_every_class_share():
    rng = np.random.default_rng(0)
    y = rng.permutation(np.repeat([0, 1, 2], [300, 90, 30]))
    X = np.arange(len(y))[:, None]
    _, _, _, ytr, yva, yte = train_val_test_split(X, y, val_size=0.2, test_size=0.1, seed=0,
                                                  stratify=True)
    assert (len(ytr), len(yva), len(yte)) == (294, 84, 42)
    share = np.bincount(y) / len(y)
    for part in (ytr, yva, yte):
        got = np.bincount(part, minlength=3)
        assert np.all(np.abs(got - share * len(part)) <= 1), (got, share * len(part))
    assert not np.all(np.diff(yva) >= 0)  # each part is shuffled, not sorted by class


def test_errors_name_the_problem():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match="no training set"):
        train_val_test_split(X, y, val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match=r"val_size as a fraction must lie in \(0, 1\)"):
        train_val_test_split(X, y, val_size=1.5)
    with pytest.raises(ValueError, match="X has 10 samples but y has 9"):
        train_val_test_split(X, y[:9])

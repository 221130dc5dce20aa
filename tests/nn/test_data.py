"""nn.data: TensorDataset, DataLoader (batching, shuffling, seeding, fast path), random_split."""
import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


def _xy(n=10):
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int32)
    return X, y


def test_tensor_dataset_items_and_dtypes():
    X, y = _xy()
    ds = TensorDataset(X, y)
    assert len(ds) == 10
    x3, y3 = ds[3]
    assert isinstance(x3, ag.Tensor) and isinstance(y3, ag.Tensor)
    np.testing.assert_array_equal(x3.numpy(), X[3])
    assert x3.dtype == np.float32 and y3.dtype == np.int64 and int(y3.item()) == 3
    # float64 stays float64, Python lists follow ag.tensor (floats -> float32), bools stay
    ds64 = TensorDataset(X.astype(np.float64), [[0.5]] * 10, np.ones(10, bool))
    assert [a.dtype for a in ds64.arrays] == [np.float64, np.float32, np.bool_]
    assert [t.dtype for t in TensorDataset(ag.tensor(X), ag.tensor(y)).tensors] == [np.float32, np.int64]


def test_tensor_dataset_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same number of samples"):
        TensorDataset(np.zeros((4, 2)), np.zeros(5))
    with pytest.raises(ValueError):
        TensorDataset()


def test_loader_batches_cover_every_sample_once():
    X, y = _xy(10)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    xb, yb = batches[0]
    assert xb.shape == (4, 3) and xb.dtype == np.float32 and yb.dtype == np.int64
    assert not xb.requires_grad
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), np.arange(10))
    dl = DataLoader(TensorDataset(X, y), batch_size=4, drop_last=True)
    assert len(dl) == 2 and [len(b[1]) for b in dl] == [4, 4]


def test_shuffle_reshuffles_each_epoch_and_seed_reproduces():
    X, y = _xy(50)
    a = DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True, seed=7)
    b = DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True, seed=7)
    ea1, ea2 = [next(iter(a))[1].numpy() for _ in range(2)]
    eb1, eb2 = [next(iter(b))[1].numpy() for _ in range(2)]
    assert sorted(ea1) == list(range(50))
    assert not np.array_equal(ea1, ea2)  # a new order every epoch
    np.testing.assert_array_equal(ea1, eb1)  # same seed, same sequence of epochs
    np.testing.assert_array_equal(ea2, eb2)
    c = DataLoader(TensorDataset(X, y), batch_size=50, shuffle=True, seed=8)
    assert not np.array_equal(next(iter(c))[1].numpy(), ea1)


def test_seed_none_uses_the_library_generator_not_numpy_global():
    X, y = _xy(30)
    loader = DataLoader(TensorDataset(X, y), batch_size=30, shuffle=True)
    state = np.random.get_state()[1].copy()
    ag.manual_seed(3)
    first = next(iter(loader))[1].numpy()
    ag.manual_seed(3)
    again = next(iter(loader))[1].numpy()
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global numpy untouched
    assert loader.generator is None  # PyTorch: the generator given, None for the default


def test_fast_path_indexes_arrays_without_per_sample_getitem(monkeypatch):
    X, y = _xy(20)
    ds = TensorDataset(X, y)

    def boom(self, i):
        raise AssertionError("per-sample __getitem__ used")

    monkeypatch.setattr(TensorDataset, "__getitem__", boom)
    batches = list(DataLoader(ds, batch_size=8, shuffle=True, seed=0))
    assert sum(len(b[0]) for b in batches) == 20
    # a Subset of a TensorDataset takes the fast path too
    sub = Subset(ds, [5, 6, 7])
    (xb, yb), = list(DataLoader(sub, batch_size=3))
    np.testing.assert_array_equal(yb.numpy(), [5, 6, 7])


def test_generic_dataset_is_collated():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float32), i

    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    xb, yb = batches[1]
    np.testing.assert_array_equal(xb.numpy(), [[2, 4], [3, 9]])
    assert yb.dtype == np.int64
    (single,) = default_collate([1.0, 2.0])
    assert single.shape == (2,)


def test_loader_validates_arguments():
    ds = TensorDataset(*_xy())
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(ds, batch_size=bad)
    with pytest.raises(TypeError, match="seed"):
        DataLoader(ds, seed="x")
    assert "batch_size=1" in repr(DataLoader(ds))


def test_random_split_counts_fractions_and_disjointness():
    ds = TensorDataset(*_xy(10))
    a, b = random_split(ds, [7, 3], seed=0)
    assert (len(a), len(b)) == (7, 3)
    assert sorted(np.concatenate([a.indices, b.indices])) == list(range(10))
    c, d = random_split(ds, [0.75, 0.25], seed=0)
    assert len(c) + len(d) == 10 and len(c) == 8
    np.testing.assert_array_equal(random_split(ds, [7, 3], seed=0)[0].indices, a.indices)
    with pytest.raises(ValueError, match="summing"):
        random_split(ds, [5, 4])
    x, y = a[0]
    assert int(y.item()) == int(a.indices[0])

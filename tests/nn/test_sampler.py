"""nn.data samplers: PyTorch's RandomSampler semantics, and the notes' with-replacement SGD."""
import math

import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader, RandomSampler, SequentialSampler, TensorDataset
from tests.helpers import requires_torch, torch


def _ds(n=10):
    return TensorDataset(np.arange(n, dtype=np.float32).reshape(n, 1), np.arange(n))


def test_without_replacement_is_a_fresh_permutation_every_epoch():
    s = RandomSampler(_ds(50), generator=0)
    a, b = list(s), list(s)
    assert sorted(a) == sorted(b) == list(range(50)) and a != b
    assert all(isinstance(i, int) for i in a) and len(s) == 50


def test_seeded_generators_are_reproducible_and_the_default_follows_manual_seed():
    assert list(RandomSampler(_ds(), generator=3)) == list(RandomSampler(_ds(), generator=3))
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    assert list(RandomSampler(_ds(), True, generator=g1)) == list(RandomSampler(_ds(), True, generator=g2))
    ag.manual_seed(11)
    a = list(RandomSampler(_ds(), replacement=True))
    ag.manual_seed(11)
    assert list(RandomSampler(_ds(), replacement=True)) == a


def test_with_replacement_is_the_notes_iid_draw():
    """N i.i.d. uniform draws: a sample is missed with probability (1 - 1/N)^N ~ 1/e."""
    n = 2000
    idx = np.array(list(RandomSampler(_ds(n), replacement=True, generator=0)))
    assert len(idx) == n and idx.min() >= 0 and idx.max() < n
    missed = 1 - len(np.unique(idx)) / n
    assert abs(missed - (1 - 1 / n) ** n) < 0.03 and abs(missed - math.exp(-1)) < 0.03
    # uniform: 200,000 draws over 10 bins, each ~20,000 +- 141
    many = RandomSampler(_ds(10), replacement=True, num_samples=200_000, generator=1).indices()
    counts = np.bincount(many, minlength=10)
    assert np.all(np.abs(counts - 20_000) < 5 * math.sqrt(20_000 * 0.9))


def test_num_samples_without_replacement_concatenates_permutations():
    s = RandomSampler(_ds(4), num_samples=10, generator=0)
    idx = list(s)
    assert len(idx) == len(s) == 10
    assert sorted(idx[:4]) == sorted(idx[4:8]) == [0, 1, 2, 3]
    assert len(set(idx[8:])) == 2
    assert len(RandomSampler(_ds(4), num_samples=3)) == 3


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(_ds(), replacement=1)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="num_samples should be a positive integer"):
            RandomSampler(_ds(), num_samples=bad)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(_ds(0))
    with pytest.raises(TypeError, match="generator must be"):
        RandomSampler(_ds(), generator="seed")


def test_sequential_sampler():
    assert list(SequentialSampler(_ds(5))) == [0, 1, 2, 3, 4] and len(SequentialSampler(_ds(5))) == 5


def test_dataloader_with_a_with_replacement_sampler():
    ds = _ds(10)
    loader = DataLoader(ds, batch_size=4, sampler=RandomSampler(ds, replacement=True, num_samples=30,
                                                                  generator=0))
    batches = list(loader)
    assert len(loader) == len(batches) == 8 and [len(b[1]) for b in batches] == [4] * 7 + [2]
    seen = np.concatenate([yb.numpy() for _, yb in batches])
    assert len(seen) == 30 and seen.min() >= 0 and seen.max() < 10
    for xb, yb in batches:  # the fields stay aligned whatever the order
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())
    # repeats: 30 draws from 10 must repeat something
    assert len(np.unique(seen)) < len(seen)
    assert len(DataLoader(ds, batch_size=4, drop_last=True, sampler=loader.sampler)) == 7
    assert "sampler=RandomSampler" in repr(loader)


def test_shuffle_is_the_without_replacement_sampler_with_the_same_draws():
    ds = _ds(20)
    old = np.random.default_rng(7).permutation(20)  # what shuffle=True, seed=7 always drew
    (_, yb), = list(DataLoader(ds, batch_size=20, shuffle=True, seed=7))
    np.testing.assert_array_equal(yb.numpy(), old)
    assert isinstance(DataLoader(ds, shuffle=True).sampler, RandomSampler)
    assert isinstance(DataLoader(ds).sampler, SequentialSampler)


def test_any_iterable_with_a_length_is_a_sampler_and_generic_datasets_work():
    class Squares:
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return (np.float32(i), i * i)

    batches = list(DataLoader(Squares(), batch_size=2, sampler=[5, 0, 5]))
    assert [b[1].numpy().tolist() for b in batches] == [[25, 0], [25]]


def test_sampler_is_exclusive_with_shuffle_and_seed():
    ds = _ds()
    for kw in (dict(shuffle=True), dict(seed=0)):
        with pytest.raises(ValueError, match="mutually exclusive"):
            DataLoader(ds, sampler=RandomSampler(ds), **kw)
    with pytest.raises(TypeError, match="iterable of indices with a length"):
        DataLoader(ds, sampler=5)


@requires_torch
@pytest.mark.parametrize("replacement, num_samples", [(False, None), (True, None), (False, 23), (True, 7)])
def test_lengths_and_index_sets_match_torch(replacement, num_samples):
    data = list(range(10))
    theirs = torch.utils.data.RandomSampler(data, replacement=replacement, num_samples=num_samples,
                                            generator=torch.Generator().manual_seed(0))
    ours = RandomSampler(data, replacement=replacement, num_samples=num_samples, generator=0)
    t, o = list(theirs), list(ours)
    assert len(theirs) == len(ours) == len(t) == len(o)
    if not replacement:  # the same multiset of indices (whole permutations, then a partial one)
        assert np.array_equal(np.bincount(t, minlength=10) >= len(t) // 10,
                              np.bincount(o, minlength=10) >= len(o) // 10)
        assert sorted(t[:10]) == sorted(o[:10]) == data
    tl = torch.utils.data.DataLoader(data, batch_size=4, sampler=theirs)
    assert len(tl) == len(DataLoader(_ds(10), batch_size=4, sampler=ours))


@requires_torch
def test_errors_are_torchs():
    for kw, exc in [(dict(replacement=1), TypeError), (dict(num_samples=0), ValueError)]:
        with pytest.raises(exc):
            torch.utils.data.RandomSampler(list(range(5)), **kw)
        with pytest.raises(exc):
            RandomSampler(list(range(5)), **kw)
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(list(range(5)), shuffle=True,
                                    sampler=torch.utils.data.RandomSampler(list(range(5))))

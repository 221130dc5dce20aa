"""PyTorch's escape hatches (issue 9, item 8): ag.Generator and generator=, size=,
ag.is_tensor, ag.meshgrid, DataLoader's worker arguments."""
import numpy as np
import pytest

import autograd as ag
import nn
from nn.data import DataLoader, TensorDataset, random_split
from tests.helpers import requires_torch, torch


# ------------------------------------------------------------------ ag.Generator
def test_generator_streams_are_reproducible_and_independent():
    g = ag.Generator().manual_seed(7)
    a = ag.randn(4, generator=g).numpy().copy()
    ag.randn(100)  # the default generator draws in between: g does not notice
    b = ag.rand(3, generator=g).numpy().copy()
    g.manual_seed(7)
    np.testing.assert_array_equal(ag.randn(4, generator=g).numpy(), a)
    np.testing.assert_array_equal(ag.rand(3, generator=g).numpy(), b)
    assert g.initial_seed() == 7 and g.device == "cpu"


def test_generator_state_round_trip_and_save(tmp_path):
    g = ag.Generator().manual_seed(1)
    ag.randn(3, generator=g)
    state = g.get_state()
    assert ag.is_tensor(state) and state.dtype == np.uint8 and state.ndim == 1
    first = ag.randint(0, 1000, (5,), generator=g).numpy().copy()
    g.set_state(state)
    np.testing.assert_array_equal(ag.randint(0, 1000, (5,), generator=g).numpy(), first)
    ag.save({"rng": state}, tmp_path / "rng.npz")
    h = ag.Generator().set_state(ag.load(tmp_path / "rng.npz")["rng"])
    np.testing.assert_array_equal(ag.randint(0, 1000, (5,), generator=h).numpy(), first)
    with pytest.raises(ValueError, match="set_state"):
        h.set_state(ag.tensor([1, 2, 3]))


def test_seed_is_fresh_and_manual_seed_returns_the_default_generator():
    g = ag.Generator()
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s and 0 <= s < 2 ** 64
    assert ag.manual_seed(5) is ag.default_generator and ag.initial_seed() == 5
    a = ag.randn(3).numpy().copy()
    ag.manual_seed(5)
    np.testing.assert_array_equal(ag.randn(3).numpy(), a)
    state = ag.get_rng_state()
    x = ag.rand(2).numpy().copy()
    ag.set_rng_state(state)
    np.testing.assert_array_equal(ag.rand(2).numpy(), x)
    with pytest.raises(TypeError, match="manual_seed"):
        g.manual_seed(1.5)
    with pytest.raises(TypeError, match="generator must be an ag.Generator"):
        ag.randn(2, generator=3)
    with pytest.raises(ValueError, match="cpu"):
        ag.Generator(device="cuda")


@pytest.mark.parametrize("make", [
    lambda g: ag.randn(2, 3, generator=g), lambda g: ag.rand(2, 3, generator=g),
    lambda g: ag.randint(0, 9, (2, 3), generator=g), lambda g: ag.randint(9, (2, 3), generator=g),
    lambda g: ag.randperm(6, generator=g), lambda g: ag.normal(0.0, 2.0, (2, 3), generator=g),
    lambda g: ag.uniform(-1.0, 1.0, (2, 3), generator=g), lambda g: ag.bernoulli(0.3, (2, 3), generator=g),
])
def test_every_random_creation_function_takes_a_generator(make):
    a = make(ag.Generator().manual_seed(3)).numpy()
    ag.randn(10)
    b = make(ag.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(a, b)


def test_size_keyword_like_torch():
    assert ag.rand(size=(2, 3)).shape == (2, 3) and ag.randn(size=(4,)).shape == (4,)
    assert ag.randn(size=5).shape == (5,) and ag.randn((2, 2)).shape == (2, 2)
    assert ag.randint(10, (3,)).shape == (3,)
    with pytest.raises(TypeError, match="not both"):
        ag.randn(2, size=(2,))


@pytest.mark.parametrize("name,kw", [("normal_", {}), ("uniform_", {}), ("trunc_normal_", {}),
                                     ("xavier_uniform_", {}), ("xavier_normal_", {}), ("kaiming_uniform_", {}),
                                     ("kaiming_normal_", {}), ("orthogonal_", {}), ("lecun_normal_", {}),
                                     ("small_random_", {})])
def test_nn_init_fills_take_a_generator(name, kw):
    fill = getattr(nn.init, name)
    a, b = ag.empty(4, 5), ag.empty(4, 5)
    fill(a, generator=ag.Generator().manual_seed(11), **kw)
    ag.randn(7)
    fill(b, generator=ag.Generator().manual_seed(11), **kw)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


# ------------------------------------------------------------------ is_tensor, meshgrid
def test_is_tensor():
    assert ag.is_tensor(ag.zeros(2)) and ag.is_tensor(nn.Parameter(ag.zeros(2)))
    assert not ag.is_tensor(np.zeros(2)) and not ag.is_tensor(3.0) and not ag.is_tensor([1.0])


@requires_torch
@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3, 2), (2, 3, 4), (5,), (1, 3)])
def test_meshgrid_values_and_gradients_match_torch(indexing, sizes):
    rng = np.random.default_rng(0)
    vals = [rng.standard_normal(n) for n in sizes]
    xs = [ag.tensor(v, requires_grad=True) for v in vals]
    txs = [torch.tensor(v, requires_grad=True) for v in vals]
    grids = ag.meshgrid(*xs, indexing=indexing)
    tgrids = torch.meshgrid(*txs, indexing=indexing)
    ws = [rng.standard_normal(tuple(t.shape)) for t in tgrids]
    sum((g * w).sum() for g, w in zip(grids, ws)).backward()
    sum((g * torch.tensor(w)).sum() for g, w in zip(tgrids, ws)).backward()
    for g, tg in zip(grids, tgrids):
        assert g.shape == tuple(tg.shape)
        np.testing.assert_array_equal(g.numpy(), tg.detach().numpy())
    for x, tx in zip(xs, txs):
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert ag.gradcheck(lambda *a: sum((g * g).sum() for g in ag.meshgrid(*a, indexing=indexing)),
                        [ag.tensor(v, requires_grad=True) for v in vals])


def test_meshgrid_list_form_and_errors():
    a, b = ag.meshgrid([ag.arange(3), ag.arange(2)])
    assert a.shape == b.shape == (3, 2)
    with pytest.raises(ValueError, match="indexing"):
        ag.meshgrid(ag.arange(2), indexing="ji")
    with pytest.raises(ValueError, match="1-d"):
        ag.meshgrid(ag.zeros((2, 2)))


# ------------------------------------------------------------------ DataLoader arguments
def _ds(n=10):
    return TensorDataset(np.arange(n, dtype=np.float32).reshape(n, 1), np.arange(n))


def test_dataloader_generator_shuffles_reproducibly():
    runs = []
    for _ in range(2):
        loader = DataLoader(_ds(), batch_size=10, shuffle=True, generator=ag.Generator().manual_seed(4))
        ag.randn(5)
        runs.append(next(iter(loader))[1].numpy())
    np.testing.assert_array_equal(*runs)
    assert sorted(runs[0].tolist()) == list(range(10)) and runs[0].tolist() != list(range(10))
    with pytest.raises(TypeError, match="not both"):
        DataLoader(_ds(), seed=1, generator=ag.Generator())
    with pytest.raises(TypeError, match="generator"):
        DataLoader(_ds(), generator=np.float64(3))
    parts = [random_split(_ds(), [6, 4], generator=ag.Generator().manual_seed(2)) for _ in range(2)]
    assert list(parts[0][0].indices) == list(parts[1][0].indices)


def test_dataloader_accepts_worker_arguments():
    calls = []
    loader = DataLoader(_ds(), batch_size=4, num_workers=2, pin_memory=True, persistent_workers=False,
                        worker_init_fn=calls.append, prefetch_factor=2, timeout=5)
    assert [xb.shape for xb, _ in loader] == [(4, 1), (4, 1), (2, 1)] and calls == [0]
    assert loader.num_workers == 2 and loader.pin_memory
    for bad, match in (({"num_workers": -1}, "non-negative"), ({"persistent_workers": True}, "num_workers > 0"),
                       ({"prefetch_factor": 2}, "prefetch_factor"), ({"timeout": -1}, "timeout")):
        with pytest.raises(ValueError, match=match):
            DataLoader(_ds(), **bad)


def test_random_sampler_takes_an_ag_generator():
    from nn.sampler import RandomSampler

    runs = [list(RandomSampler(_ds(), replacement=True, generator=ag.Generator().manual_seed(3)))
            for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) == 10
    g = ag.Generator().manual_seed(3)
    loader = DataLoader(_ds(), batch_size=10, shuffle=True, generator=g)
    first = next(iter(loader))[1].numpy()
    g.manual_seed(3)  # the loader draws from g itself, so reseeding g replays the epoch
    np.testing.assert_array_equal(next(iter(loader))[1].numpy(), first)

"""RNN, LSTM, GRU and their cells against PyTorch with copied weights: outputs, final
states, and the gradients of the input, the initial states and every parameter, in
float32 and float64, over layers, directions, batch_first, bias, projections and
unbatched inputs; finite differences in float64; PyTorch's names, init and errors."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch
from tests.nn.parity import compare

T, N, I, H = 5, 3, 4, 6

CONFIGS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
    ("RNN", {"bidirectional": True, "batch_first": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bias": False}),
    ("LSTM", {"proj_size": 3, "num_layers": 2}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"bias": False}),
]


def _inputs(name, kw, rng, with_state, batched=True):
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    shape = ((N, T, I) if kw.get("batch_first") else (T, N, I)) if batched else (T, I)
    x = rng.standard_normal(shape)
    if not with_state:
        return [x]
    lead = (D * L, N) if batched else (D * L,)
    h0 = rng.standard_normal(lead + (kw.get("proj_size") or H,))
    if name == "LSTM":
        return [x, h0, rng.standard_normal(lead + (H,))]
    return [x, h0]


def _call(name):
    if name == "LSTM":
        return lambda m, x, h0=None, c0=None: m(x, None if h0 is None else (h0, c0))
    return lambda m, x, h0=None: m(x, h0)


@requires_torch
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("name, kw", CONFIGS)
def test_layers_match_torch(name, kw, with_state, dtype):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(I, H, **kw)
    xs = _inputs(name, kw, np.random.default_rng(1), with_state)
    compare(getattr(nn, name)(I, H, **kw), tm, xs, dtype, call=_call(name))


@requires_torch
@pytest.mark.parametrize("name, kw", [CONFIGS[2], CONFIGS[4], CONFIGS[7]])
def test_unbatched_input_matches_torch(name, kw):
    torch.manual_seed(0)
    kw = {k: v for k, v in kw.items() if k != "batch_first"}
    for with_state in (False, True):
        xs = _inputs(name, kw, np.random.default_rng(2), with_state, batched=False)
        compare(getattr(nn, name)(I, H, **kw), getattr(torch.nn, name)(I, H, **kw), xs,
                np.float64, call=_call(name))


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False})]


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kw", CELLS)
def test_cells_match_torch(name, kw, dtype):
    torch.manual_seed(0)
    rng = np.random.default_rng(3)
    x, h, c = rng.standard_normal((N, I)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    lstm = name == "LSTMCell"
    with_state = (lambda m, x, h, c: m(x, (h, c))) if lstm else (lambda m, x, h: m(x, h))
    compare(getattr(nn, name)(I, H, **kw), getattr(torch.nn, name)(I, H, **kw),
            [x, h, c] if lstm else [x, h], dtype, call=with_state)
    compare(getattr(nn, name)(I, H, **kw), getattr(torch.nn, name)(I, H, **kw), [x], dtype)
    compare(getattr(nn, name)(I, H, **kw), getattr(torch.nn, name)(I, H, **kw), [x[0]], dtype)


@requires_torch
@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_pytorch_state_dict_loads_and_trains_the_same(name):
    """A state dict saved by PyTorch (tensors) loads by name; three SGD steps on a loss
    through the whole sequence stay equal."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(I, H, num_layers=2, bidirectional=True, batch_first=True).double()
    gm = getattr(nn, name)(I, H, num_layers=2, bidirectional=True, batch_first=True).double()
    assert list(gm.state_dict()) == list(tm.state_dict())
    keys = gm.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    assert keys == ([], [])
    x = np.random.default_rng(4).standard_normal((N, T, I))
    for _ in range(3):
        tm.zero_grad()
        gm.zero_grad()
        (tm(torch.from_numpy(x))[0] ** 2).mean().backward()
        (gm(ag.tensor(x))[0] ** 2).mean().backward()
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.1 * p.grad
        with ag.no_grad():
            for p in gm.parameters():
                p.array -= 0.1 * p.grad.array
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(gm.state_dict()[k].numpy(), v.numpy(), rtol=1e-10, atol=1e-12)


def test_gradcheck_lstm_gru_rnn(rng):
    for name, kw in (("LSTM", {"bidirectional": True}), ("GRU", {"num_layers": 2}),
                     ("RNN", {"nonlinearity": "relu"})):
        m = getattr(nn, name)(2, 3, **kw).double()
        x = ag.tensor(rng.standard_normal((3, 1, 2)), requires_grad=True)
        params = [m.weight_hh_l0, getattr(m, "bias_ih_l0"), list(m.parameters())[-2]]

        def f(x, *ps, m=m):
            return m(x)[0]

        assert ag.gradcheck(f, (x, *params)), name


def test_gradcheck_cells(rng):
    x = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    h = ag.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    c = ag.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    lstm, gru = nn.LSTMCell(3, 4).double(), nn.GRUCell(3, 4).double()
    assert ag.gradcheck(lambda x, h, c, w: lstm(x, (h, c)), (x, h, c, lstm.weight_hh))
    assert ag.gradcheck(lambda x, h, w, b: gru(x, h), (x, h, gru.weight_ih, gru.bias_hh))


@requires_torch
@pytest.mark.parametrize("name, kw", [("RNN", {"nonlinearity": "relu", "num_layers": 2}),
                                      ("LSTM", {"proj_size": 2, "dropout": 0.5, "num_layers": 2}),
                                      ("GRU", {"bias": False, "batch_first": True})]
                         + [(c, kw) for c, kw in CELLS[1::2]])
def test_names_shapes_init_and_repr_match_torch(name, kw):
    torch.manual_seed(0)
    tm, gm = getattr(torch.nn, name)(I, H, **kw), getattr(nn, name)(I, H, **kw)
    assert repr(gm) == repr(tm)
    tsd, gsd = tm.state_dict(), gm.state_dict()
    assert list(gsd) == list(tsd)
    bound = 1 / np.sqrt(H)
    for k, v in tsd.items():
        assert gsd[k].shape == tuple(v.shape) and gsd[k].dtype == np.float32
        assert np.abs(gsd[k].numpy()).max() <= bound and np.abs(gsd[k].numpy()).max() > bound / 2


def test_dropout_between_layers_only_in_training():
    ag.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = ag.randn(6, 2, 3)
    m.eval()
    a, b = m(x)[0].numpy(), m(x)[0].numpy()
    np.testing.assert_array_equal(a, b)
    m.train()
    assert not np.allclose(m(x)[0].numpy(), a)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


def test_errors_name_the_shapes():
    m = nn.LSTM(4, 6, num_layers=2)
    with pytest.raises(RuntimeError, match="input_size. Expected 4, got 5"):
        m(ag.randn(3, 2, 5))
    with pytest.raises(RuntimeError, match=r"h_0 of shape \(2, 2, 6\), got \(1, 2, 6\)"):
        m(ag.randn(3, 2, 4), (ag.zeros(1, 2, 6), ag.zeros(2, 2, 6)))
    with pytest.raises(ValueError, match="expected input to be 2D"):
        m(ag.randn(4))
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\)"):
        F.gru_cell(ag.randn(2, 5), None, *[p for p in nn.GRUCell(3, 4).parameters()])


def test_second_derivatives_through_cells_and_layers(rng):
    """The layers are built from recorded ops, so create_graph gives exact second
    derivatives (gradient penalties, Hessian-vector products through time)."""
    x = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    h = ag.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    c = ag.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    cell = nn.LSTMCell(3, 2).double()
    assert ag.gradgradcheck(lambda x, h, c: cell(x, (h, c)), (x, h, c))
    gru = nn.GRU(2, 2).double()
    xs = ag.tensor(rng.standard_normal((2, 1, 2)), requires_grad=True)
    assert ag.gradgradcheck(lambda x: gru(x)[0], (xs,))


@requires_torch
@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_saturated_gates_match_torch_without_warnings(name):
    """Pre-activations of +-1000 saturate every gate: exact 0/1 values, no overflow
    warning, and the same (zero) gradients as PyTorch."""
    import warnings

    torch.manual_seed(0)
    x = np.random.default_rng(5).standard_normal((T, N, I)) * 1000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare(getattr(nn, name)(I, H), getattr(torch.nn, name)(I, H), [x], np.float64)


def test_layer_path_equals_step_by_step_cells(rng):
    """The fused time loop (rnn_scan) and the cells stepped by hand agree, gradients
    included (two routes through the same math)."""
    lstm = nn.LSTM(I, H).double()
    cell = nn.LSTMCell(I, H).double()
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = rng.standard_normal((T, N, I))
    xa, xb = ag.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    out, _ = lstm(xa)
    state, hs = None, []
    for t in range(T):
        state = cell(xb[t], state)
        hs.append(state[0])
    np.testing.assert_allclose(out.numpy(), ag.stack(hs).numpy(), rtol=1e-12, atol=1e-14)
    (out ** 2).sum().backward()
    (ag.stack(hs) ** 2).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lstm.weight_hh_l0.grad.numpy(), cell.weight_hh.grad.numpy(), rtol=1e-10)

"""Attention: F.scaled_dot_product_attention, nn.MultiheadAttention,
nn.TransformerEncoderLayer / TransformerEncoder. Finite differences in float64, and
PyTorch parity (values and gradients, float32 and float64) with PyTorch's own state
dicts loaded into the gradtable modules."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-9, atol=1e-10)}


def _tdt(dt):
    return torch.float32 if dt == np.float32 else torch.float64


def _close(a, b, dt):
    a = a.numpy() if isinstance(a, ag.Tensor) else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, **TOL[dt])


def _leaves(arrays, dt):
    return [ag.tensor(a.astype(dt), requires_grad=True) for a in arrays], \
        [torch.tensor(a.astype(dt), requires_grad=True) for a in arrays]


# --------------------------------------------------------------------------- SDPA
def _mask_cases(rng):
    keep = rng.random((5, 6)) > 0.3
    keep[:, 0] = True
    return {
        "none": {},
        "causal": {"is_causal": True},
        "bool": {"attn_mask": keep},
        "bool-bcast": {"attn_mask": keep[None, None]},
        "float": {"attn_mask": rng.standard_normal((2, 1, 5, 6))},
        "scale": {"scale": 0.3},
    }


@requires_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("case", ["none", "causal", "bool", "bool-bcast", "float", "scale"])
def test_sdpa_matches_torch(rng, dt, case):
    kw = _mask_cases(rng)[case]
    arrays = [rng.standard_normal(s) for s in ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7))]
    (q, k, v), (tq, tk, tv) = _leaves(arrays, dt)
    akw = {n: (a.astype(dt) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a) for n, a in kw.items()}
    tkw = {n: (torch.tensor(a) if isinstance(a, np.ndarray) else a) for n, a in akw.items()}
    out = F.scaled_dot_product_attention(q, k, v, **akw)
    ref = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, **tkw)
    assert out.dtype == dt
    _close(out, ref, dt)
    g = rng.standard_normal(out.shape)
    (out * ag.tensor(g.astype(dt))).sum().backward()
    (ref * torch.tensor(g.astype(dt))).sum().backward()
    for a, b in zip((q, k, v), (tq, tk, tv)):
        _close(a.grad, b.grad, dt)


def test_sdpa_gradcheck_with_a_learned_float_mask(rng):
    q, k, v = (ag.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    m = ag.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    assert ag.gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), (q, k, v, m))
    assert ag.gradgradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                            (q, k, v, m))


def test_sdpa_gradcheck_with_dropout_and_causal_mask(rng):
    q, k, v = (ag.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 4, 3), (2, 4, 3), (2, 4, 2)))

    def f(q, k, v):
        ag.manual_seed(3)  # the same dropout mask on every call
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4, is_causal=True)

    assert ag.gradcheck(f, (q, k, v))
    assert ag.gradgradcheck(f, (q, k, v))
    ag.manual_seed(3)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    np.testing.assert_array_equal(out.numpy(), 0.0)


def test_sdpa_causal_row_sees_only_the_past(rng):
    q, k, v = (ag.tensor(rng.standard_normal((4, 3))) for _ in range(3))
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(out.numpy()[0], v.numpy()[0], rtol=1e-6)  # query 0 sees key 0 only


def test_sdpa_errors(rng):
    q = ag.tensor(rng.standard_normal((2, 3, 4)))
    with pytest.raises(ValueError, match="either attn_mask or is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool), is_causal=True)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((4, 4), bool))
    with pytest.raises(ValueError, match="must agree in E and S"):
        F.scaled_dot_product_attention(q, ag.tensor(rng.standard_normal((2, 3, 5))), q)
    with pytest.raises(ValueError, match="dropout probability"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)


# --------------------------------------------------------------------------- MHA
def _load(module, tmodule, dt):
    module.load_state_dict({n: t.detach().numpy().astype(dt) for n, t in tmodule.state_dict().items()})


def _tmodule(cls, dt, *args, **kwargs):
    torch.manual_seed(0)
    return cls(*args, **kwargs).to(_tdt(dt))


def _check_param_grads(module, tmodule, dt):
    tgrads = dict(tmodule.named_parameters())
    names = [n for n, _ in module.named_parameters()]
    assert names == list(tgrads), (names, list(tgrads))
    for n, p in module.named_parameters():
        _close(p.grad, tgrads[n].grad, dt)


MHA_CASES = {
    "self": dict(),
    "self-batch-first": dict(batch_first=True),
    "cross": dict(cross=True),
    "kpm": dict(kpm=True, batch_first=True),
    "bool-mask": dict(mask="bool"),
    "float-mask-3d": dict(mask="float3d", batch_first=True),
    "per-head-weights": dict(average=False),
    "no-weights": dict(need_weights=False, mask="bool", kpm=True),
    "kdim-vdim": dict(kdim=3, vdim=5, cross=True, batch_first=True),
    "no-bias": dict(bias=False),
    "unbatched": dict(unbatched=True, kpm=True),
}


def _mha_inputs(rng, c, N, L, S, E, H):
    bf, unb = c.get("batch_first", False), c.get("unbatched", False)

    def shape(T, D):
        return (T, D) if unb else ((N, T, D) if bf else (T, N, D))

    q = rng.standard_normal(shape(L, E))
    if not c.get("cross"):
        return [q], S == L
    return [q, rng.standard_normal(shape(S, c.get("kdim", E))), rng.standard_normal(shape(S, c.get("vdim", E)))], False


def _mha_masks(rng, c, N, L, S, H):
    kw = {}
    if c.get("kpm"):
        pad = np.zeros((N, S), bool)
        pad[0, -2:] = True
        kw["key_padding_mask"] = pad[0] if c.get("unbatched") else pad
    if c.get("mask") == "bool":
        m = rng.random((L, S)) < 0.3
        m[:, 0] = False
        kw["attn_mask"] = m
    elif c.get("mask") == "float3d":
        kw["attn_mask"] = rng.standard_normal((N * H, L, S))
    return kw


@requires_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("case", list(MHA_CASES))
def test_mha_with_a_torch_state_dict(rng, dt, case):
    c = MHA_CASES[case]
    N, L, E, H = 3, 4, 8, 2
    S = 5 if c.get("cross") else L
    ctor = dict(bias=c.get("bias", True), batch_first=c.get("batch_first", False),
                kdim=c.get("kdim"), vdim=c.get("vdim"))
    tm = _tmodule(torch.nn.MultiheadAttention, dt, E, H, **ctor)
    m = nn.MultiheadAttention(E, H, **ctor, dtype=dt)
    assert list(m.state_dict()) == list(tm.state_dict())
    _load(m, tm, dt)
    arrays, _ = _mha_inputs(rng, c, N, L, S, E, H)
    xs, txs = _leaves(arrays, dt)
    if len(xs) == 1:
        xs, txs = xs * 3, txs * 3
    kw = _mha_masks(rng, c, N, L, S, H)
    kw = {n: (a.astype(dt) if a.dtype.kind == "f" else a) for n, a in kw.items()}
    tkw = {n: torch.tensor(a) for n, a in kw.items()}
    flags = dict(need_weights=c.get("need_weights", True), average_attn_weights=c.get("average", True))
    out, w = m(*xs, **kw, **flags)
    tout, tw = tm(*txs, **tkw, **flags)
    _close(out, tout, dt)
    loss, tloss = (out * out).sum(), (tout * tout).sum()
    if flags["need_weights"]:
        _close(w, tw, dt)
        loss, tloss = loss + (w * w).sum(), tloss + (tw * tw).sum()
    else:
        assert w is None and tw is None
    loss.backward()
    tloss.backward()
    _check_param_grads(m, tm, dt)
    for x, tx in zip(xs[:len(arrays)], txs[:len(arrays)]):
        _close(x.grad, tx.grad, dt)


def test_mha_gradcheck_float64(rng):
    m = nn.MultiheadAttention(4, 2, dtype=np.float64)
    x = ag.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    pad = np.array([[False, False, True], [False, False, False]])
    assert ag.gradcheck(lambda x: m(x, x, x, key_padding_mask=pad)[0], (x,))


def test_mha_default_initialisation_and_errors():
    m = nn.MultiheadAttention(16, 4)
    np.testing.assert_array_equal(m.in_proj_bias.numpy(), 0)
    np.testing.assert_array_equal(m.out_proj.bias.numpy(), 0)
    bound = np.sqrt(6.0 / (16 + 48))
    assert np.abs(m.in_proj_weight.numpy()).max() <= bound and m.in_proj_weight.shape == (48, 16)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(10, 4)
    with pytest.raises(NotImplementedError, match="add_bias_kv"):
        nn.MultiheadAttention(8, 2, add_bias_kv=True)
    x = ag.tensor(np.zeros((3, 2, 16), np.float32))
    with pytest.raises(ValueError, match="key_padding_mask must be"):
        m(x, x, x, key_padding_mask=np.zeros((3, 2), bool))
    with pytest.raises(ValueError, match="expecting embedding dimension of 16"):
        y = ag.tensor(np.zeros((3, 2, 8), np.float32))
        m(y, y, y)
    with pytest.raises(RuntimeError, match="is_causal"):
        m(x, x, x, is_causal=True)


# --------------------------------------------------------------------------- transformer
@requires_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_with_a_torch_state_dict(rng, dt, norm_first, activation):
    N, S, E, H = 2, 5, 8, 2
    kw = dict(dim_feedforward=16, dropout=0.0, activation=activation, batch_first=True,
              norm_first=norm_first, layer_norm_eps=1e-6)
    tl = _tmodule(torch.nn.TransformerEncoderLayer, dt, E, H, **kw)
    layer = nn.TransformerEncoderLayer(E, H, **kw, dtype=dt)
    assert list(layer.state_dict()) == list(tl.state_dict())
    _load(layer, tl, dt)
    (x,), (tx,) = _leaves([rng.standard_normal((N, S, E))], dt)
    causal = np.isinf(nn.transformer.generate_square_subsequent_mask(S))  # True = blocked
    pad = np.zeros((N, S), bool)
    pad[1, -1] = True
    out = layer(x, src_mask=causal, src_key_padding_mask=pad, is_causal=True)
    tout = tl(tx, src_mask=torch.tensor(causal), src_key_padding_mask=torch.tensor(pad), is_causal=True)
    _close(out, tout, dt)
    g = rng.standard_normal(out.shape).astype(dt)
    (out * ag.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    _check_param_grads(layer, tl, dt)
    _close(x.grad, tx.grad, dt)


@requires_torch
@pytest.mark.parametrize("dt", DTYPES)
def test_encoder_stack_with_final_norm(rng, dt):
    S, N, E, H = 4, 2, 8, 4
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(E, H, dim_feedforward=12, dropout=0.0)
    tenc = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(E), enable_nested_tensor=False).to(_tdt(dt))
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, dim_feedforward=12, dropout=0.0, dtype=dt), 2,
                                norm=nn.LayerNorm(E, dtype=dt))
    assert list(enc.state_dict()) == list(tenc.state_dict())
    _load(enc, tenc, dt)
    (x,), (tx,) = _leaves([rng.standard_normal((S, N, E))], dt)
    mask = nn.transformer.generate_square_subsequent_mask(S, dt)
    out, tout = enc(x, mask=mask), tenc(tx, mask=torch.tensor(mask))
    _close(out, tout, dt)
    out.sum().backward()
    tout.sum().backward()
    _check_param_grads(enc, tenc, dt)
    _close(x.grad, tx.grad, dt)


def test_encoder_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    enc = nn.TransformerEncoder(layer, 3)
    ps = [enc.layers[i].linear1.weight for i in range(3)]
    assert ps[0] is not ps[1] and np.array_equal(ps[0].numpy(), ps[1].numpy())
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")


def test_encoder_layer_dropout_only_in_training(rng):
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.5, batch_first=True)
    x = ag.tensor(rng.standard_normal((2, 3, 8)).astype(np.float32))
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())
    layer.train()
    assert not np.array_equal(layer(x).numpy(), layer(x).numpy())


@requires_torch
def test_functional_mha_matches_torch(rng):
    L, N, E, H = 4, 2, 6, 3
    w = [rng.standard_normal(s) for s in ((3 * E, E), (3 * E,), (E, E), (E,))]
    (x,), (tx,) = _leaves([rng.standard_normal((L, N, E))], np.float64)
    mask = rng.random((L, L)) < 0.3
    mask[:, 0] = False
    out, wts = F.multi_head_attention_forward(x, x, x, E, H, w[0], w[1], None, None, False, 0.0, w[2], w[3],
                                              attn_mask=mask, average_attn_weights=False)
    tw = [torch.tensor(a) for a in w]
    tout, twts = torch.nn.functional.multi_head_attention_forward(
        tx, tx, tx, E, H, tw[0], tw[1], None, None, False, 0.0, tw[2], tw[3],
        attn_mask=torch.tensor(mask), average_attn_weights=False)
    _close(out, tout, np.float64)
    _close(wts, twts, np.float64)
    with pytest.raises(NotImplementedError, match="add_zero_attn"):
        F.multi_head_attention_forward(x, x, x, E, H, w[0], w[1], None, None, True, 0.0, w[2], w[3])


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_gradcheck_float64(rng, norm_first):
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, batch_first=True,
                                       norm_first=norm_first, activation="gelu", dtype=np.float64)
    x = ag.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    mask = np.triu(np.ones((3, 3), bool), 1)
    assert ag.gradcheck(lambda x: layer(x, src_mask=mask, is_causal=True), (x,))
    w = layer.self_attn.in_proj_weight
    assert ag.gradcheck(lambda w: layer(x.detach(), src_mask=mask), (w,))


def test_encoder_detects_the_causal_mask():
    from nn.transformer import _is_causal_mask

    causal = nn.transformer.generate_square_subsequent_mask(4)
    assert _is_causal_mask(causal, None) and _is_causal_mask(np.isinf(causal), None)
    assert not _is_causal_mask(np.zeros((4, 4)), None) and not _is_causal_mask(None, None)

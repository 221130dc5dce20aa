"""Parity with PyTorch for layers: copy a torch module's state dict into the gradtable
module, run both on the same inputs, back-propagate the same random cotangents, and
compare outputs, input gradients and every parameter's gradient by name."""
import numpy as np

import autograd as ag
from tests.helpers import torch

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-5, atol=2e-6)}


def flat(out):
    """The tensors of a nested output ((out, (h, c)) -> [out, h, c])."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [] if out is None else [out]


def load_torch_state(gmod, tmod):
    """Load ``tmod``'s state dict (as numpy arrays) into ``gmod``; returns ``gmod``."""
    gmod.load_state_dict({k: v.detach().cpu().numpy() for k, v in tmod.state_dict().items()})
    return gmod


def compare(gmod, tmod, inputs, dtype, grad_inputs=None, call=None, seed=0, tol=None):
    """Run both modules on ``inputs`` (numpy arrays; integer ones are indices) and assert
    equal outputs and gradients. ``call(mod, *inputs)`` overrides ``mod(*inputs)``.
    Returns the gradtable outputs."""
    tol = tol or TOL[dtype]
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    tmod = tmod.to(tdt)
    gmod = load_torch_state(gmod.to(dtype), tmod)
    call = call or (lambda m, *xs: m(*xs))
    gx, tx = [], []
    for i, x in enumerate(inputs):
        if x is None:
            gx.append(None), tx.append(None)
            continue
        x = np.asarray(x)
        is_float = x.dtype.kind == "f"
        rg = is_float and (grad_inputs is None or i in grad_inputs)
        xa = x.astype(dtype) if is_float else x
        gx.append(ag.tensor(xa, requires_grad=rg))
        tx.append(torch.tensor(xa, requires_grad=rg))
    gout, tout = flat(call(gmod, *gx)), flat(call(tmod, *tx))
    assert len(gout) == len(tout)
    rng = np.random.default_rng(seed)
    cots = [rng.standard_normal(t.shape).astype(dtype) for t in tout]
    for g, t in zip(gout, tout):
        assert tuple(g.shape) == tuple(t.shape), (g.shape, t.shape)
        assert g.dtype == dtype
        np.testing.assert_allclose(g.numpy(), t.detach().numpy(), **tol)
    sum(ag.sum(g * c) for g, c in zip(gout, cots)).backward()
    sum((t * torch.from_numpy(c)).sum() for t, c in zip(tout, cots)).backward()
    for g, t in zip(gx, tx):
        if g is not None and g.requires_grad:
            np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), **tol)
    tparams = dict(tmod.named_parameters())
    gparams = dict(gmod.named_parameters())
    assert sorted(tparams) == sorted(gparams)
    for name, tp in tparams.items():
        tg = np.zeros(tp.shape) if tp.grad is None else tp.grad.numpy()
        gg = np.zeros(tp.shape) if gparams[name].grad is None else gparams[name].grad.numpy()
        np.testing.assert_allclose(gg, tg, err_msg=name, **tol)
    return gout

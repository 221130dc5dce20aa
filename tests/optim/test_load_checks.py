"""Bad input refused at the door (issue 9, item 9): an optimizer state is checked and
converted by load_state_dict, not by the next step()."""
import numpy as np
import pytest

import autograd as ag
import optim
from tests.helpers import requires_torch, torch


def _adam_after_one_step():
    p = ag.tensor([1.0, -2.0, 0.5], requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = ag.tensor([0.5, 1.0, -1.0])
    opt.step()
    return p, opt


@requires_torch
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_buffers_are_cast_at_load_like_torch(dtype):
    p, opt = _adam_after_one_step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = np.ones(3, dtype=dtype)
    sd["state"][0]["exp_avg_sq"] = np.full(3, 2, dtype=dtype)
    opt.load_state_dict(sd)
    st = opt.state[p]
    assert st["exp_avg"].dtype == np.float32 and st["exp_avg_sq"].dtype == np.float32
    tp = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
    topt = torch.optim.Adam([tp], lr=0.1)
    tp.grad = torch.tensor([0.5, 1.0, -1.0])
    topt.step()
    tsd = topt.state_dict()
    tsd["state"][0]["exp_avg"] = torch.tensor(np.ones(3, dtype=dtype))
    tsd["state"][0]["exp_avg_sq"] = torch.tensor(np.full(3, 2, dtype=dtype))
    topt.load_state_dict(tsd)
    assert topt.state[tp]["exp_avg"].dtype == torch.float32
    np.testing.assert_array_equal(st["exp_avg"], topt.state[tp]["exp_avg"].numpy())
    np.testing.assert_array_equal(st["exp_avg_sq"], topt.state[tp]["exp_avg_sq"].numpy())
    # and the next step runs and agrees
    p.grad, tp.grad = ag.tensor([0.1, 0.2, 0.3]), torch.tensor([0.1, 0.2, 0.3])
    opt.step()
    topt.step()
    np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-6)


def test_integer_momentum_buffer_and_tensor_buffers():
    p = ag.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ag.tensor([1.0, 1.0], dtype=np.float64)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"] = ag.tensor([3, 4])
    opt.load_state_dict(sd)
    buf = opt.state[p]["momentum_buffer"]
    assert isinstance(buf, np.ndarray) and buf.dtype == np.float64 and buf.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("bad", [np.array(["a", "b", "c"]), np.ones(3, dtype=np.complex128)])
def test_non_numeric_buffers_are_refused_at_load(bad):
    p, opt = _adam_after_one_step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = bad
    before = opt.state[p]["exp_avg"].copy()
    with pytest.raises(TypeError, match=r"load_state_dict: state 'exp_avg' of parameter 0 has dtype"):
        opt.load_state_dict(sd)
    np.testing.assert_array_equal(opt.state[p]["exp_avg"], before)  # nothing half-loaded


@pytest.mark.parametrize("step", [-1, 1.5, "3", True])
def test_bad_step_is_refused_at_load(step):
    p, opt = _adam_after_one_step()
    sd = opt.state_dict()
    sd["state"][0]["step"] = step
    with pytest.raises(ValueError, match="'step' of parameter 0"):
        opt.load_state_dict(sd)


def test_step_saved_as_float_or_array_is_accepted():
    p, opt = _adam_after_one_step()
    for step in (2.0, np.array(2), np.array(2.0)):
        sd = opt.state_dict()
        sd["state"][0]["step"] = step
        opt.load_state_dict(sd)
        assert opt.state[p]["step"] == 2 and type(opt.state[p]["step"]) is int

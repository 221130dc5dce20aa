"""Save and resume: train k steps, save parameters + optimizer + scheduler state, load
into fresh objects, and the next 5 steps are bit-identical to uninterrupted training."""
import numpy as np
import pytest

import optim
from optim import lr_scheduler
from tests.optim.problems import MLP, leaves

K, NEXT = 7, 5

OPTIMIZERS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "Momentum": lambda ps: optim.Momentum(ps, lr=0.1),
    "Nesterov": lambda ps: optim.Nesterov(ps, lr=0.1),
    "Adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    "Adadelta": lambda ps: optim.Adadelta(ps),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01),
    "Newton": lambda ps: optim.Newton(ps, damping=0.1),
    "two-groups": lambda ps: optim.Adam([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.003}], lr=0.01),
}
SCHEDULERS = {
    "StepLR": lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "ExponentialLR": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=1e-3),
    "ReduceLROnPlateau": lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=0, factor=0.5, threshold=0.5),
}
PAIRS = [(o, s) for o, s in zip(OPTIMIZERS, list(SCHEDULERS) * 3)]


def _step(problem, params, opt, sch):
    if isinstance(opt, optim.Newton):
        loss = opt.step(lambda: problem.loss_ag(params))
    else:
        opt.zero_grad()
        loss = problem.loss_ag(params)
        loss.backward()
        opt.step()
    if isinstance(sch, lr_scheduler.ReduceLROnPlateau):
        sch.step(loss.item())
    else:
        sch.step()


def _nn_save_load():
    try:
        import nn
    except ImportError:
        return None
    if not (hasattr(nn, "save") and hasattr(nn, "load")):
        return None
    return nn.save, nn.load


def _roundtrip(obj, via, tmp_path):
    if via == "memory":
        return obj
    funcs = _nn_save_load()
    if funcs is None:
        pytest.skip("nn.save / nn.load not available yet")
    save, load = funcs
    path = tmp_path / "checkpoint.npz"
    save(obj, str(path))
    return load(str(path))


ALLOWED = (np.ndarray, int, float, bool, str, type(None))


def _assert_plain(obj, where="state_dict"):
    """Only arrays, numbers, bools, None, strings, lists and dicts: what nn.save stores."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            assert isinstance(k, (int, str)), f"{where}: key {k!r}"
            _assert_plain(v, f"{where}[{k!r}]")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _assert_plain(v, f"{where}[{i}]")
    else:
        assert type(obj) in ALLOWED or isinstance(obj, ALLOWED), f"{where} is a {type(obj).__name__}"


@pytest.mark.parametrize("via", ["memory", "nn.save"])
@pytest.mark.parametrize("opt_name,sched_name", PAIRS)
def test_resume_is_bit_identical(opt_name, sched_name, via, tmp_path):
    problem = MLP()
    make_opt, make_sched = OPTIMIZERS[opt_name], SCHEDULERS[sched_name]

    params = leaves(problem.init)
    opt = make_opt(params)
    sch = make_sched(opt)
    for _ in range(K):
        _step(problem, params, opt, sch)
    checkpoint = {"model": [p.array.copy() for p in params], "optimizer": opt.state_dict(),
                  "scheduler": sch.state_dict()}
    _assert_plain(checkpoint)
    checkpoint = _roundtrip(checkpoint, via, tmp_path)

    uninterrupted = []
    for _ in range(NEXT):
        _step(problem, params, opt, sch)
        uninterrupted.append([p.array.copy() for p in params] + [np.array(sch.get_last_lr())])

    # fresh objects, built as a new run would build them (different starting values)
    fresh = leaves([np.zeros_like(a) for a in problem.init])
    opt2 = make_opt(fresh)
    sch2 = make_sched(opt2)
    for p, a in zip(fresh, checkpoint["model"]):
        p.array[...] = a
    opt2.load_state_dict(checkpoint["optimizer"])
    sch2.load_state_dict(checkpoint["scheduler"])
    resumed = []
    for _ in range(NEXT):
        _step(problem, fresh, opt2, sch2)
        resumed.append([p.array.copy() for p in fresh] + [np.array(sch2.get_last_lr())])

    for a_step, b_step in zip(uninterrupted, resumed):
        for a, b in zip(a_step, b_step):
            np.testing.assert_array_equal(a, b)  # bit-identical, not approximately equal


def test_state_dict_is_a_copy_and_keeps_structure():
    problem = MLP()
    params = leaves(problem.init)
    opt = optim.Adam(params, lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        problem.loss_ag(params).backward()
        opt.step()
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    assert sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]
    assert sd["state"][0]["step"] == 2
    saved = sd["state"][0]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], saved)  # training on did not change it


def test_load_state_dict_accepts_string_keys_and_0d_arrays():
    """What a file format that stores only string keys and arrays may give back."""
    problem = MLP()
    params = leaves(problem.init)
    opt = optim.Adam(params, lr=0.01)
    opt.zero_grad()
    problem.loss_ag(params).backward()
    opt.step()
    sd = opt.state_dict()
    mangled = {"state": {str(k): {n: (np.asarray(v) if not isinstance(v, np.ndarray) else v)
                                  for n, v in s.items()} for k, s in sd["state"].items()},
               "param_groups": [{k: (np.asarray(v) if isinstance(v, (int, float, list)) else v)
                                 for k, v in g.items()} for g in sd["param_groups"]]}
    opt2 = optim.Adam(leaves(problem.init), lr=0.5)
    opt2.load_state_dict(mangled)
    g = opt2.param_groups[0]
    assert g["lr"] == 0.01 and g["betas"] == (0.9, 0.999) and type(g["amsgrad"]) is bool
    s = opt2.state[opt2.param_groups[0]["params"][0]]
    assert s["step"] == 1 and type(s["step"]) is int


def test_load_state_dict_mismatch_errors():
    problem = MLP()
    opt = optim.SGD(leaves(problem.init), lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        optim.SGD([{"params": leaves(problem.init)[:2]}, {"params": leaves(problem.init)[2:]}],
                  lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="parameters"):
        optim.SGD(leaves(problem.init)[:3], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"lr": 0.1})
    params = leaves(problem.init)
    for p, g in zip(params, problem.grad_np(problem.init)):
        p.grad = __import__("autograd").Tensor(g)
    opt = optim.Adam(params)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = np.zeros(7)
    with pytest.raises(ValueError, match="shape"):
        optim.Adam(leaves(problem.init)).load_state_dict(sd)

"""nn.Module, Parameter and the containers."""
import copy

import numpy as np
import pytest

import autograd as ag
import nn


class Block(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.fc = nn.Linear(n, n)
        self.scale = nn.Parameter(ag.ones(n))
        self.register_buffer("count", ag.zeros(1))

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Block()
        self.b = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        self.b2 = self.b[0]  # shared: its parameters must be yielded once

    def forward(self, x):
        return self.b(self.a(x))


def test_parameter_is_leaf_requiring_grad():
    p = nn.Parameter(ag.zeros(2, 3))
    assert isinstance(p, ag.Tensor) and p.requires_grad and p.is_leaf
    assert not nn.Parameter(ag.zeros(2), requires_grad=False).requires_grad
    assert "Parameter containing" in repr(p)


def test_registration_and_iteration_order():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    # a module's own parameters, then its children's (PyTorch's order)
    assert names == ["a.scale", "a.fc.weight", "a.fc.bias", "b.0.weight", "b.0.bias",
                     "b.2.weight", "b.2.bias"]
    # each tensor once, even though b.0 is also reachable as b2
    params = list(net.parameters())
    assert len(params) == len({id(p) for p in params}) == 7
    assert [n for n, _ in net.named_buffers()] == ["a.count"]
    assert [n for n, _ in net.named_children()] == ["a", "b", "b2"]
    assert [n for n, _ in net.named_modules()] == ["", "a", "a.fc", "b", "b.0", "b.1", "b.2"]
    assert len(list(net.modules())) == 7


def test_parameters_in_registration_order():
    blk = Block()
    assert [n for n, _ in blk.named_parameters()] == ["scale", "fc.weight", "fc.bias"]
    assert [n for n, _ in blk.named_parameters(recurse=False)] == ["scale"]


def test_assigning_plain_tensor_to_parameter_name_raises():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="weight"):
        lin.weight = ag.zeros(2, 2)
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    assert lin(ag.ones(1, 2)).shape == (1, 2)


def test_setattr_before_super_init_is_explained():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ag.zeros(1))

    with pytest.raises(AttributeError, match="super"):
        Bad()


def test_train_eval_reach_every_child():
    net = Net()
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.b.eval()
    assert net.training and not net.b[1].training


def test_zero_grad_both_modes_and_missing_grads():
    net = Net()
    net.zero_grad()  # no gradients yet: fine
    net(ag.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.array.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_call_runs_forward_and_hooks():
    blk = Block()
    x = ag.randn(2, 3)
    seen = []
    h = blk.register_forward_hook(lambda m, inp, out: seen.append(out.shape))
    np.testing.assert_allclose(blk(x).array, blk.forward(x).array)
    assert seen == [(2, 3)]
    h.remove()
    blk(x)
    assert seen == [(2, 3)]


def test_state_dict_dotted_keys_and_roundtrip():
    net = Net()
    sd = net.state_dict()
    # shared modules appear under every name (b2.* too), like PyTorch
    assert list(sd) == ["a.scale", "a.count", "a.fc.weight", "a.fc.bias", "b.0.weight",
                        "b.0.bias", "b.2.weight", "b.2.bias", "b2.weight", "b2.bias"]
    assert all(not v.requires_grad for v in sd.values())
    other = Net()
    weight = other.a.fc.weight
    res = other.load_state_dict({k: v.array.copy() for k, v in sd.items()})  # arrays work too
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert other.a.fc.weight is weight  # copied in place: optimizers keep their references
    x = ag.randn(4, 3)
    np.testing.assert_array_equal(net(x).array, other(x).array)
    other.load_state_dict(sd)  # Tensors work


def test_state_dict_keep_vars():
    lin = nn.Linear(2, 3)
    assert lin.state_dict(keep_vars=True)["weight"] is lin.weight


def test_load_state_dict_strict_errors_name_keys_and_leave_model_untouched():
    net = Net()
    before = {k: v.array.copy() for k, v in net.state_dict().items()}
    good = {k: np.zeros(v.shape, v.dtype) for k, v in net.state_dict().items()}

    bad_shape = dict(good)
    bad_shape["b.2.weight"] = np.zeros((3, 4))
    with pytest.raises(RuntimeError, match=r"size mismatch for 'b.2.weight'.*\(3, 4\).*\(2, 4\)"):
        net.load_state_dict(bad_shape)
    with pytest.raises(RuntimeError, match="size mismatch for 'b.2.weight'"):
        net.load_state_dict(bad_shape, strict=False)  # shapes are checked even when not strict

    missing = dict(good)
    del missing["a.fc.bias"]
    with pytest.raises(RuntimeError, match=r"missing key\(s\).*'a.fc.bias'"):
        net.load_state_dict(missing)

    extra = dict(good)
    extra["a.fc.gamma"] = np.zeros(3)
    with pytest.raises(RuntimeError, match=r"unexpected key\(s\).*'a.fc.gamma'"):
        net.load_state_dict(extra)

    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v.array, before[k], err_msg=k)

    res = net.load_state_dict(missing, strict=False)
    assert res.missing_keys == ["a.fc.bias"]
    assert not net.a.fc.weight.array.any()
    np.testing.assert_array_equal(net.a.fc.bias.array, before["a.fc.bias"])


def test_buffers_are_saved_converted_but_not_parameters():
    blk = Block()
    assert "count" in blk.state_dict()
    assert all(p is not blk.count for p in blk.parameters())
    blk.count = ag.ones(1)  # reassigning a buffer keeps it a buffer
    assert blk.state_dict()["count"].array[0] == 1
    blk.register_buffer("tmp", ag.zeros(2), persistent=False)
    assert "tmp" not in blk.state_dict() and "tmp" in dict(blk.named_buffers())


def test_repr_is_pytorch_like():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1, bias=False))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=3, out_features=1, bias=False)\n"
        ")")
    assert "(a): Block(" in repr(Net()) and "    (fc): Linear(" in repr(Net())


def test_deepcopy_gives_independent_parameters():
    net = Net()
    twin = copy.deepcopy(net)
    for (n1, p1), (n2, p2) in zip(net.named_parameters(), twin.named_parameters()):
        assert n1 == n2 and p1 is not p2 and isinstance(p2, nn.Parameter)
        np.testing.assert_array_equal(p1.array, p2.array)
    twin.a.fc.weight.array[...] = 7
    assert not (net.a.fc.weight.array == 7).any()
    assert twin.b2 is twin.b[0]  # sharing is preserved inside the copy
    twin(ag.randn(2, 3)).sum().backward()
    assert net.a.fc.weight.grad is None


def test_to_dtype_apply_and_requires_grad():
    net = Net().to(np.float64)
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.a.count.dtype == np.float64
    assert net(ag.tensor(np.ones((1, 3)))).dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())

    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 4  # b.0 again as b2, like PyTorch

    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_sequential_container():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    assert len(seq) == 2 and isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Tanh)
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh"]
    seq.append(nn.Linear(3, 1))
    assert len(seq) == 3 and seq(ag.randn(4, 2)).shape == (4, 1)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and head[0] is seq[0]
    with pytest.raises(IndexError):
        seq[5]
    named = nn.Sequential(__import__("collections").OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU()))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    del seq[1]
    assert len(seq) == 2 and list(seq._modules) == ["0", "1"]


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.Linear(2, 1))
    assert [n for n, _ in layers.named_parameters()][-1] == "3.bias"
    x = ag.randn(1, 2)
    for layer in layers:
        x = layer(x)
    assert x.shape == (1, 1)

    d = nn.ModuleDict({"enc": nn.Linear(2, 3), "dec": nn.Linear(3, 2)})
    assert list(d.keys()) == ["enc", "dec"] and "enc" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]


def test_parameter_list():
    pl = nn.ParameterList([ag.zeros(2), ag.ones(3)])
    assert len(list(pl.parameters())) == 2 and pl[1].shape == (3,)


def test_plain_list_of_modules_is_not_registered():
    class Hidden(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2)]  # a plain list hides the parameters (use ModuleList)

    assert list(Hidden().parameters()) == []

"""Devices (issue 11): the strict test device's CuPy rules, the backend's kernels, the
PyTorch-style device API and every device error message, and nn / optim / a CNN
training step on the test device (``tests/devices.py``: "strict", or "cuda" on a GPU)
checked value for value against the CPU."""
import copy
import sys
import types

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd import backend
from autograd.strict import CONVERSION_ERROR, StrictArray
from tests.devices import DEVICE, DTYPES, TOL, assert_on_device, host

S = backend.STRICT


# ------------------------------------------------------------------ the strict array
def test_strict_numpy_functions_dispatch_and_stay_on_the_device():
    a = S.from_host(np.arange(6.0).reshape(2, 3))
    for r in (np.tanh(a), a @ a.T, np.concatenate([a, a]), np.where(a > 2, a, 0.0), a.reshape(3, 2),
              np.sum(a, axis=0), a.sum(), a[0, 1], -a, a.T, np.broadcast_to(a, (2, 2, 3))):
        assert type(r) is StrictArray, type(r)
    assert a.sum().ndim == 0 and float(a.sum()) == 15.0  # reductions stay 0-d arrays, like CuPy
    np.testing.assert_array_equal(np.tanh(a).get(), np.tanh(np.arange(6.0).reshape(2, 3)))


def test_strict_views_share_memory_and_transfers_copy():
    host_arr = np.zeros(3)
    a = S.from_host(host_arr)
    host_arr[0] = 5  # the device copy does not see the host array
    v = a[1:]
    v[0] = 7.0
    np.testing.assert_array_equal(a.get(), [0, 7, 0])
    g = a.get()
    g[2] = 1
    assert float(a[2]) == 0.0


def test_strict_refuses_silent_numpy():
    a = S.zeros((3,))
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(a)
    assert CONVERSION_ERROR.endswith("explicitly.")
    with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
        a + np.ones(3)
    with pytest.raises(TypeError, match="Unsupported type"):
        np.add(a, np.array(1.0))  # even a 0-d numpy array
    with pytest.raises(TypeError):
        np.lib.stride_tricks.as_strided(a, (2,), (8,))  # converts its argument: refused
    assert (a + 1.0 + np.float32(2)).get().tolist() == [3.0, 3.0, 3.0]  # numbers are fine


def test_strict_scatter_add_and_in_place_ufuncs():
    t = S.zeros((4,))
    np.add.at(t, (S.from_host(np.array([0, 0, 3])),), S.ones((3,)))
    np.testing.assert_array_equal(t.get(), [2, 0, 0, 1])
    t *= 2.0
    np.multiply(t, 0.5, out=t)
    np.testing.assert_array_equal(t.get(), [2, 0, 0, 1])


# ------------------------------------------------------------------ the backend
@pytest.mark.parametrize("b", [backend.NUMPY, backend.STRICT], ids=["numpy", "strict"])
def test_backend_creation_and_kernels(b):
    assert b.zeros((2, 3), np.float64).shape == (2, 3)
    assert b.ones((2,), np.float32).dtype == np.float32
    np.testing.assert_array_equal(b.to_host(b.arange(0, 5, 2, np.int64)), [0, 2, 4])
    np.testing.assert_array_equal(b.to_host(b.eye(2, None, np.float64)), np.eye(2))
    np.testing.assert_array_equal(b.to_host(b.full((2,), 3.0, np.float32)), [3, 3])
    np.testing.assert_allclose(b.to_host(b.linspace(0, 1, 3, np.float64)), [0, 0.5, 1])
    x = b.from_host(np.arange(5.0))
    w = b.as_strided(x, (3, 3), (8, 8))  # sliding windows of 3
    np.testing.assert_array_equal(b.to_host(w), [[0, 1, 2], [1, 2, 3], [2, 3, 4]])
    assert b.to_host(b.ascontiguousarray(w.T)).flags.c_contiguous
    t = b.zeros((3,), np.float64)
    b.scatter_add(t, b.from_host(np.array([1, 1, 2])), b.from_host(np.array([1.0, 2.0, 3.0])))
    np.testing.assert_array_equal(b.to_host(t), [0, 3, 3])
    rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(b.to_host(b.draw(rng1, "standard_normal", (4,))),
                                  rng2.standard_normal((4,)))


def test_device_names():
    assert ag.device("cuda") == "cuda:0" and ag.device("cuda").index == 0
    assert ag.device("cpu") == "cpu" and ag.device("cpu").type == "cpu"
    assert repr(ag.device("cuda:1")) == "device(type='cuda', index=1)"
    with pytest.raises(RuntimeError, match="unknown device 'tpu'.*'cpu', 'cuda', 'cuda:N' or 'strict'"):
        ag.device("tpu")
    with pytest.raises(RuntimeError, match="device 'cpu' has no index 1"):
        ag.device("cpu:1")
    with pytest.raises(RuntimeError, match="invalid device string 'cuda:x'"):
        ag.device("cuda:x")


@pytest.fixture
def no_cupy(monkeypatch):
    """A machine without CuPy, whatever this one has."""
    monkeypatch.setitem(sys.modules, "cupy", None)
    monkeypatch.setattr(backend, "_CUDA", {})


@pytest.fixture
def cupy_without_gpu(monkeypatch):
    """CuPy installed, but no usable CUDA driver."""
    fake = types.ModuleType("cupy")

    def count():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=count))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setitem(sys.modules, "cupyx", types.ModuleType("cupyx"))
    monkeypatch.setattr(backend, "_CUDA", {})
    return fake


INSTALL = r'pip install "gradtable\[gpu\]"'


def test_cuda_without_cupy_says_how_to_install(no_cupy):
    msg = rf"device 'cuda:0' needs CuPy and an NVIDIA GPU, but CuPy (is not installed|is installed but failed to import).*{INSTALL}.*cupy-cuda12x"
    with pytest.raises(RuntimeError, match=msg):
        ag.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match=msg):
        ag.ones(2).cuda()
    with pytest.raises(RuntimeError, match=msg):
        nn.Linear(2, 2).to("cuda")
    with pytest.raises(RuntimeError, match=msg):
        ag.set_default_device("cuda")
    assert ag.get_default_device() == "cpu"
    assert not ag.cuda.is_available() and ag.cuda.device_count() == 0


def test_cuda_without_a_gpu_says_so(cupy_without_gpu):
    with pytest.raises(RuntimeError, match=rf"CuPy is installed but no CUDA GPU is usable "
                                           rf"\(cudaErrorNoDevice.*nvidia-smi.*{INSTALL}"):
        ag.randn(2, device="cuda")
    cupy_without_gpu.cuda.runtime.getDeviceCount = lambda: 1
    with pytest.raises(RuntimeError, match=r"device 'cuda:3' does not exist: this machine has 1 "
                                           r"CUDA GPU\(s\), cuda:0 \.\. cuda:0"):
        ag.zeros(1, device="cuda:3")
    cupy_without_gpu.cuda.runtime.getDeviceCount = lambda: 0
    with pytest.raises(RuntimeError, match="device 'cuda:0': no CUDA GPU is visible"):
        ag.zeros(1, device="cuda")


# ------------------------------------------------------------------ tensors on devices
CREATORS = [
    lambda d: ag.zeros(2, 3, device=d), lambda d: ag.ones((2,), device=d),
    lambda d: ag.empty(2, device=d), lambda d: ag.full((2,), 1.5, device=d),
    lambda d: ag.eye(3, device=d), lambda d: ag.arange(5, device=d),
    lambda d: ag.linspace(0, 1, 4, device=d), lambda d: ag.randn(2, device=d),
    lambda d: ag.rand(2, device=d), lambda d: ag.normal(0, 1, (2,), device=d),
    lambda d: ag.uniform(0, 1, (2,), device=d), lambda d: ag.randint(0, 5, (3,), device=d),
    lambda d: ag.randperm(4, device=d), lambda d: ag.bernoulli(0.5, (3,), device=d),
    lambda d: ag.tensor([1.0, 2.0], device=d),
]


@pytest.mark.parametrize("k", range(len(CREATORS)))
def test_creation_functions_take_device(k):
    ag.manual_seed(0)
    t = CREATORS[k](DEVICE)
    assert_on_device(t)
    ag.manual_seed(0)
    c = CREATORS[k]("cpu")
    assert c.device == "cpu" and c.dtype == t.dtype and c.shape == t.shape
    if DEVICE == "strict" or k < 7:  # the strict device draws what the CPU draws
        np.testing.assert_array_equal(host(t), c.numpy())


def test_set_default_device():
    try:
        ag.set_default_device(DEVICE)
        assert ag.get_default_device() == ag.device(DEVICE)
        assert_on_device(ag.zeros(2))
        assert_on_device(ag.tensor([1.0]))
        assert_on_device(ag.randn(2))
        assert ag.zeros(2, device="cpu").device == "cpu"
    finally:
        ag.set_default_device("cpu")
    assert ag.zeros(2).device == "cpu"


def test_to_cpu_cuda_and_the_gradient_moving_back():
    x = ag.tensor([1.0, -2.0, 3.0], dtype=np.float64, requires_grad=True)
    y = x.to(DEVICE)
    assert_on_device(y)
    assert y.to(DEVICE) is y and x.cpu() is x and x.to("cpu") is x
    z = (y * y).sum()
    assert_on_device(z)
    z.backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0, 6.0])
    back = y.cpu()
    assert back.device == "cpu" and back.grad_fn is not None
    other = ag.zeros(1, device=DEVICE, dtype=np.float32)
    w = x.to(other)  # PyTorch's t.to(other): its dtype and its device
    assert_on_device(w)
    assert w.dtype == np.float32
    np.testing.assert_array_equal(host(x.to(DEVICE, np.float32)), [1, -2, 3])


def test_to_device_gradgrad():
    x = ag.tensor([0.3, -0.7], dtype=np.float64, requires_grad=True)
    assert ag.gradgradcheck(lambda t: ag.tanh(t.to(DEVICE)).cpu() ** 2, (x,))


def test_numpy_of_a_device_tensor_raises_with_the_fix():
    t = ag.ones(2, device=DEVICE)
    with pytest.raises(TypeError, match=rf"can't convert {DEVICE}\S* device type tensor to numpy\. "
                                        r"Use Tensor\.cpu\(\) to copy the tensor to host memory first"):
        t.numpy()
    with pytest.raises(TypeError, match="Use Tensor.cpu()"):
        np.asarray(t)
    np.testing.assert_array_equal(t.cpu().numpy(), [1, 1])
    assert t.tolist() == [1.0, 1.0] and ag.ones((), device=DEVICE).item() == 1.0
    assert f"device='{t.device}'" in repr(t)


def test_an_op_on_two_devices_names_both():
    a = ag.ones(3, device=DEVICE)
    b = ag.ones(3)
    msg = rf"expected all tensors to be on the same device, but found at least two devices, {DEVICE}\S* and cpu"
    with pytest.raises(RuntimeError, match=msg):
        a + b
    with pytest.raises(RuntimeError, match=r"matmul: expected all tensors to be on the same device"):
        ag.matmul(ag.ones((2, 2)), ag.ones((2, 2), device=DEVICE))
    assert_on_device(a + 1.0)  # Python numbers go with the tensor
    assert_on_device(a * np.float32(2))


# ------------------------------------------------------------------ nn and optim on the device
def _pair(make, dtype):
    ag.manual_seed(0)
    cpu = make().to(dtype)
    dev = copy.deepcopy(cpu).to(DEVICE)
    return cpu, dev


LAYERS = {
    "linear": (lambda: nn.Linear(5, 3), (4, 5)),
    "conv1d": (lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1), (2, 2, 9)),
    "conv2d": (lambda: nn.Conv2d(2, 4, 3, padding=1, dilation=1, groups=2), (2, 2, 6, 6)),
    "conv2d-strided": (lambda: nn.Conv2d(1, 2, 3, stride=2, dilation=2), (2, 1, 9, 9)),
    "maxpool2d": (lambda: nn.MaxPool2d(2), (2, 3, 6, 6)),
    "maxpool2d-overlap": (lambda: nn.MaxPool2d(3, stride=1, padding=1), (1, 2, 5, 5)),
    "avgpool2d": (lambda: nn.AvgPool2d(2), (2, 3, 6, 6)),
    "adaptiveavg": (lambda: nn.AdaptiveAvgPool2d(2), (2, 3, 6, 6)),
    "batchnorm2d": (lambda: nn.BatchNorm2d(3), (4, 3, 2, 2)),
    "batchnorm1d": (lambda: nn.BatchNorm1d(3), (5, 3)),
    "layernorm": (lambda: nn.LayerNorm(4), (3, 4)),
    "groupnorm": (lambda: nn.GroupNorm(2, 4), (2, 4, 3)),
    "rmsnorm": (lambda: nn.RMSNorm(4), (3, 4)),
    "dropout-eval": (lambda: nn.Dropout(0.5).eval(), (3, 4)),
    "gelu": (lambda: nn.GELU(), (3, 4)),
    "prelu": (lambda: nn.PReLU(), (3, 4)),
    "mlp": (lambda: nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2), nn.Softmax(dim=1)), (3, 4)),
    "conv-flatten": (lambda: nn.Sequential(nn.Conv2d(2, 2, 3), nn.Flatten()), (1, 2, 5, 5)),
    "avgpool2d-pad-exclusive": (lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
                                (1, 2, 5, 5)),
    "batchnorm2d-eval": (lambda: _trained_bn().eval(), (4, 3, 2, 2)),
    "rnn": (lambda: nn.RNN(3, 4, batch_first=True), (2, 5, 3)),
    "lstm": (lambda: nn.LSTM(3, 4, num_layers=2), (5, 2, 3)),
    "gru": (lambda: nn.GRU(3, 4, bidirectional=True), (5, 2, 3)),
}


def _trained_bn():
    bn = nn.BatchNorm2d(3)
    bn(ag.randn(6, 3, 2, 2))  # running statistics away from 0 and 1
    return bn


def _out(y):
    return y[0] if isinstance(y, tuple) else y


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_the_cpu(name, dtype):
    make, shape = LAYERS[name]
    cpu, dev = _pair(make, dtype)
    x0 = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    xc = ag.tensor(x0, requires_grad=True)
    xd = ag.tensor(x0, device=DEVICE, requires_grad=True)
    yc, yd = _out(cpu(xc)), _out(dev(xd))
    assert_on_device(yd)
    w = np.random.default_rng(2).standard_normal(yc.shape).astype(dtype)
    (yc * ag.tensor(w)).sum().backward()
    (yd * ag.tensor(w, device=DEVICE)).sum().backward()
    tol = TOL[dtype]
    np.testing.assert_allclose(host(yd), yc.numpy(), **tol)
    np.testing.assert_allclose(host(xd.grad), xc.grad.numpy(), **tol)
    for (n, pc), (_, pd) in zip(cpu.named_parameters(), dev.named_parameters()):
        assert_on_device(pd.grad)
        np.testing.assert_allclose(host(pd.grad), pc.grad.numpy(), err_msg=n, **tol)
    for bc, bd in zip(cpu.buffers(), dev.buffers()):  # running statistics
        np.testing.assert_allclose(host(bd), bc.numpy(), **tol)


@pytest.mark.parametrize("fn", ["relu", "sigmoid", "tanh", "gelu", "exp", "square"])
def test_large_arrays_stay_on_the_device(fn):
    """The CPU kernels for large arrays (SIMD rows, in-place buffers) are numpy-only."""
    x0 = np.random.default_rng(3).standard_normal((300, 70))
    f = getattr(F, fn) if fn == "gelu" else getattr(ag, fn)
    xc = ag.tensor(x0, requires_grad=True)
    xd = ag.tensor(x0, device=DEVICE, requires_grad=True)
    yc, yd = f(xc), f(xd)
    assert_on_device(yd)
    (yc * yc).sum().backward()
    (yd * yd).sum().backward()
    np.testing.assert_allclose(host(yd), yc.numpy(), **TOL[np.float64])
    np.testing.assert_allclose(host(xd.grad), xc.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_dropout_on_strict_draws_the_cpu_mask():
    if DEVICE != "strict":
        pytest.skip("a GPU draws its own masks")
    x = ag.ones((50,), dtype=np.float64)
    ag.manual_seed(3)
    a = nn.Dropout(0.5)(x)
    ag.manual_seed(3)
    b = nn.Dropout(0.5)(x.to(DEVICE))
    assert_on_device(b)
    np.testing.assert_array_equal(host(b), a.numpy())


def test_embedding_matches_the_cpu():
    cpu, dev = _pair(lambda: nn.Embedding(7, 3, padding_idx=0), np.float64)
    idx = np.array([[1, 0, 6], [6, 6, 2]])
    yc, yd = cpu(ag.tensor(idx)), dev(ag.tensor(idx, device=DEVICE))
    assert_on_device(yd)
    yc.sum().backward()
    yd.sum().backward()
    np.testing.assert_array_equal(host(yd), yc.numpy())
    np.testing.assert_array_equal(host(dev.weight.grad), cpu.weight.grad.numpy())
    assert_on_device(dev(np.array([1, 2])))  # host indices into a device table


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_padding_modes_match_the_cpu(mode):
    x0 = np.random.default_rng(9).standard_normal((1, 2, 4, 5))
    xc = ag.tensor(x0, requires_grad=True)
    xd = ag.tensor(x0, device=DEVICE, requires_grad=True)
    yc, yd = F.pad(xc, (1, 2, 2, 1), mode=mode), F.pad(xd, (1, 2, 2, 1), mode=mode)
    assert_on_device(yd)
    (yc * yc).sum().backward()
    (yd * yd).sum().backward()
    np.testing.assert_allclose(host(yd), yc.numpy())
    np.testing.assert_allclose(host(xd.grad), xc.grad.numpy())


def test_clip_grad_norm_on_the_device():
    m = nn.Linear(3, 2).to(DEVICE)
    m(ag.ones((4, 3), device=DEVICE) * 10).sum().backward()
    total = nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    assert_on_device(total)
    assert float(total) > 1.0
    assert abs(nn.utils.get_total_norm([p.grad for p in m.parameters()]) - 1.0) < 1e-3


def test_drawings_and_grad_tables_show_device_values():
    x = ag.tensor([1.0, 2.0], device=DEVICE, requires_grad=True, name="x")
    z = ag.tanh(x * 3).sum()
    text = str(ag.grad_table(z))
    assert "x" in text and "[1., 2.]" in text
    z.backward()
    assert "x" in ag.viz.draw(z).source


LOSSES = {
    "cross_entropy": lambda z, y: F.cross_entropy(z, y),
    "cross_entropy-smooth": lambda z, y: F.cross_entropy(z, y, label_smoothing=0.1),
    "nll": lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y),
    "mse": lambda z, y: F.mse_loss(z, ag.zeros(z.shape, dtype=z.dtype, device=z.device)),
    "bce_logits": lambda z, y: F.binary_cross_entropy_with_logits(z, ag.ones(z.shape, dtype=z.dtype, device=z.device) * 0.3),
    "huber": lambda z, y: F.huber_loss(z, ag.zeros(z.shape, dtype=z.dtype, device=z.device)),
    "cross_entropy-weight-ignore": lambda z, y: F.cross_entropy(
        z, ag.where(y == 3, -100, y), weight=np.array([1.0, 2.0, 0.5, 1.5]), ignore_index=-100),
    "nll-module-weight": lambda z, y: nn.NLLLoss(weight=ag.tensor([1.0, 2.0, 0.5, 1.5], dtype=z.dtype,
                                                                   device=z.device))(F.log_softmax(z, dim=1), y),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_matches_the_cpu(name):
    dtype = DTYPES[-1]
    z0 = np.random.default_rng(4).standard_normal((6, 4)).astype(dtype)
    y0 = np.array([0, 3, 1, 2, 3, 0])
    zc = ag.tensor(z0, requires_grad=True)
    zd = ag.tensor(z0, device=DEVICE, requires_grad=True)
    lc = LOSSES[name](zc, ag.tensor(y0))
    ld = LOSSES[name](zd, ag.tensor(y0, device=DEVICE))
    assert_on_device(ld)
    lc.backward()
    ld.backward()
    np.testing.assert_allclose(host(ld), lc.numpy(), **TOL[dtype])
    np.testing.assert_allclose(host(zd.grad), zc.grad.numpy(), **TOL[dtype])


OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "sgd-momentum-wd": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
    "nesterov": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda p: optim.Adam(p, lr=0.01),
    "adam-amsgrad": lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
    "adamw": lambda p: optim.AdamW(p, lr=0.01),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
    "adagrad": lambda p: optim.Adagrad(p, lr=0.1),
    "adadelta": lambda p: optim.Adadelta(p),
}


def _train(model, opt, x, y, steps=3):
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(host(loss)))
    return losses


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_matches_the_cpu_and_keeps_its_state_on_the_device(name):
    dtype = DTYPES[-1]
    cpu, dev = _pair(lambda: nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3)), dtype)
    oc, od = OPTIMIZERS[name](cpu.parameters()), OPTIMIZERS[name](dev.parameters())
    x0 = np.random.default_rng(5).standard_normal((8, 4)).astype(dtype)
    y0 = np.random.default_rng(6).integers(0, 3, 8)
    lc = _train(cpu, oc, ag.tensor(x0), ag.tensor(y0))
    ld = _train(dev, od, ag.tensor(x0, device=DEVICE), ag.tensor(y0, device=DEVICE))
    np.testing.assert_allclose(ld, lc, **TOL[dtype])
    for pc, pd in zip(cpu.parameters(), dev.parameters()):
        assert_on_device(pd)
        np.testing.assert_allclose(host(pd), pc.numpy(), **TOL[dtype])
    for s in od.state.values():
        for k, v in s.items():
            assert not isinstance(v, np.ndarray), f"state {k!r} left the device"
    # a state dict round trip: copies on the device, loaded onto the parameters' device
    sd = od.state_dict()
    od2 = OPTIMIZERS[name](dev.parameters())
    od2.load_state_dict(sd)
    oc2 = OPTIMIZERS[name](cpu.parameters())
    oc2.load_state_dict(sd)  # a device state dict into a CPU optimizer: moved to the CPU
    for s in oc2.state.values():
        assert all(not backend.is_array(v) or isinstance(v, np.ndarray) for v in s.values())


def test_optimizer_state_follows_a_model_moved_after_some_steps():
    model = nn.Linear(3, 2).double()
    opt = optim.Adam(model.parameters(), lr=0.01)
    x, y = np.ones((4, 3)), np.array([0, 1, 0, 1])
    _train(model, opt, ag.tensor(x), ag.tensor(y), steps=1)
    model.to(DEVICE)
    _train(model, opt, ag.tensor(x, device=DEVICE), ag.tensor(y, device=DEVICE), steps=1)
    assert all(type(v) is type(model.weight.array) for s in opt.state.values()
               for v in s.values() if backend.is_array(v))


def test_module_to_moves_parameters_buffers_and_gradients():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    m(ag.ones((4, 3))).sum().backward()
    same = m.to(DEVICE)
    assert same is m
    for t in list(m.parameters()) + list(m.buffers()):
        assert_on_device(t)
    for p in m.parameters():
        assert_on_device(p.grad)
    m.cpu()
    assert all(p.device == "cpu" and p.grad.device == "cpu" for p in m.parameters())
    m.to(DEVICE, np.float64)
    assert all(p.dtype == np.float64 and p.device == ag.device(DEVICE) for p in m.parameters())


def test_save_writes_host_arrays_and_load_maps_location(tmp_path):
    m = nn.Linear(3, 2).to(DEVICE)
    path = tmp_path / "m.npz"
    nn.save(m.state_dict(), path)
    plain = nn.load(path)
    assert all(isinstance(v, np.ndarray) for v in plain.values())
    np.testing.assert_array_equal(plain["weight"], host(m.weight))
    mapped = nn.load(path, map_location=DEVICE)
    assert all(ag.backend.device_of(v) == ag.device(DEVICE) for v in mapped.values())
    cpu = nn.Linear(3, 2)
    cpu.load_state_dict(mapped)  # device values into a CPU model
    np.testing.assert_array_equal(cpu.weight.numpy(), plain["weight"])
    other = nn.Linear(3, 2).to(DEVICE)
    other.load_state_dict(plain)  # host values into a device model: copied onto the device
    assert_on_device(other.weight)
    np.testing.assert_array_equal(host(other.weight), plain["weight"])
    with pytest.raises(TypeError, match="map_location must be a device such as 'cpu' or 'cuda'"):
        nn.load(path, map_location=lambda s, loc: s)


def test_dataloader_accepts_pin_memory_and_batches_on_the_dataset_device():
    x = ag.randn(10, 3, device=DEVICE)
    y = ag.arange(10, device=DEVICE)
    loader = nn.data.DataLoader(nn.data.TensorDataset(x, y), batch_size=4, shuffle=True, pin_memory=True)
    seen = []
    for xb, yb in loader:
        assert_on_device(xb)
        assert_on_device(yb)
        seen += host(yb).tolist()
    assert sorted(seen) == list(range(10))
    host_loader = nn.data.DataLoader(nn.data.TensorDataset(np.ones((4, 2))), batch_size=2, pin_memory=True)
    (xb,) = next(iter(host_loader))
    assert_on_device(xb.to(DEVICE))


def _lenet():
    return nn.Sequential(
        nn.Conv2d(1, 4, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(8 * 3 * 3, 16), nn.ReLU(), nn.Linear(16, 10))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_cnn_training_steps_match_the_cpu(dtype):
    cpu, dev = _pair(_lenet, dtype)
    oc = optim.SGD(cpu.parameters(), lr=0.05, momentum=0.9)
    od = optim.SGD(dev.parameters(), lr=0.05, momentum=0.9)
    x0 = np.random.default_rng(7).standard_normal((6, 1, 20, 20)).astype(dtype)
    y0 = np.random.default_rng(8).integers(0, 10, 6)
    lc = _train(cpu, oc, ag.tensor(x0), ag.tensor(y0), steps=3)
    ld = _train(dev, od, ag.tensor(x0, device=DEVICE), ag.tensor(y0, device=DEVICE), steps=3)
    assert lc[-1] < lc[0]
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(ld, lc, **tol)
    for pc, pd in zip(cpu.parameters(), dev.parameters()):
        np.testing.assert_allclose(host(pd), pc.numpy(), **tol)

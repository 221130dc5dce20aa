"""Every worked example of the lecture notes (../shared/seeds/), with the notes' numbers.

One test per example of SEEDS-COVERAGE.md's checklist that carries numbers or an exact
identity; the docstring names the seed file and the slide. Where the notes' printed
formula has a slip, the test shows both: the library's (correct) value, and that the
literal formula differs, so the slip is on record. Seeds: 000 Echenim, 001 U Kang,
002 Kagan, 003 Deleforge, 004 Peeters.
"""
import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from tests.helpers import requires_torch, torch


def f64(a, grad=False):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def constant_gradient_path(make, steps=3, g=0.5):
    """theta after each step from theta = 1 on f = g theta: the notes' optimizer setting."""
    p = f64([1.0], grad=True)
    opt, out = make([p]), []
    for _ in range(steps):
        opt.zero_grad()
        (g * p).sum().backward()
        opt.step()
        out.append(float(p.array[0]))
    return np.array(out)


# ================================================================ 002: the grad-table example
def _sin_example():
    x1, x2 = f64(2.0, True), f64(3.0, True)
    w3 = x1 * x2
    w4 = ag.sin(x1)
    w5 = w3 + w4
    return x1, x2, w3, w4, w5


def test_002_forward_values():
    """002 "Problem: Compute gradients of z": w3 = 6, w4 = 0.9, w5 = 6.9 at (2, 3)."""
    *_, w3, w4, w5 = _sin_example()
    assert w3.item() == 6.0
    assert w4.item() == pytest.approx(math.sin(2.0)) and round(w4.item(), 1) == 0.9
    assert w5.item() == pytest.approx(6.9093, abs=1e-4) and round(w5.item(), 1) == 6.9


def test_002_reverse_mode_grad_table():
    """002 "Compute derivatives ... from end to beginning": dz/dw5 = dz/dw3 = dz/dw4 = 1,
    dz/dx2 = w1 = 2, dz/dx1 = cos 2 + 3 = 2.58."""
    x1, x2, w3, w4, w5 = _sin_example()
    table = ag.grad_table(w5)
    for t in (w5, w3, w4):
        assert table[t].item() == 1.0
    assert table[x2].item() == 2.0
    assert table[x1].item() == pytest.approx(math.cos(2.0) + 3.0, abs=1e-12)
    assert round(table[x1].item(), 2) == 2.58


def test_002_forward_mode():
    """002 "Apply chain rule with multiplication": forward mode dz/dx2 = 1*2*1*1 = 2."""
    f = lambda x: ag.sin(x[0]) + x[0] * x[1]  # noqa: E731
    _, d2 = ag.functional.jvp(f, f64([2.0, 3.0]), f64([0.0, 1.0]))
    _, d1 = ag.functional.jvp(f, f64([2.0, 3.0]), f64([1.0, 0.0]))
    assert d2.item() == pytest.approx(2.0) and d1.item() == pytest.approx(2.5838531, abs=1e-7)


# ================================================================ 002: convolution
def test_002_convolution_as_a_differential_operator():
    """002: (0,0,0,0,1,2,3,4,4,4,4) conv (-1,1) = (0,0,0,1,1,1,1,0,0,0)."""
    x = f64([0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4]).reshape(1, 1, -1)
    u = f64([-1, 1]).reshape(1, 1, 2)
    out = F.conv1d(x, u).numpy().ravel()
    np.testing.assert_array_equal(out, [0, 0, 0, 1, 1, 1, 1, 0, 0, 0])


def test_002_conv_output_size_and_parameter_sharing():
    """002: output (H-h+1) x (W-w+1); a 3x3x3 kernel has 27 weights vs O(10^10) fully connected."""
    out = F.conv2d(ag.zeros(1, 3, 7, 9), ag.zeros(1, 3, 3, 2))
    assert out.shape == (1, 1, 7 - 3 + 1, 9 - 2 + 1) == (1, 1, 5, 8)
    assert nn.Conv2d(3, 1, 3, bias=False).weight.numel() == 27
    dense = (256 * 256 * 3) ** 2
    assert 1e10 < dense < 1e11 and dense == 38_654_705_664


# ================================================================ 002: the two-layer derivation
def test_002_two_layer_gradient_and_the_notes_sign_slip():
    """002 "How to compute gradients?": h = w^T s(Ux), BCE. The correct dL/dw is
    sum(-y (1 - p) + (1 - y) p) s(Ux) = sum (p - y) s(Ux); the notes print the first term
    as +y(1 - s), which gives a different (wrong) vector."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5).astype(np.float64)
    U, w = f64(rng.standard_normal((4, 3)), True), f64(rng.standard_normal(4), True)
    hidden = ag.sigmoid(f64(X) @ U.T)
    h = hidden @ w
    F.binary_cross_entropy_with_logits(h, f64(y), reduction="sum").backward()
    p, s = 1 / (1 + np.exp(-h.numpy())), hidden.numpy()
    correct = ((-y * (1 - p) + (1 - y) * p)[:, None] * s).sum(0)
    literal = ((y * (1 - p) + (1 - y) * p)[:, None] * s).sum(0)
    np.testing.assert_allclose(w.grad.numpy(), correct, rtol=1e-12)
    assert np.abs(literal - correct).max() > 0.1


# ================================================================ 003
def test_003_least_squares_gradient_and_closed_form():
    """003 "Fitting an affine model via least squares": g = (1/T)||W theta - y||^2,
    grad = (2/T) W^T (W theta - y) (the notes drop the 1/T), zero at theta = W^+ y."""
    rng = np.random.default_rng(1)
    T = 50
    W = np.c_[rng.uniform(-2, 2, T), np.ones(T)]
    yv = 1.5 * W[:, 0] - 0.7 + 0.3 * rng.standard_normal(T)
    theta = f64([0.3, 0.2], True)
    ((f64(W) @ theta - f64(yv)) ** 2).mean().backward()
    r = W @ theta.numpy() - yv
    np.testing.assert_allclose(theta.grad.numpy(), 2 / T * W.T @ r, rtol=1e-12)
    assert np.abs(2 * W.T @ r - theta.grad.numpy()).max() > 1.0  # the notes' literal 2 W^T r is T times larger
    best = f64(np.linalg.pinv(W) @ yv, True)
    ((f64(W) @ best - f64(yv)) ** 2).mean().backward()
    np.testing.assert_allclose(best.grad.numpy(), 0, atol=1e-12)


def test_003_pytorch_tensor_snippet():
    """003 "Tensors" / "Variables, Functions and Autograd": a**2, sum 30, a.grad = 2a."""
    a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    np.testing.assert_array_equal((a ** 2).numpy(), [[1, 4], [9, 16]])
    y = (a ** 2).sum()
    assert y.item() == 30.0
    y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [[2, 4], [6, 8]])


def test_003_two_layer_net_shapes():
    """003 "Models": TwoLayerNet with N, D_in, H, D_out = 32, 100, 50, 10 gives y_pred (32, 10)."""
    class TwoLayerNet(nn.Module):
        def __init__(self, D_in, H, D_out):
            super().__init__()
            self.linear1 = nn.Linear(D_in, H)
            self.linear2 = nn.Linear(H, D_out)

        def forward(self, x):
            return self.linear2(F.relu(self.linear1(x)))

    N, D_in, H, D_out = 32, 100, 50, 10
    assert TwoLayerNet(D_in, H, D_out)(ag.randn(N, D_in)).shape == (32, 10)


def test_003_momentum_v_form():
    """003 "SGD with Momentum": v <- a v - eps g, theta <- theta + v (v^(i+1): the notes print
    v^(i)). a = 0.9, eps = 0.1, g = 0.5: 0.95, 0.855, 0.7195."""
    path = constant_gradient_path(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9))
    np.testing.assert_allclose(path, [0.95, 0.855, 0.7195], atol=1e-12)


def test_003_my_cross_entropy_loss_corrected():
    """003 "Loss": myCrossEntropyLoss via log_softmax (the notes' code, with its indexing
    fixed) equals nn.CrossEntropyLoss."""
    rng = np.random.default_rng(2)
    outputs, labels = f64(rng.standard_normal((6, 4))), rng.integers(0, 4, 6)
    logp = F.log_softmax(outputs, dim=1).numpy()
    mine = -logp[np.arange(6), labels].sum() / 6
    assert nn.CrossEntropyLoss()(outputs, ag.tensor(labels)).item() == pytest.approx(mine, rel=1e-12)


def test_003_minibatch_noise_sqrt_b_law():
    """003 "Splitting the training set into B minibatches": the gradient estimate's standard
    deviation grows only like sqrt(B) when the batch shrinks B times (std * sqrt(M) constant)."""
    rng = np.random.default_rng(3)
    g = rng.standard_normal(4096) * 3 + 1  # per-sample gradients
    ratios = []
    for M in (1, 4, 16, 64):
        means = g[rng.integers(0, len(g), (4000, M))].mean(1)
        ratios.append(means.std() * math.sqrt(M))
    assert max(ratios) / min(ratios) < 1.1


# ================================================================ 000 and 001
def test_000_gradient_check_recipe():
    """000 "Bonus": perturb w by w(1 +- eps), A = (C+ - C-)/(2 eps w),
    |A - G| / (|A| + |G|) <= delta, on a 3-4-2 sigmoid network with C = 1/2 ||a - r||^2
    (the notes give no eps or delta; eps = 1e-5, delta = 1e-6 here)."""
    rng = np.random.default_rng(4)
    params = [rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((2, 4)),
              rng.standard_normal(2)]
    x, r = rng.standard_normal(3), rng.standard_normal(2)

    def cost(ps):
        a1 = ag.sigmoid(ps[0] @ f64(x) + ps[1])
        a2 = ag.sigmoid(ps[2] @ a1 + ps[3])
        return 0.5 * ((a2 - f64(r)) ** 2).sum()

    ts = [f64(p, True) for p in params]
    cost(ts).backward()
    eps, worst = 1e-5, 0.0
    for k in (0, 2):  # the notes loop over the weight matrices Omega^l
        p = params[k]
        for idx in np.ndindex(p.shape):  # noqa: B007
            plus, minus = [q.copy() for q in params], [q.copy() for q in params]
            plus[k][idx] *= 1 + eps
            minus[k][idx] *= 1 - eps
            A = (cost([f64(q) for q in plus]).item() - cost([f64(q) for q in minus]).item()) / (2 * eps * p[idx])
            G = ts[k].grad.numpy()[idx]
            worst = max(worst, abs(A - G) / (abs(A) + abs(G) + 1e-300))
    assert worst <= 1e-6, worst


def test_001_one_hidden_layer_with_weight_penalty():
    """001 "Example": a = W x, h = s(a), yhat = v^T h, J = (yhat - y)^2 + lam(||W||_F^2 + ||v||^2):
    g = 2(yhat - y), grad_v J = g h + 2 lam v, grad_W J = (g v * s'(a)) x^T + 2 lam W."""
    rng = np.random.default_rng(5)
    W, v, x, y, lam = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal(3), 0.7, 0.1
    Wt, vt = f64(W, True), f64(v, True)
    a = Wt @ f64(x)
    h = ag.sigmoid(a)
    yhat = (vt * h).sum()
    J = (yhat - y) ** 2 + lam * ((Wt ** 2).sum() + (vt ** 2).sum())
    J.backward()
    hn = h.numpy()
    g = 2 * (yhat.item() - y)
    np.testing.assert_allclose(vt.grad.numpy(), g * hn + 2 * lam * v, rtol=1e-12)
    grad_a = g * v * hn * (1 - hn)
    np.testing.assert_allclose(Wt.grad.numpy(), np.outer(grad_a, x) + 2 * lam * W, rtol=1e-12)


def test_000_mse_halved_gradient_and_logistic_cost():
    """000 "Examples of individual cost functions": d/dyhat 1/2 (y - yhat)^2 = yhat - y;
    log(1 + exp(-y yhat)) with y in {-1, +1} is BCE with labels (y + 1)/2."""
    yhat, y = f64([0.3, -1.2, 2.0], True), f64([1.0, 0.5, -0.5])
    (0.5 * F.mse_loss(yhat, y, reduction="sum")).backward()
    np.testing.assert_allclose(yhat.grad.numpy(), yhat.numpy() - y.numpy())
    s, lab = f64([2.0, -0.5, 0.3, -3.0]), f64([1.0, 1.0, -1.0, 1.0])
    np.testing.assert_allclose(F.logistic_loss(s, lab, reduction="none").numpy(),
                               F.binary_cross_entropy_with_logits(s, (lab + 1) / 2, reduction="none").numpy(),
                               rtol=1e-12)


# ================================================================ 004: logistic regression, Example 1
def test_004_logistic_regression_backward():
    """004 "Backward propagation": dL/da = (a - y)/(a(1 - a)), dL/dz = a - y, dL/dw_d = x_d dL/dz."""
    x, w, b, yv = np.array([0.7, -0.4]), f64([0.2, 0.9], True), f64(0.1, True), 1.0
    z = (f64(x) * w).sum() + b
    a = ag.sigmoid(z)
    a.retain_grad()
    F.binary_cross_entropy(a, f64(yv)).backward()
    an = a.item()
    assert a.grad.item() == pytest.approx((an - yv) / (an * (1 - an)), rel=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), x * (an - yv), rtol=1e-12)
    assert b.grad.item() == pytest.approx(an - yv, rel=1e-12)


def test_004_example_1_least_squares_through_a_sigmoid():
    """004 "Example 1": dL/dw = (s(wx + b) - y) s'(wx + b) x; x = 0.8, w = 0.5, b = -0.2,
    y = 0.3 gives 0.0494704 by calculus and by back-propagation."""
    w, b = f64(0.5, True), f64(-0.2, True)
    L = 0.5 * (ag.sigmoid(w * 0.8 + b) - 0.3) ** 2
    L.backward()
    s = 1 / (1 + math.exp(-0.2))
    assert w.grad.item() == pytest.approx((s - 0.3) * s * (1 - s) * 0.8, rel=1e-12)
    assert w.grad.item() == pytest.approx(0.0494704, abs=5e-8)


@requires_torch
def test_004_example_1_matches_torch():
    w, b = torch.tensor(0.5, dtype=torch.float64, requires_grad=True), torch.tensor(-0.2, dtype=torch.float64)
    (0.5 * (torch.sigmoid(w * 0.8 + b) - 0.3) ** 2).backward()
    assert w.grad.item() == pytest.approx(0.0494704, abs=5e-8)


# ================================================================ 004: activations
def test_004_sigmoid_identities():
    """004 "Sigmoid" / "Hyperbolic tangent": max s' = 1/4; s(-z) = 1 - s(z); tanh z = 2 s(2z) - 1."""
    z = f64(np.linspace(-6, 6, 1201), True)
    s = ag.sigmoid(z)
    s.sum().backward()
    assert z.grad.numpy().max() == pytest.approx(0.25, abs=1e-12)
    np.testing.assert_allclose(ag.sigmoid(-z).numpy(), 1 - s.numpy(), atol=1e-15)
    np.testing.assert_allclose(ag.tanh(z).numpy(), 2 * ag.sigmoid(2 * z).numpy() - 1, atol=1e-14)


def test_004_activation_table_at_zero():
    """004 activation table vs the library at x = 0: relu'(0) = 0 (the ReLU slide; the table
    says 1), leaky'(0) = 0.01 (the Leaky ReLU slide), elu'(0) = alpha (PyTorch; the table
    says 1, the same for alpha = 1). The docstrings state each convention."""
    def d0(fn):
        x = f64(0.0, True)
        fn(x).backward()
        return x.grad.item()
    assert d0(F.relu) == 0.0
    assert d0(F.leaky_relu) == 0.01
    assert d0(F.elu) == 1.0
    assert d0(lambda x: F.elu(x, alpha=2.0)) == 2.0
    assert "the notes' table" in F.elu.__doc__ and "alpha at x = 0" in F.elu.__doc__
    assert "notes' table" in nn.ELU.__doc__
    assert "1 \"for x >= 0\"" in F.relu.__doc__


@requires_torch
def test_004_activation_conventions_at_zero_are_torchs():
    for ours, theirs in [(F.relu, torch.relu), (lambda x: F.elu(x, alpha=2.0),
                                                lambda x: torch.nn.functional.elu(x, alpha=2.0)),
                         (F.leaky_relu, torch.nn.functional.leaky_relu)]:
        x, t = f64(0.0, True), torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        ours(x).backward()
        theirs(t).backward()
        assert x.grad.item() == t.grad.item()


# ================================================================ 004: XOR, softmax, linear collapse
def test_004_xor_from_and_or():
    """004 "Solution to the XOR problem": x' = (AND(x1, x2), OR(x1, x2)) makes XOR separable."""
    X = f64([[0, 0], [0, 1], [1, 0], [1, 1]])
    AND = F.binary_step(X.sum(1) - 1.5)
    OR = F.binary_step(X.sum(1) - 0.5)
    np.testing.assert_array_equal(np.c_[AND.numpy(), OR.numpy()], [[0, 0], [0, 1], [0, 1], [1, 1]])
    np.testing.assert_array_equal(F.binary_step(OR - AND - 0.5).numpy(), [0, 1, 1, 0])


def test_004_softmax_redundancy_and_two_classes():
    """004 "Output activation function: softmax": subtracting psi from every w_o changes
    nothing; with K = 2 the softmax is the logistic 1/(1 + e^{(w2 - w1) x})."""
    rng = np.random.default_rng(6)
    Wc, x, psi = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(4)
    np.testing.assert_allclose(F.softmax(f64(Wc @ x), dim=0).numpy(),
                               F.softmax(f64((Wc - psi) @ x), dim=0).numpy(), rtol=1e-12)
    w1, w2 = Wc[0], Wc[1]
    p1 = F.softmax(f64(np.stack([w1, w2]) @ x), dim=0).numpy()[0]
    assert p1 == pytest.approx(1 / (1 + np.exp((w2 - w1) @ x)), rel=1e-12)


def test_004_softmax_cross_entropy_backward():
    """004 "Multi-class classification - Backward": dL/dz_o = yhat_o - y_o."""
    z = f64([0.5, -1.0, 2.0], True)
    F.cross_entropy(z.reshape(1, 3), ag.tensor([2])).backward()
    p = np.exp(z.numpy()) / np.exp(z.numpy()).sum()
    np.testing.assert_allclose(z.grad.numpy(), p - [0, 0, 1], rtol=1e-12)


def test_004_linear_layers_collapse():
    """004 "Why non-linear activation functions ?": with linear g the network is x W' + b'."""
    ag.manual_seed(0)
    l1, l2 = nn.Linear(3, 5).double(), nn.Linear(5, 2).double()
    x = f64(np.random.default_rng(7).standard_normal((4, 3)))
    W1, b1, W2, b2 = (p.numpy() for p in (l1.weight, l1.bias, l2.weight, l2.bias))
    np.testing.assert_allclose(l2(l1(x)).numpy(), x.numpy() @ (W2 @ W1).T + (W2 @ b1 + b2), rtol=1e-12)


def test_004_notation_shapes():
    """004 "Neural Networks (1 hidden layer)": n0 = 3, n1 = 4, n2 = 1; the notes' W^[1] is
    (n0, n1) = (3, 4), nn.Linear stores its transpose (out, in)."""
    assert nn.Linear(3, 4).weight.shape == (4, 3) and nn.Linear(4, 1).weight.shape == (1, 4)


# ================================================================ 004: initialisation
def test_004_zero_init_gives_identical_rows():
    """004 "Initialise W with all zeros ?": equal weights give dL/dW1 = (u u u; v v v) (each
    hidden unit's row of the notes' (in, out) W^[1] has one value)."""
    net = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1)).double()
    for m in (net[0], net[2]):
        nn.init.constant_(m.weight, 0.3)
        nn.init.zeros_(m.bias)
    F.mse_loss(net(f64([[1.0, -2.0]])), f64([[1.0]])).backward()
    g = net[0].weight.grad.numpy().T  # the notes' (in, out) layout: rows = inputs
    np.testing.assert_allclose(g, np.repeat(g[:, :1], 3, axis=1), rtol=1e-12)


@pytest.mark.parametrize("L, scale", [(20, 1.5), (20, 0.5)])
def test_004_exploding_and_vanishing_with_diagonal_weights(L, scale):
    """004 "Vanishing/ exploding gradients": L - 1 linear layers W = diag(scale, scale) and an
    output layer (1, 1): yhat = 2 scale^(L-1) for X = (1, 1), d yhat / d W^[L] = scale^(L-1)."""
    h = f64([1.0, 1.0])
    for _ in range(L - 1):
        h = f64(np.diag([scale, scale])) @ h
    w_out = f64([1.0, 1.0], True)
    yhat = (w_out * h).sum()
    yhat.backward()
    assert yhat.item() == pytest.approx(2 * scale ** (L - 1), rel=1e-12)
    np.testing.assert_allclose(w_out.grad.numpy(), scale ** (L - 1), rtol=1e-12)
    if scale == 1.5:
        assert yhat.item() == pytest.approx(4433.68, abs=0.01)
    else:
        assert w_out.grad.numpy()[0] == pytest.approx(1.907e-6, rel=1e-3)


def test_004_initialisation_variances_400_to_100():
    """004 "Weight initialisation": randn * 0.01 (1e-4), 1/n ("Xavier": 2.5e-3), ReLU 2/n (5e-3),
    "Bengio" as printed 2/(n^[l-1] n^[l]) (5e-5) and as in Glorot & Bengio 2/(n_in + n_out) (4e-3)."""
    cases = [(nn.init.small_random_, 1e-4), (nn.init.lecun_normal_, 2.5e-3),
             (lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), 5e-3),
             (nn.init.bengio_product_normal_, 5e-5), (nn.init.bengio_, 4e-3)]
    ag.manual_seed(0)
    for init, var in cases:
        assert init(nn.Linear(400, 100).weight).array.var() == pytest.approx(var, rel=0.03)


# ================================================================ 004: optimizers
def test_004_momentum_ema():
    """004 "Momentum": V = b V + (1 - b) g, theta -= a V (a 0.1, b 0.9, g 0.5)."""
    np.testing.assert_allclose(constant_gradient_path(lambda ps: optim.Momentum(ps, lr=0.1, beta=0.9)),
                               [0.995, 0.9855, 0.97195], atol=1e-12)


def test_004_nesterov_look_ahead():
    """004 "Nesterov Accelerated Gradient": on 1/2 theta^2 (a 0.1, b 0.9) the notes' theta is
    0.99, 0.97119, 0.94472; optim.Nesterov holds the look-ahead phi = theta - a b V."""
    theta, V, thetas, phis = 1.0, 0.0, [], []
    for _ in range(3):
        V = 0.9 * V + 0.1 * (theta - 0.09 * V)
        theta -= 0.1 * V
        thetas.append(theta)
        phis.append(theta - 0.09 * V)
    np.testing.assert_allclose(thetas, [0.99, 0.97119, 0.94472], atol=5e-6)
    p = f64([1.0], True)
    opt, lib = optim.Nesterov([p], lr=0.1, beta=0.9), []
    for _ in range(3):
        opt.zero_grad()
        (0.5 * p ** 2).sum().backward()
        opt.step()
        lib.append(p.item())
    np.testing.assert_allclose(lib, phis, rtol=1e-12)
    np.testing.assert_allclose(lib, [0.981, 0.95426, 0.92089], atol=5e-6)


def test_004_adagrad_and_rmsprop():
    """004 "AdaGrad", "RMSprop" (a 0.1, g 0.5, gamma 0.9)."""
    np.testing.assert_allclose(constant_gradient_path(lambda ps: optim.Adagrad(ps, lr=0.1)),
                               [0.9, 0.82929, 0.77155], atol=5e-6)
    for inside in (False, True):
        np.testing.assert_allclose(
            constant_gradient_path(lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9, eps_inside_sqrt=inside)),
            [0.68377, 0.45436, 0.26226], atol=5e-6)


def test_004_adadelta_as_the_notes_write_it():
    """004 "AdaDelta": the notes' formula is RMSprop's (eps inside the root): 0.684, 0.454,
    0.262; optim.Adadelta is Zeiler's algorithm: 0.99684, 0.99359, 0.99029."""
    notes = constant_gradient_path(lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9, eps_inside_sqrt=True))
    np.testing.assert_allclose(notes, [0.684, 0.454, 0.262], atol=5e-4)
    np.testing.assert_allclose(constant_gradient_path(lambda ps: optim.Adadelta(ps)),
                               [0.99684, 0.99359, 0.99029], atol=5e-6)


def test_004_adam_as_the_notes_write_it():
    """004 "Adam": no bias correction, eps inside the root: 0.684, 0.259, -0.236 (lr 0.1,
    g 0.5); PyTorch's rule (the default) gives 0.9, 0.8, 0.7."""
    notes = constant_gradient_path(lambda ps: optim.Adam(ps, lr=0.1, bias_correction=False,
                                                         eps_inside_sqrt=True))
    np.testing.assert_allclose(notes, [0.68378, 0.25882, -0.23620], atol=5e-6)
    np.testing.assert_allclose(constant_gradient_path(lambda ps: optim.Adam(ps, lr=0.1)), [0.9, 0.8, 0.7],
                               atol=1e-7)


# ================================================================ 004: regularisation
def test_004_l1_l2_penalty_gradient():
    """004 "L1 and L2 regularisation": J = mean L + lam1/(2m) ||w||_1 + lam2/(2m) ||w||_2^2;
    the penalty's gradient is lam1/(2m) sign(w) + (lam2/m) w."""
    w = f64([0.5, -1.5, 0.0], True)
    m, lam1, lam2 = 40, 1.0, 1.0
    (lam1 / (2 * m) * nn.l1_penalty([w]) + lam2 / (2 * m) * nn.l2_penalty([w])).backward()
    expect = lam1 / (2 * m) * np.sign(w.numpy()) + lam2 / m * w.numpy()
    np.testing.assert_allclose(w.grad.numpy(), expect, rtol=1e-12)


def test_004_weight_decay_step():
    """004 "L1 and L2 regularisation - In neural network": W <- W(1 - a lam/m) - a dL/dW
    (m 40, lam 0.8, a 0.1) is SGD(weight_decay=lam/m) on the mean loss."""
    rng = np.random.default_rng(8)
    W0, X, Y = rng.standard_normal((3, 2)), rng.standard_normal((40, 2)), rng.standard_normal((40, 3))
    m, lam, a = 40, 0.8, 0.1
    W = f64(W0, True)
    F.mse_loss(f64(X) @ W.T, f64(Y)).backward()
    g = W.grad.numpy().copy()
    optim.SGD([W], lr=a, weight_decay=lam / m).step()
    np.testing.assert_allclose(W.numpy(), W0 * (1 - a * lam / m) - a * g, rtol=1e-12)


def test_004_dropout_defaults():
    """004 "DropOut regularisation": p = 0.5 per unit in training; the identity at test."""
    d = nn.Dropout()
    assert d.p == 0.5
    ag.manual_seed(0)
    out = d(ag.ones(10_000)).numpy()
    assert set(np.unique(out)) == {0.0, 2.0} and abs((out == 0).mean() - 0.5) < 0.02
    d.eval()
    np.testing.assert_array_equal(d(ag.ones(5)).numpy(), 1.0)


# ================================================================ 004: batch normalisation
def test_004_batch_norm_formulas_and_identity():
    """004 BN: z_norm = (z - mu)/sqrt(var + eps), z~ = gamma z_norm + beta; with
    gamma = sqrt(var + eps) and beta = mu, z~ = z."""
    rng = np.random.default_rng(9)
    z = f64(rng.standard_normal((64, 3)) * 2 + 1)
    mu, var, eps = z.numpy().mean(0), z.numpy().var(0), 1e-5
    out = F.batch_norm(z, None, None, f64(np.sqrt(var + eps)), f64(mu), training=True, eps=eps)
    np.testing.assert_allclose(out.numpy(), z.numpy(), atol=1e-12)
    plain = F.batch_norm(z, None, None, training=True, eps=eps).numpy()
    np.testing.assert_allclose(plain, (z.numpy() - mu) / np.sqrt(var + eps), atol=1e-12)


def test_004_colab_example():
    """004 "Colab": ones((2, 3)) + reshape(range(1, 7), (2, 3)) = [[2, 3, 4], [5, 6, 7]]."""
    out = ag.ones(2, 3) + ag.arange(1, 7).reshape(2, 3)
    np.testing.assert_array_equal(out.numpy(), [[2, 3, 4], [5, 6, 7]])


# ================================================================ 000/004: sampling and the perceptron
def test_000_sgd_draws_with_replacement():
    """000 "Stochastic gradient descent": i_k drawn i.i.d. uniformly on {1..N}, which
    RandomSampler(replacement=True) does; DataLoader(shuffle=True) is a permutation."""
    ds = nn.data.TensorDataset(np.arange(100.0).reshape(100, 1), np.arange(100))
    iid = nn.data.DataLoader(ds, sampler=nn.data.RandomSampler(ds, replacement=True, generator=0))
    seen = [int(y.item()) for _, y in iid]
    assert len(seen) == 100 and len(set(seen)) < 100  # repeats: sampling with replacement
    perm = [int(y.item()) for _, y in nn.data.DataLoader(ds, shuffle=True, seed=0)]
    assert sorted(perm) == list(range(100))


def test_004_perceptron_threshold():
    """004 "Perceptron model": Threshold(z) = 1 if z >= 0, 0 if z < 0; its gradient is 0."""
    z = f64([-1.0, 0.0, 2.0], True)
    out = F.binary_step(z)
    np.testing.assert_array_equal(out.numpy(), [0, 1, 1])
    out.sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), 0)

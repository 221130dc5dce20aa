"""The hand-written numpy floor: forward passes and their hand-derived backward
passes, written the way a careful person writes them in plain numpy (BLAS for
the products, im2col views for convolution, reshapes for pooling, in-place
updates). Every benchmark's ``numpy`` column runs these.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def init_linear(rng, n_in, n_out, dtype=np.float32):
    """PyTorch's default Linear initialisation: U(-1/sqrt(n_in), 1/sqrt(n_in))."""
    bound = 1.0 / np.sqrt(n_in)
    w = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
    b = rng.uniform(-bound, bound, (n_out,)).astype(dtype)
    return w, b


def init_conv(rng, c_in, c_out, k, dtype=np.float32):
    """PyTorch's default Conv2d initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / np.sqrt(c_in * k * k)
    w = rng.uniform(-bound, bound, (c_out, c_in, k, k)).astype(dtype)
    b = rng.uniform(-bound, bound, (c_out,)).astype(dtype)
    return w, b


# ------------------------------------------------------------------ losses
def cross_entropy(z, y):
    """Mean cross-entropy of logits ``z`` (N, K) against class indices ``y``, and
    d loss / d z = (softmax(z) - onehot(y)) / N."""
    n = z.shape[0]
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = -(z[rows, y] - m[:, 0] - np.log(s[:, 0])).mean()
    dz = e / s
    dz[rows, y] -= 1
    dz *= 1.0 / n
    return loss, dz


# ------------------------------------------------------------------ MLP
def mlp_step(params, x, y, lr, act="relu"):
    """One SGD step of an MLP with layers [(W, b), ...] (PyTorch layout), updating
    the arrays in place; returns the loss."""
    acts = [x]
    pre = []
    h = x
    last = len(params) - 1
    for i, (w, b) in enumerate(params):
        z = h @ w.T
        z += b
        if i < last:
            pre.append(z)
            h = np.maximum(z, 0) if act == "relu" else np.tanh(z)
            acts.append(h)
        else:
            h = z
    loss, g = cross_entropy(h, y)
    for i in range(last, -1, -1):
        w, b = params[i]
        gw = g.T @ acts[i]
        gb = g.sum(axis=0)
        if i > 0:
            g = g @ w
            if act == "relu":
                g *= pre[i - 1] > 0
            else:
                a = acts[i]
                g *= 1 - a * a
        w -= lr * gw
        b -= lr * gb
    return loss


def mlp_loss_grad(params, x, y, act="tanh"):
    """Loss and gradients (no update) of the same MLP: the hvp workload's gradient."""
    acts = [x]
    h = x
    last = len(params) - 1
    pre = []
    for i, (w, b) in enumerate(params):
        z = h @ w.T + b
        if i < last:
            pre.append(z)
            h = np.maximum(z, 0) if act == "relu" else np.tanh(z)
            acts.append(h)
        else:
            h = z
    loss, g = cross_entropy(h, y)
    grads = [None] * len(params)
    for i in range(last, -1, -1):
        w, b = params[i]
        grads[i] = (g.T @ acts[i], g.sum(axis=0))
        if i > 0:
            g = g @ w
            if act == "relu":
                g = g * (pre[i - 1] > 0)
            else:
                a = acts[i]
                g = g * (1 - a * a)
    return loss, grads


# ------------------------------------------------------------------ convolution
def conv2d_forward(x, w, b, pad):
    """Cross-correlation of x (N, C, H, W) with w (O, C, kh, kw), stride 1, zero
    padding ``pad``: one im2col copy, laid out (C kh kw, N Ho Wo) so the copy and
    the col2im adds run along contiguous rows, and one BLAS product.
    Returns (out, cache); out is an (N, O, Ho, Wo) view."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    ho, wo = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))           # N, C, Ho, Wo, kh, kw
    cols = win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * ho * wo)
    out = w.reshape(o, -1) @ cols                                    # O, N*Ho*Wo
    out += b[:, None]
    out = out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    return out, (x.shape, xp.shape, cols, w, pad)


def conv2d_backward(g, cache, need_dx=True):
    """Gradients (dx or None, dw, db) of :func:`conv2d_forward` for upstream ``g``:
    two BLAS products and a col2im of kh*kw strided slice-adds."""
    xshape, xpshape, cols, w, pad = cache
    n, c, h, wd = xshape
    o, _, kh, kw = w.shape
    ho, wo = g.shape[2], g.shape[3]
    g2 = g.transpose(1, 0, 2, 3).reshape(o, -1)                      # O, N*Ho*Wo
    dw = (g2 @ cols.T).reshape(w.shape)
    db = g2.sum(axis=1)
    if not need_dx:
        return None, dw, db
    dcols = (w.reshape(o, -1).T @ g2).reshape(c, kh, kw, n, ho, wo)
    dxp = np.zeros(xpshape, dtype=g.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i:i + ho, j:j + wo] += dcols[:, i, j].transpose(1, 0, 2, 3)
    dx = dxp[:, :, pad:pad + h, pad:pad + wd] if pad else dxp
    return dx, dw, db


def maxpool2_forward(x):
    """2x2 max pooling, stride 2 (H and W even), as the maximum of the four strided
    quarter views. Returns (out, cache)."""
    q = (x[:, :, 0::2, 0::2], x[:, :, 0::2, 1::2], x[:, :, 1::2, 0::2], x[:, :, 1::2, 1::2])
    out = np.maximum(np.maximum(q[0], q[1]), np.maximum(q[2], q[3]))
    return out, (x.shape, q, out)


def maxpool2_backward(g, cache):
    """The gradient goes to the position of each window's maximum, one strided
    write per quarter (ties, which only occur at ReLU zeros where the upstream
    gradient is zero anyway, would each receive it)."""
    shape, q, out = cache
    dx = np.empty(shape, dtype=g.dtype)
    dx[:, :, 0::2, 0::2] = np.where(q[0] == out, g, 0)
    dx[:, :, 0::2, 1::2] = np.where(q[1] == out, g, 0)
    dx[:, :, 1::2, 0::2] = np.where(q[2] == out, g, 0)
    dx[:, :, 1::2, 1::2] = np.where(q[3] == out, g, 0)
    return dx


# ------------------------------------------------------------------ LeNet
def lenet_init(rng):
    c1 = init_conv(rng, 1, 6, 5)
    c2 = init_conv(rng, 6, 16, 5)
    f1 = init_linear(rng, 16 * 5 * 5, 120)
    f2 = init_linear(rng, 120, 84)
    f3 = init_linear(rng, 84, 10)
    return [c1, c2, f1, f2, f3]


def lenet_step(params, x, y, lr):
    """One SGD step of conv(1->6,5,pad 2)+ReLU+pool -> conv(6->16,5)+ReLU+pool ->
    120 -> 84 -> 10 with cross-entropy, updating in place; returns the loss."""
    (w1, b1), (w2, b2), (w3, b3), (w4, b4), (w5, b5) = params
    z1, cc1 = conv2d_forward(x, w1, b1, 2)
    a1 = np.maximum(z1, 0)
    p1, cp1 = maxpool2_forward(a1)
    z2, cc2 = conv2d_forward(p1, w2, b2, 0)
    a2 = np.maximum(z2, 0)
    p2, cp2 = maxpool2_forward(a2)
    f = p2.reshape(p2.shape[0], -1)
    z3 = f @ w3.T + b3
    a3 = np.maximum(z3, 0)
    z4 = a3 @ w4.T + b4
    a4 = np.maximum(z4, 0)
    z5 = a4 @ w5.T + b5
    loss, g = cross_entropy(z5, y)
    gw5, gb5 = g.T @ a4, g.sum(0)
    g = (g @ w5) * (z4 > 0)
    gw4, gb4 = g.T @ a3, g.sum(0)
    g = (g @ w4) * (z3 > 0)
    gw3, gb3 = g.T @ f, g.sum(0)
    g = (g @ w3).reshape(p2.shape)
    g = maxpool2_backward(g, cp2) * (z2 > 0)
    g, gw2, gb2 = conv2d_backward(g, cc2)
    g = maxpool2_backward(g, cp1) * (z1 > 0)
    _, gw1, gb1 = conv2d_backward(g, cc1, need_dx=False)
    for (w, b), (gw, gb) in zip(params, [(gw1, gb1), (gw2, gb2), (gw3, gb3), (gw4, gb4), (gw5, gb5)]):
        w -= lr * gw
        b -= lr * gb
    return loss

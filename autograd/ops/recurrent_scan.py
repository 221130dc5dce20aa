"""One recurrent layer direction over a whole sequence as a single op: ``rnn_scan``.

Given the input projections xi_t = W_ih x_t + b_ih of every step (T, N, G H), an
initial state and W_hh (G H, H), the op runs the recurrence (``mode`` 'RNN_TANH',
'RNN_RELU', 'LSTM' or 'GRU'; ``reverse`` runs t = T-1 .. 0), with PyTorch's gate
orders:

    RNN:   h_t = act(xi_t + W_hh h_{t-1})
    LSTM:  (i, f, g, o) = (s, s, tanh, s)(xi_t + W_hh h_{t-1}),  s = sigmoid
           c_t = f c_{t-1} + i g,   h_t = o tanh(c_t)
    GRU:   hh = W_hh h_{t-1} + b_hh;  (r, z) = s(xi_t[:2H] + hh[:2H])
           n = tanh(xi_t[2H:] + r hh[2H:]),   h_t = n + z (h_{t-1} - n)

Output: (h_1 .. h_T) stacked (T, N, H); for LSTM one more row, the last cell state
c (so the output is (T + 1, N, H)).

Inputs: RNN (xi, h0, W_hh); LSTM (xi, h0, c0, W_hh); GRU (xi, h0, W_hh, b_hh).

VJP (back-propagation through time), with dh, dc flowing from t = T back to 1:

    LSTM: dc += dh o (1 - tanh^2 c_t);  d(pre-gates) = (dc g i(1-i), dc c_{t-1} f(1-f),
          dc i (1-g^2), dh tanh(c_t) o(1-o));  dc <- dc f;  dh <- d(pre-gates) W_hh
    GRU:  dn = dh (1 - z) (1 - n^2);  dz = dh (h_{t-1} - n) z(1-z);
          dr = dn hh_n r(1-r);  dh <- dh z + (dr, dz, dn r) W_hh
    RNN:  d(pre) = dh act'(pre);  dh <- d(pre) W_hh

and dxi_t = d(pre-gates)_t, dW_hh = sum_t d(hh)_t^T h_{t-1} as ONE product over all
steps, dh0 and dc0 the last dh and dc.

NOTE: a primitive for speed, not new math: the same recurrence written step by step
with autograd ops gives the same values and gradients, but records ~15 nodes per
step, slices the projections per step and sums T weight gradients. Under
``create_graph`` the VJP rebuilds exactly that step-by-step graph and differentiates
it, so second derivatives stay exact.
"""
import numpy as np

from .registry import primitive
from ..backend import backend_of

__all__ = []


def _order(T, reverse):
    return range(T - 1, -1, -1) if reverse else range(T)


def _prev_states(out, h0, T, reverse):
    """(T, N, H): the state each step started from, by time position."""
    if reverse:
        return np.concatenate([out[1:T], h0[None]], 0)
    return np.concatenate([h0[None], out[:T - 1]], 0)


# ---------------------------------------------------------------- forward (numpy)
def _sigmoid_into(x, out):
    """out = 1 / (1 + e^-x), in place.

    NOTE: e^-x overflows to inf for very negative x, and 1 / inf = 0 is the right
    value (the caller silences the warning); for every other x this formula is
    accurate to a few ulps relative, tails included. In place, it costs a fifth of
    the general ``sigmoid`` op's forward on a gate block.
    """
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    return out


def _fwd_rnn(xi, h, wt, out, act, reverse):
    for t in _order(xi.shape[0], reverse):
        pre = xi[t] + h @ wt
        h = np.tanh(pre) if act == "tanh" else np.maximum(pre, 0)
        out[t] = h
    return None


def _fwd_lstm(xi, h, c, wt, out, reverse):
    T, H = xi.shape[0], h.shape[-1]
    b = backend_of(xi)
    A = b.empty(xi.shape, out.dtype)      # i, f, g, o after their nonlinearities
    TC = b.empty((T,) + h.shape, out.dtype)  # tanh(c_t)
    C = b.empty((T,) + h.shape, out.dtype)
    for t in _order(T, reverse):
        gates = xi[t] + h @ wt
        a = A[t]
        _sigmoid_into(gates, a)
        np.tanh(gates[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
        c = a[:, H:2 * H] * c + a[:, :H] * a[:, 2 * H:3 * H]
        C[t] = c
        TC[t] = np.tanh(c)
        h = a[:, 3 * H:] * TC[t]
        out[t] = h
    out[T] = c
    return A, C, TC


def _fwd_gru(xi, h, wt, b, out, reverse):
    T, H = xi.shape[0], h.shape[-1]
    be = backend_of(xi)
    A = be.empty(xi.shape, out.dtype)      # r, z, n
    HN = be.empty((T,) + h.shape, out.dtype)  # W_hn h + b_hn
    for t in _order(T, reverse):
        hh = h @ wt + b
        x = xi[t]
        a = A[t]
        _sigmoid_into(x[:, :2 * H] + hh[:, :2 * H], a[:, :2 * H])
        a[:, 2 * H:] = np.tanh(x[:, 2 * H:] + a[:, :H] * hh[:, 2 * H:])
        HN[t] = hh[:, 2 * H:]
        n = a[:, 2 * H:]
        h = n + a[:, H:2 * H] * (h - n)
        out[t] = h
    return A, HN


@primitive("rnn_scan", saves=True, public="nn.functional.rnn")
def rnn_scan(xi, h0, *rest, mode, reverse=False):
    """out = the stacked hidden states of a recurrent layer run over xi (see the module
    docstring for the recurrences, shapes and the VJP)."""
    dt = np.result_type(xi.dtype, h0.dtype, *[r.dtype for r in rest])
    T = xi.shape[0]
    be = backend_of(xi)
    out = be.empty((T + (mode == "LSTM"),) + h0.shape, dt)
    xi, h0 = xi.astype(dt, copy=False), h0.astype(dt, copy=False)
    w = rest[0] if mode == "GRU" else rest[-1]
    # NOTE: a contiguous copy of W_hh^T, made once: the per-step product h W_hh^T is
    # then ~2x faster than through the transposed view (small batches, OpenBLAS).
    wt = be.ascontiguousarray(w.T, dt)
    with np.errstate(over="ignore"):
        if mode == "LSTM":
            saved = _fwd_lstm(xi, h0, rest[0].astype(dt, copy=False), wt, out, reverse)
        elif mode == "GRU":
            saved = _fwd_gru(xi, h0, wt, rest[1].astype(dt, copy=False), out, reverse)
        else:
            saved = _fwd_rnn(xi, h0, wt, out, "tanh" if mode == "RNN_TANH" else "relu", reverse)
    return out, saved


# ---------------------------------------------------------------- VJP (numpy)
def _bwd_rnn(g, out, w, dXI, act, reverse):
    dh = backend_of(g).zeros(g.shape[1:], dXI.dtype)
    for t in _order(g.shape[0], not reverse):
        dh += g[t]
        y = out[t]
        dXI[t] = dh * (1 - y * y) if act == "tanh" else dh * (y > 0)
        dh = dXI[t] @ w
    return dh


def _bwd_lstm(g, out, c0, w, saved, dXI, reverse):
    A, C, TC = saved
    T, H = dXI.shape[0], c0.shape[-1]
    first = T - 1 if reverse else 0
    dh = backend_of(g).zeros(c0.shape, dXI.dtype)
    dc = g[T].astype(dXI.dtype)  # a copy
    for t in _order(T, not reverse):
        dh += g[t]
        a, tc, d = A[t], TC[t], dXI[t]
        i, f, gg, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        cprev = c0 if t == first else C[t + 1 if reverse else t - 1]
        dc += dh * o * (1 - tc * tc)
        d[:, 3 * H:] = dh * tc * o * (1 - o)
        d[:, :H] = dc * gg * i * (1 - i)
        d[:, H:2 * H] = dc * cprev * f * (1 - f)
        d[:, 2 * H:3 * H] = dc * i * (1 - gg * gg)
        dc *= f
        dh = d @ w
    return dh, dc


def _bwd_gru(g, out, h0, w, saved, dXI, dHH, reverse):
    A, HN = saved
    T, H = dXI.shape[0], h0.shape[-1]
    first = T - 1 if reverse else 0
    dh = backend_of(g).zeros(h0.shape, dXI.dtype)
    for t in _order(T, not reverse):
        dh += g[t]
        a, d, e = A[t], dXI[t], dHH[t]
        r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        hp = h0 if t == first else out[t + 1 if reverse else t - 1]
        dn = dh * (1 - z) * (1 - n * n)
        d[:, H:2 * H] = dh * (hp - n) * z * (1 - z)
        d[:, :H] = dn * HN[t] * r * (1 - r)
        d[:, 2 * H:] = dn
        e[:, :2 * H] = d[:, :2 * H]
        e[:, 2 * H:] = dn * r
        dh = dh * z + e @ w
    return dh


def _vjp_raw(n, g, out, xi, h0, *rest):
    mode, reverse = n.params["mode"], n.params.get("reverse", False)
    T = xi.shape[0]
    dt = out.dtype
    be = backend_of(g)
    dXI = be.empty(xi.shape, dt)
    w = rest[-1] if mode != "GRU" else rest[0]
    w = w.astype(dt, copy=False)
    if mode == "LSTM":
        gh0, gc0 = _bwd_lstm(g, out, rest[0].astype(dt, copy=False), w, n.saved, dXI, reverse)
        dHH = dXI
    elif mode == "GRU":
        dHH = be.empty(xi.shape, dt)
        gh0 = _bwd_gru(g, out, h0.astype(dt, copy=False), w, n.saved, dXI, dHH, reverse)
    else:
        gh0 = _bwd_rnn(g, out, w, dXI, "tanh" if mode == "RNN_TANH" else "relu", reverse)
        dHH = dXI
    prev = _prev_states(out, h0.astype(dt, copy=False), T, reverse)
    gw = dHH.reshape(-1, dHH.shape[-1]).T @ prev.reshape(-1, prev.shape[-1])
    if mode == "LSTM":
        return dXI, gh0, gc0, gw
    if mode == "GRU":
        return dXI, gh0, gw, dHH.sum(axis=(0, 1))
    return dXI, gh0, gw


# ---------------------------------------------------------------- VJP under create_graph
def _composite(ns, xi, h0, *rest, mode, reverse=False):
    """The same recurrence step by step with autograd ops (recorded)."""
    T, H = xi.shape[0], h0.shape[-1]
    h, outs = h0, [None] * T
    c = rest[0] if mode == "LSTM" else None
    w = rest[-1] if mode != "GRU" else rest[0]
    for t in _order(T, reverse):
        x = ns.getitem(xi, t)
        if mode == "GRU":
            hh = ns.matmul(h, ns.swapaxes(w, 0, 1)) + rest[1]
            rz = ns.sigmoid(x[:, :2 * H] + hh[:, :2 * H])
            nn_ = ns.tanh(x[:, 2 * H:] + rz[:, :H] * hh[:, 2 * H:])
            h = nn_ + rz[:, H:] * (h - nn_)
        else:
            pre = x + ns.matmul(h, ns.swapaxes(w, 0, 1))
            if mode == "LSTM":
                s = ns.sigmoid(pre)
                c = s[:, H:2 * H] * c + s[:, :H] * ns.tanh(pre[:, 2 * H:3 * H])
                h = s[:, 3 * H:] * ns.tanh(c)
            else:
                h = ns.tanh(pre) if mode == "RNN_TANH" else ns.relu(pre)
        outs[t] = h
    return ns.stack(outs + ([c] if mode == "LSTM" else []), 0)


def rnn_scan_vjp(ns, n, g, out, *inputs):
    if not ns.create_graph:
        return _vjp_raw(n, g, out, *inputs)
    y = _composite(ns, *inputs, **n.params)
    need = [x for x in inputs if x._rg]
    got = iter(ns.grad([y], need, [g], create_graph=True, allow_unused=True))
    return tuple(next(got) if x._rg else None for x in inputs)


rnn_scan.defvjp(rnn_scan_vjp)

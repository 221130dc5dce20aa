"""Recurrent cells and layers (Elman RNN, LSTM, GRU), written with autograd ops, with
PyTorch's weight layouts and gate orders.

For input x_t (N, I) and previous hidden state h (N, H), with W_ih (G H, I),
W_hh (G H, H) and the gates stacked in PyTorch's order:

    RNN  (G = 1):  h' = act(W_ih x_t + b_ih + W_hh h + b_hh),  act = tanh or relu
    LSTM (G = 4, order i, f, g, o):
        i, f, o = sigmoid(.),  g = tanh(.)   of  W_ih x_t + b_ih + W_hh h + b_hh
        c' = f * c + i * g,    h' = o * tanh(c')      (h' = W_hr h' with proj_size)
    GRU  (G = 3, order r, z, n):
        r, z = sigmoid(W_i{r,z} x_t + b_i{r,z} + W_h{r,z} h + b_h{r,z})
        n = tanh(W_in x_t + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

NOTE: for speed, a layer computes the input projections W_ih x_t + b_ih of all time
steps as one matrix product before the loop; only W_hh h is computed per step, and
the time loop of each direction is the single op ``rnn_scan`` (autograd/ops/
recurrent_scan.py: back-propagation through time in numpy, W_hh's gradient as one
product over all steps). The cells, and the LSTM with ``proj_size``, are written step
by step with autograd ops (the same math, one node per operation); there the
per-step slices of the projections are cut by halving (``_unbind``), so the backward
pass scatters into arrays of total size O(T log T), not the O(T^2) of T full slices.
"""
import numpy as np

import autograd as ag

from .dropout import dropout

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "rnn"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---------------------------------------------------------------- one step
def _rnn_step(act):
    def step(xi, h, w_hh, b_hh, w_hr=None):
        return act(xi + ag.linear(h, w_hh, b_hh))
    return step


def _lstm_step(xi, state, w_hh, b_hh, w_hr=None):
    """One LSTM step from the input projection ``xi`` = W_ih x_t + b_ih; state = (h, c)."""
    h, c = state
    gates = xi + ag.linear(h, w_hh, b_hh)
    H = gates.shape[-1] // 4
    s = ag.sigmoid(gates)
    i, f, o = s[..., :H], s[..., H:2 * H], s[..., 3 * H:]
    g = ag.tanh(gates[..., 2 * H:3 * H])
    c = f * c + i * g
    h = o * ag.tanh(c)
    if w_hr is not None:
        h = ag.linear(h, w_hr)
    return h, c


def _gru_step(xi, h, w_hh, b_hh, w_hr=None):
    """One GRU step from the input projection ``xi`` = W_ih x_t + b_ih."""
    hh = ag.linear(h, w_hh, b_hh)
    H = hh.shape[-1] // 3
    rz = ag.sigmoid(xi[..., :2 * H] + hh[..., :2 * H])
    r, z = rz[..., :H], rz[..., H:]
    n = ag.tanh(xi[..., 2 * H:] + r * hh[..., 2 * H:])
    return n + z * (h - n)  # = (1 - z) n + z h


_STEPS = {"RNN_TANH": _rnn_step(ag.tanh), "RNN_RELU": _rnn_step(ag.relu), "LSTM": _lstm_step,
          "GRU": _gru_step}


def _project(mode, x, w_ih, b_ih, b_hh):
    """The input projection x W_ih^T + b_ih, and the bias the steps still add.

    NOTE: where b_hh is simply added to the gates (RNN, LSTM), it joins b_ih here,
    once, instead of once per step; GRU's b_hn sits inside r * (W_hn h + b_hn), so
    GRU keeps b_hh in the step.
    """
    keep = mode == "GRU" or b_hh is None
    b = b_ih if keep else (b_hh if b_ih is None else b_ih + b_hh)
    if x.ndim == 3:  # NOTE: one (T N, I) x (I, G H) product: faster than T batched ones
        T, N, I = x.shape
        xi = ag.reshape(ag.linear(ag.reshape(x, (T * N, I)), w_ih, b), (T, N, -1))
    else:
        xi = ag.linear(x, w_ih, b)
    return xi, (b_hh if keep else None)


# ---------------------------------------------------------------- cells
def _t(x):
    return x if isinstance(x, ag.Tensor) else ag.tensor(x)


def _cell(mode, name, input, hx, w_ih, w_hh, b_ih, b_hh):  # noqa: A002
    x = _t(input)
    G = _GATES[mode]
    H = w_hh.shape[1]
    if w_ih.ndim != 2 or w_hh.shape != (G * H, H) or w_ih.shape[0] != G * H:
        raise ValueError(f"{name}: weight_ih must be ({G}*H, input_size) and weight_hh ({G}*H, H), "
                         f"got {tuple(w_ih.shape)} and {tuple(w_hh.shape)}")
    if x.ndim not in (1, 2) or x.shape[-1] != w_ih.shape[1]:
        raise ValueError(f"{name}: expected input of shape (N, {w_ih.shape[1]}) or "
                         f"({w_ih.shape[1]},), got {tuple(x.shape)}")
    batched = x.ndim == 2
    if not batched:
        x = ag.unsqueeze(x, 0)
    N = x.shape[0]
    states = hx if isinstance(hx, (tuple, list)) else (hx,)
    states = tuple(ag.zeros(N, H, dtype=x.dtype, device=x.device) if s is None else
                   (_t(s) if batched else ag.unsqueeze(_t(s), 0)) for s in states)
    for s in states:
        if tuple(s.shape) != (N, H):
            raise ValueError(f"{name}: expected hidden state of shape {(N, H) if batched else (H,)}, "
                             f"got {tuple(s.shape) if batched else tuple(s.shape[1:])}")
    xi, b_hh = _project(mode, x, w_ih, b_ih, b_hh)
    out = _STEPS[mode](xi, states if mode == "LSTM" else states[0], w_hh, b_hh)
    if not batched:
        out = tuple(ag.squeeze(o, 0) for o in out) if mode == "LSTM" else ag.squeeze(out, 0)
    return out


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh). input (N, I) or (I,); hx (N, H) or
    None (zeros) -> (N, H)."""
    return _cell("RNN_TANH", "rnn_tanh_cell", input, hx, w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _cell("RNN_RELU", "rnn_relu_cell", input, hx, w_ih, w_hh, b_ih, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """One LSTM step (gates i, f, g, o; see the module docstring). hx = (h, c), each
    (N, H), or None -> (h', c')."""
    return _cell("LSTM", "lstm_cell", input, (None, None) if hx is None else hx, w_ih, w_hh,
                 b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):  # noqa: A002
    """One GRU step (gates r, z, n; see the module docstring). hx (N, H) or None -> h'."""
    return _cell("GRU", "gru_cell", input, hx, w_ih, w_hh, b_ih, b_hh)


# ---------------------------------------------------------------- layers
def _unbind(x):
    """The T slices x[0], ..., x[T-1] of a (T, ...) tensor, cut by repeated halving.

    NOTE: the adjoint of a slice is a zero array of its source's size with the slice's
    gradient written in; T slices of x would cost O(T^2) in the backward pass. Halving
    first makes every source at most twice its slices, O(T log T) in all.
    """
    T = x.shape[0]
    if T == 1:
        return [x[0]]
    if T <= 4:
        return [x[t] for t in range(T)]
    m = T // 2
    return _unbind(x[:m]) + _unbind(x[m:])


def _scan(xi, state, mode, w_hh, b_hh, reverse):
    """One direction of one layer as the single op ``rnn_scan`` (autograd/ops)."""
    T = xi.shape[0]
    last = 0 if reverse else T - 1
    op = ag.ops.REGISTRY["rnn_scan"]
    if mode == "LSTM":
        y = op(xi, state[0], state[1], w_hh, mode=mode, reverse=reverse)
        return y[:T], (y[last], y[T])
    if mode == "GRU":
        b = b_hh if b_hh is not None else ag.zeros(w_hh.shape[0], dtype=w_hh.dtype, device=w_hh.device)
        y = op(xi, state, w_hh, b, mode=mode, reverse=reverse)
    else:
        y = op(xi, state, w_hh, mode=mode, reverse=reverse)
    return y, y[last]


def _direction(xi, state, mode, w_hh, b_hh, w_hr, reverse):
    """Run one direction of one layer over the projected inputs ``xi`` (T, N, G H):
    as one ``rnn_scan`` op, or step by step for an LSTM with projections."""
    if w_hr is None:
        return _scan(xi, state, mode, w_hh, b_hh, reverse)
    step = _STEPS[mode]
    steps = _unbind(xi)
    outs = [None] * len(steps)
    order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    for t in order:
        state = step(steps[t], state, w_hh, b_hh, w_hr)
        outs[t] = state[0] if mode == "LSTM" else state
    return ag.stack(outs, 0), state


def rnn(input, hx, weights, mode, num_layers=1, bidirectional=False, dropout_p=0.0,  # noqa: A002
        training=False):
    """A stack of recurrent layers over a time-major sequence.

    input (T, N, I); hx: (h0,) or for LSTM (h0, c0), each (D num_layers, N, H_out) with
    D = 2 if bidirectional else 1 (h0 and c0 may be None: zeros); ``weights``: one tuple
    (w_ih, w_hh, b_ih, b_hh, w_hr) per layer and direction, in PyTorch's order (layer
    0 forward, layer 0 reverse, layer 1 ...), absent ones None. Dropout with
    probability ``dropout_p`` is applied to every layer's output but the last, when
    ``training``. Returns (output (T, N, D H_out), h_n) or, for LSTM,
    (output, (h_n, c_n)), h_n and c_n of shape (D num_layers, N, H_out) and (D num_layers, N, H).
    """
    D = 2 if bidirectional else 1
    x = _t(input)
    N = x.shape[1]
    h0 = [None if s is None else _unbind(s) for s in hx]
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            w_ih, w_hh, b_ih, b_hh, w_hr = weights[k]
            H = w_hh.shape[0] // _GATES[mode]
            init = []
            for j, s in enumerate(h0):  # h (size H_out) then, for LSTM, c (size H)
                size = w_hr.shape[0] if j == 0 and w_hr is not None else H
                init.append(ag.zeros(N, size, dtype=x.dtype, device=x.device) if s is None else s[k])
            state = tuple(init) if mode == "LSTM" else init[0]
            xi, b_hh = _project(mode, x, w_ih, b_ih, b_hh)
            out, state = _direction(xi, state, mode, w_hh, b_hh, w_hr, d == 1)
            outs.append(out)
            if mode == "LSTM":
                hs.append(state[0])
                cs.append(state[1])
            else:
                hs.append(state)
        x = outs[0] if D == 1 else ag.cat(outs, -1)
        if dropout_p and training and layer < num_layers - 1:
            x = dropout(x, dropout_p, True)
    h_n = ag.stack(hs, 0)
    return (x, (h_n, ag.stack(cs, 0))) if mode == "LSTM" else (x, h_n)

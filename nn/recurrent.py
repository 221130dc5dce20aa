"""Recurrent layers: RNN, LSTM, GRU and their one-step forms RNNCell, LSTMCell, GRUCell.

Parameter names, shapes, gate orders and initialisation are PyTorch's, so a PyTorch
state dict loads as is. The math is in ``nn.functional.recurrent``.
"""
import math
import numbers
import warnings

import numpy as np

import autograd as ag

from . import init
from .functional import recurrent as R
from .module import Module, Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _dtype(dtype):
    return np.dtype(np.float32 if dtype is None else dtype)


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (``mode`` is 'RNN_TANH', 'RNN_RELU',
    'LSTM' or 'GRU').

    Shapes: input (T, N, I), or (N, T, I) with ``batch_first``, or unbatched (T, I);
    output (T, N, D H_out) (batch_first: (N, T, D H_out)); h_n (D num_layers, N, H_out),
    for LSTM also c_n (D num_layers, N, H); D = 2 if ``bidirectional`` else 1 and
    H_out = proj_size if proj_size > 0 else hidden_size.
    Parameters, per layer k and direction (suffix ``_reverse`` for the backward one):
    ``weight_ih_l{k}`` (G H, I_k), ``weight_hh_l{k}`` (G H, H_out), ``bias_ih_l{k}`` and
    ``bias_hh_l{k}`` (G H,) if ``bias``, ``weight_hr_l{k}`` (H_out, H) with proj_size;
    G = 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n); I_0 = input_size, later
    I_k = D H_out. Default initialisation (PyTorch's): every parameter ~ U(-1/sqrt(H),
    1/sqrt(H)). ``dropout`` applies to the outputs of every layer but the last, in
    training.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(f"{mode}: dropout should be a number in range [0, 1] representing the "
                             f"probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so "
                          f"non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", UserWarning, stacklevel=3)
        for name, v in (("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"{mode}: {name} must be a positive int, got {v!r}")
        if proj_size < 0 or (proj_size and mode != "LSTM"):
            raise ValueError(f"{mode}: proj_size must be 0, or positive for LSTM only, got {proj_size}")
        if proj_size >= hidden_size:
            raise ValueError(f"{mode}: proj_size ({proj_size}) has to be smaller than hidden_size "
                             f"({hidden_size})")
        self.mode, self.input_size, self.hidden_size = mode, int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bool(bias), bool(batch_first)
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bool(bidirectional), int(proj_size)
        G, D, H = R._GATES[mode], 2 if bidirectional else 1, self.hidden_size
        h_out = self.proj_size or H
        dt = _dtype(dtype)
        self._flat_weights_names = []
        for k in range(self.num_layers):
            for d in range(D):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                shapes = [("weight_ih", (G * H, self.input_size if k == 0 else D * h_out)),
                          ("weight_hh", (G * H, h_out))]
                if bias:
                    shapes += [("bias_ih", (G * H,)), ("bias_hh", (G * H,))]
                if self.proj_size:
                    shapes.append(("weight_hr", (self.proj_size, H)))
                for name, shape in shapes:
                    setattr(self, name + sfx, Parameter(np.empty(shape, dtype=dt)))
                    self._flat_weights_names.append(name + sfx)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op, for code written for cuDNN (the weights are already separate arrays)."""

    def _weights(self):
        D = 2 if self.bidirectional else 1
        out = []
        for k in range(self.num_layers):
            for d in range(D):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                out.append(tuple(getattr(self, n + sfx, None) for n in
                                 ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")))
        return out

    def _check_state(self, s, shape, what):
        if tuple(s.shape) != shape:
            raise RuntimeError(f"{type(self).__name__}: expected {what} of shape {shape}, got "
                               f"{tuple(s.shape)}")

    def forward(self, input, hx=None):  # noqa: A002
        x = input if isinstance(input, ag.Tensor) else ag.tensor(input)
        name = type(self).__name__
        if x.ndim not in (2, 3):
            raise ValueError(f"{name}: expected input to be 2D (unbatched) or 3D, got {x.ndim}D "
                             f"input of shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]} (input shape {tuple(x.shape)})")
        batched = x.ndim == 3
        x = (ag.transpose(x, 0, 1) if self.batch_first else x) if batched else ag.unsqueeze(x, 1)
        D = 2 if self.bidirectional else 1
        N, H = x.shape[1], self.hidden_size
        sizes = [(D * self.num_layers, N, self.proj_size or H)]
        if self.mode == "LSTM":
            sizes.append((D * self.num_layers, N, H))
            states = (None, None) if hx is None else tuple(hx)
            if len(states) != 2:
                raise ValueError(f"LSTM: hx must be a tuple (h_0, c_0), got {len(states)} tensors")
        else:
            states = (hx,)
        fixed = []
        for s, shape, what in zip(states, sizes, ("h_0", "c_0")):
            if s is not None:
                s = s if isinstance(s, ag.Tensor) else ag.tensor(s)
                s = s if batched else ag.unsqueeze(s, 1)
                self._check_state(s, shape, what)
            fixed.append(s)
        out, state = R.rnn(x, fixed, self._weights(), self.mode, self.num_layers, self.bidirectional,
                           self.dropout, self.training)
        if batched and self.batch_first:
            out = ag.transpose(out, 0, 1)
        if not batched:
            out = ag.squeeze(out, 1)
            state = tuple(ag.squeeze(s, 1) for s in state) if self.mode == "LSTM" else ag.squeeze(state, 1)
        return out, state

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act = tanh
    (``nonlinearity='tanh'``) or relu. Shapes, parameters and init: see RNNBase (G = 1)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: unknown nonlinearity {nonlinearity!r}; choose 'tanh' or 'relu'")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o (see ``F.lstm_cell``); returns
    (output, (h_n, c_n)). ``proj_size`` > 0 adds h_t = W_hr h_t. Shapes, parameters and
    init: see RNNBase (G = 4)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n (see ``F.gru_cell``). Shapes, parameters and
    init: see RNNBase (G = 3)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype=dtype)


class RNNCellBase(Module):
    """One step of a recurrent layer. Shapes: input (N, I) or (I,), hidden (N, H) or (H,).
    Parameters: ``weight_ih`` (G H, I), ``weight_hh`` (G H, H), ``bias_ih`` and
    ``bias_hh`` (G H,) if ``bias``; all ~ U(-1/sqrt(H), 1/sqrt(H))."""

    _fn = None

    def __init__(self, input_size, hidden_size, bias, num_chunks, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bool(bias)
        dt = _dtype(dtype)
        G = num_chunks * self.hidden_size
        self.weight_ih = Parameter(np.empty((G, self.input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((G, self.hidden_size), dtype=dt))
        if bias:
            self.bias_ih = Parameter(np.empty((G,), dtype=dt))
            self.bias_hh = Parameter(np.empty((G,), dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def forward(self, input, hx=None):  # noqa: A002
        return type(self)._fn(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: unknown nonlinearity {nonlinearity!r}; choose 'tanh' or 'relu'")
        super().__init__(input_size, hidden_size, bias, 1, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):  # noqa: A002
        fn = R.rnn_tanh_cell if self.nonlinearity == "tanh" else R.rnn_relu_cell
        return fn(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class LSTMCell(RNNCellBase):
    """One LSTM step: (x, (h, c)) -> (h', c'), gates i, f, g, o (see ``F.lstm_cell``)."""

    _fn = staticmethod(R.lstm_cell)

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, dtype)


class GRUCell(RNNCellBase):
    """One GRU step: (x, h) -> h', gates r, z, n (see ``F.gru_cell``)."""

    _fn = staticmethod(R.gru_cell)

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, dtype)

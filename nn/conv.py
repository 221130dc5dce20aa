"""Convolution layers: Conv1d, Conv2d (and Conv3d), holding parameters and calling
``nn.functional.conv`` (which holds the math: the padded windows copied into an
im2col matrix and one matrix product, the ``window_matmul`` primitive)."""
import math

import numpy as np

from . import init
from .functional._args import check_groups, check_padding_mode
from .functional._args import ntuple as _ntuple
from .functional.conv import conv1d, conv2d, conv3d
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d"]


class _ConvNd(Module):
    _d = 0
    _fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", dtype=None):
        super().__init__()
        d = self._d
        check_groups(in_channels, out_channels, groups, type(self).__name__)
        if padding_mode != "zeros":
            raise NotImplementedError(f"padding_mode={padding_mode!r} is not supported (only 'zeros')")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = _ntuple(kernel_size, d, "kernel_size")
        self.stride = _ntuple(stride, d, "stride")
        if isinstance(padding, str):
            check_padding_mode(padding, self.stride, type(self).__name__)
            self.padding = padding
        else:
            self.padding = _ntuple(padding, d, "padding")
        self.dilation = _ntuple(dilation, d, "dilation")
        self.groups = int(groups)
        self.padding_mode = padding_mode
        dt = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels // self.groups)
                                         + self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: weight ~ kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(fan_in),
        1/sqrt(fan_in)) and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), where
        fan_in = in_channels / groups * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = (self.in_channels // self.groups) * int(np.prod(self.kernel_size))
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):  # noqa: A002
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding,
                              self.dilation, self.groups)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._d:
            s += f", padding={self.padding!r}"
        if self.dilation != (1,) * self._d:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) over sequences, the notes' (x conv u)_i =
    sum_b x_{i+b} u_b with channels: y[n, o, i] = b[o] + sum_c sum_k w[o, c, k]
    x_pad[n, c, i s + k r].

    Shapes: input (N, C_in, L) or (C_in, L) -> output (N, C_out, L_out) with
    L_out = (L + 2 padding - dilation (k - 1) - 1) // stride + 1.
    Parameters: ``weight`` (C_out, C_in / groups, k), ``bias`` (C_out,) or None.
    Default initialisation (PyTorch's): weight and bias ~ U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = C_in / groups * k.
    Gradients (from the engine): dL/dw = windows^T g, dL/db = sum of g, dL/dx = the
    transposed convolution (col2im of W^T g).
    """

    _d = 1
    _fn = staticmethod(conv1d)


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) over NCHW images: y[n, o, i, j] = b[o] +
    sum_c sum_{a, b'} w[o, c, a, b'] x_pad[n, c, i s_h + a r_h, j s_w + b' r_w].

    Shapes: input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out) with
    H_out = (H + 2 padding_h - dilation_h (kh - 1) - 1) // stride_h + 1 (likewise W).
    Parameters: ``weight`` (C_out, C_in / groups, kh, kw), ``bias`` (C_out,) or None.
    Default initialisation (PyTorch's): weight and bias ~ U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = C_in / groups * kh * kw.
    padding: int, pair, 'valid' or 'same' (stride 1). Gradients: dL/dw = windows^T g,
    dL/db = sum of g over batch and positions, dL/dx = col2im(W^T g).
    """

    _d = 2
    _fn = staticmethod(conv2d)


class Conv3d(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W) volumes; weight (C_out, C_in / groups,
    kd, kh, kw). Same rule, initialisation and gradients as :class:`Conv2d`."""

    _d = 3
    _fn = staticmethod(conv3d)

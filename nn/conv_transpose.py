"""Transposed convolution layers: ConvTranspose1d, ConvTranspose2d (and 3d), holding
parameters and calling ``nn.functional.conv_transpose`` (the math: one matrix product
and col2im, the adjoint of a convolution)."""
import math

import numpy as np

from . import init
from .functional._args import ntuple as _ntuple
from .functional.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d
from .module import Module, Parameter

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


class _ConvTransposeNd(Module):
    _d = 0
    _fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode="zeros", dtype=None):
        super().__init__()
        d, name = self._d, type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) "
                             f"must both be divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported for transposed "
                             f"convolutions (as in PyTorch), got {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{name}: padding must be an int or a tuple (no 'same'/'valid' for "
                             f"transposed convolutions), got {padding!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _ntuple(kernel_size, d, "kernel_size")
        self.stride = _ntuple(stride, d, "stride")
        self.padding = _ntuple(padding, d, "padding")
        self.output_padding = _ntuple(output_padding, d, "output_padding")
        self.dilation = _ntuple(dilation, d, "dilation")
        if any(o >= max(s, r) for o, s, r in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError(f"{name}: output_padding {self.output_padding} must be smaller than either "
                             f"stride {self.stride} or dilation {self.dilation}")
        self.groups, self.padding_mode = int(groups), padding_mode
        dt = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(np.empty((self.in_channels, self.out_channels // self.groups)
                                         + self.kernel_size, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: weight ~ kaiming_uniform_(a=sqrt(5)) and bias ~ U(-1/sqrt(fan_in),
        1/sqrt(fan_in)), with fan_in = weight.shape[1] * prod(kernel_size) =
        out_channels / groups * prod(kernel_size) (the weight's second axis)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = (self.out_channels // self.groups) * int(np.prod(self.kernel_size))
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _output_padding(self, input, output_size):
        """PyTorch's rule: the output_padding that makes the output ``output_size``
        (between the smallest size and that size + stride - 1)."""
        d, name = self._d, type(self).__name__
        size = tuple(int(s) for s in output_size)[-d:]
        if len(size) != d:
            raise ValueError(f"{name}: output_size needs {d} spatial sizes, got {output_size}")
        op = []
        for i in range(d):
            n = input.shape[input.ndim - d + i]
            lo = ((n - 1) * self.stride[i] - 2 * self.padding[i]
                  + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            hi = lo + max(self.stride[i], self.dilation[i]) - 1
            if not lo <= size[i] <= hi:
                raise ValueError(f"{name}: requested an output size of {size}, but valid sizes along "
                                 f"axis {i} range from {lo} to {hi} (for an input of {input.shape[-d:]})")
            op.append(size[i] - lo)
        return tuple(op)

    def forward(self, input, output_size=None):  # noqa: A002
        op = self.output_padding if output_size is None else self._output_padding(input, output_size)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding, op,
                              self.groups, self.dilation)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        for name, default in (("padding", 0), ("output_padding", 0), ("dilation", 1)):
            if getattr(self, name) != (default,) * self._d:
                s += f", {name}={getattr(self, name)}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution: input (N, C_in, L) or (C_in, L) -> (N, C_out, L_out),
    L_out = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1.
    Parameters: ``weight`` (C_in, C_out / groups, k), ``bias`` (C_out,) or None; default
    initialisation PyTorch's (see ``reset_parameters``). ``forward(input, output_size)``
    may ask for a size instead of ``output_padding``. The map is the adjoint of
    Conv1d's: y_full[n, o, i s + k r] += sum_c x[n, c, i] w[c, o, k], cropped by padding."""

    _d = 1
    _fn = staticmethod(conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (decoders, GAN generators, U-Nets): input
    (N, C_in, H, W) -> (N, C_out, H_out, W_out), H_out = (H - 1) s_h - 2 p_h +
    r_h (kh - 1) + output_padding_h + 1 (likewise W). Parameters: ``weight``
    (C_in, C_out / groups, kh, kw), ``bias`` (C_out,) or None; PyTorch's default
    initialisation. Its gradient w.r.t. the input is Conv2d with the same kernel."""

    _d = 2
    _fn = staticmethod(conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution over (N, C_in, D, H, W); weight (C_in, C_out / groups,
    kd, kh, kw). Same rule as :class:`ConvTranspose2d`."""

    _d = 3
    _fn = staticmethod(conv_transpose3d)

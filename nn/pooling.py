"""Pooling layers: max or average over windows of each channel (the notes' pooling),
calling ``nn.functional.pooling``. They have no parameters."""
from .functional import pooling as P
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "MaxUnpool1d", "MaxUnpool2d"]


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """y[n, c, i] = max over the window of length k at i * stride (-inf padding).
    Shapes: (N, C, L) -> (N, C, L_out), L_out = (L + 2 padding - dilation (k-1) - 1) //
    stride + 1; stride defaults to kernel_size. The gradient goes to each window's
    argmax (the first at ties). No parameters."""

    def forward(self, input):  # noqa: A002
        return P.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """y[n, c, i, j] = max over the kh x kw window at (i s_h, j s_w) (-inf padding).
    Shapes: (N, C, H, W) -> (N, C, H_out, W_out), H_out = (H + 2 padding - dilation (kh-1)
    - 1) // stride + 1; stride defaults to kernel_size; overlapping windows (stride <
    kernel) are allowed. The gradient goes to each window's argmax (the first in
    row-major order at ties, as in PyTorch). No parameters."""

    def forward(self, input):  # noqa: A002
        return P.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class _AvgPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """y[n, c, i] = mean of the window of length k at i * stride (zero padding, counted
    in the mean unless count_include_pad=False). Shapes: (N, C, L) -> (N, C, L_out),
    L_out = (L + 2 padding - k) // stride + 1. Each window element gets g / k."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)

    def forward(self, input):  # noqa: A002
        return P.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            count_include_pad=self.count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """y[n, c, i, j] = mean of the kh x kw window at (i s_h, j s_w) (zero padding,
    counted unless count_include_pad=False; divisor_override replaces kh kw).
    Shapes: (N, C, H, W) -> (N, C, H_out, W_out), H_out = (H + 2 padding - kh) // stride
    + 1. Each window element gets g / (kh kw)."""

    def forward(self, input):  # noqa: A002
        return P.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            count_include_pad=self.count_include_pad,
                            divisor_override=self.divisor_override)


class AdaptiveAvgPool1d(Module):
    """Average over ``output_size`` nearly equal bins (PyTorch's bins). (N, C, L) ->
    (N, C, output_size)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):  # noqa: A002
        return P.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(Module):
    """Average over an ``output_size`` grid of nearly equal bins: bin i of an axis of
    size n covers [floor(i n / out), ceil((i + 1) n / out)). (N, C, H, W) -> (N, C, oh, ow);
    output_size an int, a pair, or None entries to keep that size. Each element of a
    bin gets g / |bin|. ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):  # noqa: A002
        return P.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class _MaxUnpoolNd(Module):
    _d = 0

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding

    def forward(self, input, indices, output_size=None):  # noqa: A002
        fn = P.max_unpool1d if self._d == 1 else P.max_unpool2d
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d: ``forward(input, indices, output_size=None)``
    puts each value back at the index MaxPool1d(return_indices=True) gave, zeros
    elsewhere. (N, C, L) -> (N, C, (L - 1) stride - 2 padding + k). No parameters."""

    _d = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d: ``forward(input, indices, output_size=None)``
    writes each value at its flat index h W + w from MaxPool2d(return_indices=True),
    zeros elsewhere. (N, C, H, W) -> (N, C, (H - 1) s - 2 p + kh, (W - 1) s - 2 p + kw);
    pass ``output_size`` when the pooled size was rounded down. No parameters."""

    _d = 2

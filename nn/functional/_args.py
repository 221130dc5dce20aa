"""Argument normalisation shared by the convolution and pooling functions and layers."""
from autograd.arguments import ntuple

__all__ = ["ntuple", "check_groups", "check_padding_mode"]


def check_groups(in_channels, out_channels, groups, name):
    """Both channel counts must split into ``groups`` equal groups."""
    if groups < 1 or in_channels % groups or out_channels % groups:
        raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) "
                         f"must both be divisible by groups ({groups})")


def check_padding_mode(padding, stride, name):
    """A string padding is 'valid' or 'same', and 'same' only without stride."""
    if padding not in ("same", "valid"):
        raise ValueError(f"{name}: padding must be an int, a tuple, 'valid' or 'same', "
                         f"got {padding!r}")
    if padding == "same" and any(s != 1 for s in stride):
        raise ValueError(f"{name}: padding='same' is not supported for strided "
                         f"convolutions (stride={stride})")

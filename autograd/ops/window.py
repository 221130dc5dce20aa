"""Sliding windows over the last axes (im2col), from which nn builds convolution and pooling (being written)."""

"""The im2col and col2im of stride-1 convolutions over one or two axes, on the padded
input's row grid: the CPU kernels behind ``window_kernels`` for the common case.

Lay a block of samples, zero-padded, in a flat buffer per (sample, channel): the padded
image of H_p x W_p entries, then a short zero tail. Put the output positions on the same
row width W_p: output row i holds W_o = W_p - r_w (k_w - 1) real positions and then
W_p - W_o junk ones, L_w = H_o W_p positions in all. Kernel offset (a, b) then reads, at
flat output position q, the buffer entry q + a r_h W_p + b r_w, so its whole im2col row
is one contiguous run of the buffer, and the im2col matrix of a block is one strided
copy (a view whose last axis has unit stride), not one short row per output row. The
matrix product runs on the L_w positions; the forward keeps the W_o real columns of each
row, and the backward gives the junk positions a zero gradient. col2im is one sum over
the kernel offsets of a strided view of the windows' gradient, whose rows carry zero
margins (``grid_col2im``).

NOTE: the junk columns of the windows' matrix read real input (the next row's first
entries) or the zero padding. They meet only zero gradients, so dL/dw is exact as long
as those reads are finite; when a block's dL/dw comes out non-finite it is made again
with the junk columns zeroed (an input holding inf or NaN must not poison a weight
entry it does not touch). The same goes for w^T g on the junk columns when w is not
finite. The bias rides in the matrix product as one more column of w against a row of
ones.

Every function works on numpy arrays of one block and writes into buffers it is given.
"""
from collections import namedtuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["Grid", "grid_of", "fill_padded", "grid_cols", "grid_gradient", "grid_col2im", "margin"]

Grid = namedtuple("Grid", "H W Hp Wp Ho Wo kh kw rh rw ph pw")
Grid.__doc__ = """Sizes of the row grid: the input H x W, padded Hp x Wp (ph, pw before),
the output rows Ho and real columns Wo, kernel kh x kw, dilation rh, rw."""


def grid_of(S, kernel_size, stride, dilation, padding):
    """The row grid of a stride-1 window over one or two axes, else None."""
    d = len(kernel_size)
    if d not in (1, 2) or any(s != 1 for s in stride):
        return None
    if d == 1:
        S, kernel_size, dilation, padding = (1,) + S, (1,) + kernel_size, (1,) + dilation, \
            ((0, 0),) + padding
    (H, W), (kh, kw), (rh, rw) = S, kernel_size, dilation
    Hp, Wp = H + sum(padding[0]), W + sum(padding[1])
    return Grid(H, W, Hp, Wp, Hp - rh * (kh - 1), Wp - rw * (kw - 1), kh, kw, rh, rw,
                padding[0][0], padding[1][0])


def flat_len(gr):
    """The flat buffer's length: the padded image and the tail the last run reads."""
    return gr.Hp * gr.Wp + gr.rw * (gr.kw - 1)


def fill_padded(xp, x, gr):
    """xp (n, C, flat_len) = x (n, C, *S) zero-padded on the grid, zero tail."""
    n, C = x.shape[:2]
    img = xp[..., :gr.Hp * gr.Wp].reshape(n, C, gr.Hp, gr.Wp)
    top, left, bottom, right = gr.ph, gr.pw, gr.ph + gr.H, gr.pw + gr.W
    img[:, :, :top] = 0
    img[:, :, bottom:] = 0
    img[:, :, top:bottom, :left] = 0
    img[:, :, top:bottom, right:] = 0
    img[:, :, top:bottom, left:right] = x.reshape(n, C, gr.H, gr.W)
    xp[..., gr.Hp * gr.Wp:] = 0


def grid_cols(cols, xp, gr, G):
    """cols (n, G, C/G K, L_w) = the windows of the padded block xp (n, C, flat_len):
    row (c, a, b) is the run xp[n, c, a r_h W_p + b r_w :][:L_w] (one strided copy)."""
    n, C = xp.shape[:2]
    s0, s1, it = xp.strides[0], xp.strides[1], xp.strides[2]
    Lw = gr.Ho * gr.Wp
    shape = (n, G, C // G, gr.kh, gr.kw, Lw)
    src = as_strided(xp, shape, (s0, s1 * (C // G), s1, it * gr.rh * gr.Wp, it * gr.rw, it),
                     writeable=False)
    np.copyto(cols.reshape(shape, copy=False), src)


def zero_junk(a, gr):
    """Zero the junk columns of a (..., L_w) array on the grid."""
    a.reshape(a.shape[:-1] + (gr.Ho, gr.Wp), copy=False)[..., gr.Wo:] = 0


def grid_gradient(buf, g, gr, junk_zero=False):
    """g (n, G, O/G, *P) on the grid, junk columns zero: (n, G, O/G, L_w) in buf
    (whose junk columns are zero already when ``junk_zero``)."""
    n, G, OG = g.shape[:3]
    view = buf.reshape(n, G, OG, gr.Ho, gr.Wp, copy=False)
    if not junk_zero:
        view[..., gr.Wo:] = 0
    view[..., :gr.Wo] = g.reshape(n, G, OG, gr.Ho, gr.Wo)
    return buf


def margin(gr):
    """The largest shift of a kernel offset, a r_h W_p + b r_w: the zero margin kept on
    each side of a row of the windows' gradient for ``grid_col2im``."""
    return (gr.kh - 1) * gr.rh * gr.Wp + (gr.kw - 1) * gr.rw


def grid_col2im(gx, gc, gr):
    """gx (n, C, *S) = the windows' gradient added back where each window entry came
    from. gc (n, G, C/G K, L_w + 2 M) holds each row's L_w entries between two zero
    margins of M = ``margin(gr)``: padded position q gets, from offset (a, b), the
    entry q - (a r_h W_p + b r_w) of its row (a margin zero when out of range), so gx is
    one sum over the offsets of a strided view (offsets in row-major order, the same
    order and result as one slice-add per offset into the padded image), written
    straight into gx's un-padded positions."""
    n, C = gx.shape[:2]
    M, it = margin(gr), gc.itemsize
    R = gr.Ho * gr.Wp + 2 * M
    K = gr.kh * gr.kw
    start = gc.reshape(n, C, K * R)[:, :, M + gr.ph * gr.Wp + gr.pw:]
    view = as_strided(start, (n, C, gr.H, gr.W, gr.kh, gr.kw),
                      (gc.strides[0], K * R * it, gr.Wp * it, it,
                       (gr.kw * R - gr.rh * gr.Wp) * it, (R - gr.rw) * it), writeable=False)
    np.add.reduce(view, axis=(4, 5), out=gx.reshape(n, C, gr.H, gr.W))

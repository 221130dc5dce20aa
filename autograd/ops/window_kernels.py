"""The CPU kernels under the sliding-window ops (``ops.window``): strided views,
col2im by kernel offsets, and the convolution product's im2col and col2im done block
by block of samples in a reused scratch buffer, sized to stay in cache.

This is speed work, not math: ``ops.window`` holds the ops, their formulas and
their gradient rules, and calls into here for the array-mode arithmetic. Every
function works on numpy arrays and records nothing.
"""
import itertools
import os
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..backend import backend_of

__all__ = ["window_out_shape", "window_matmul_forward", "window_matmul_backward"]


def window_out_shape(spatial, kernel_size, stride, dilation):
    """The number of window positions along each spatial axis:
    P_i = (n_i - r_i (k_i - 1) - 1) // s_i + 1 (raises when the window does not fit)."""
    out = []
    for n, k, s, r in zip(spatial, kernel_size, stride, dilation):
        span = r * (k - 1) + 1
        if n < span:
            raise ValueError(
                f"the window (kernel {tuple(kernel_size)}, dilation {tuple(dilation)}) is "
                f"larger than the (padded) input of spatial size {tuple(spatial)}")
        out.append((n - span) // s + 1)
    return tuple(out)


def _offset_slices(offset, out, stride, dilation):
    """The strided slice of the input that kernel offset ``offset`` reads at every
    window position (one slice per spatial axis)."""
    return tuple(slice(o * r, o * r + s * (p - 1) + 1, s)
                 for o, p, s, r in zip(offset, out, stride, dilation))


def _view(x, kernel_size, stride, dilation):
    d = len(kernel_size)
    spatial = x.shape[x.ndim - d:]
    out = window_out_shape(spatial, kernel_size, stride, dilation)
    st = x.strides[x.ndim - d:]
    shape = x.shape[:x.ndim - d] + out + tuple(kernel_size)
    strides = (x.strides[:x.ndim - d] + tuple(a * s for a, s in zip(st, stride))
               + tuple(a * r for a, r in zip(st, dilation)))
    if type(x) is not np.ndarray:  # CuPy, strict: the backend's strided view
        return backend_of(x).as_strided(x, shape, strides)
    return as_strided(x, shape, strides, writeable=False)


def _scatter_add(g, shape, kernel_size, stride, dilation):
    """col2im: zeros(shape) with every window entry of g added back at its source."""
    d = len(kernel_size)
    out = g.shape[g.ndim - 2 * d:g.ndim - d]
    gx = backend_of(g).zeros(shape, g.dtype)
    lead = (slice(None),) * (len(shape) - d)
    # NOTE: when windows cannot overlap (s_i > r_i (k_i - 1) on every axis) each input
    # element is written by at most one (offset, position) pair, so assignment is
    # enough and saves reading gx back.
    disjoint = all(s > r * (k - 1) for k, s, r in zip(kernel_size, stride, dilation))
    for offset in itertools.product(*[range(k) for k in kernel_size]):
        idx = lead + _offset_slices(offset, out, stride, dilation)
        src = g[(Ellipsis,) + offset]
        if disjoint:
            gx[idx] = src
        else:
            gx[idx] += src
    return gx


# ------------------------------------------------------------------ the convolution product
# NOTE: the im2col matrix is C K times larger than the input (7 MB for a 3x3 convolution
# of a (64, 3, 32, 32) batch), and so is the windows' gradient W^T g. Neither is ever
# made whole: both live in one buffer of a block of samples (about this many bytes),
# which is filled, multiplied and scattered back while it is still in cache. A large
# freshly allocated array costs a page fault per 4 kB on every step (glibc hands big
# freed blocks back to the system), which costs more than the copy itself.
_BLOCK_BYTES = 2 << 20


class _Workspace(threading.local):
    """Block-sized scratch buffers, one per role and thread, kept between calls.

    NOTE: the im2col blocks and the W-wide gradient grid are scratch: nothing outside
    one forward or backward call of ``window_matmul`` sees them. Reusing the same few
    megabytes on every call (instead of allocating them afresh) keeps them mapped and
    in cache; a fresh multi-megabyte array is page-faulted in 4 kB at a time on every
    step. Each thread has its own buffers, so concurrent convolutions cannot clash."""

    def __init__(self):
        self.buffers = {}

    def get(self, role, shape, dtype):
        dtype = np.dtype(dtype)
        size = int(np.prod(shape)) * dtype.itemsize
        raw = self.buffers.get(role)
        if raw is None or raw.size < size:
            raw = self.buffers[role] = np.empty(max(size, 1), dtype=np.uint8)
        return raw[:size].view(dtype).reshape(shape)


_WORKSPACE = _Workspace()


def _blocks(N, per_sample_bytes):
    """Slices of the batch axis, of nearly equal size, each about _BLOCK_BYTES."""
    nb = max(1, min(N, -(-N * per_sample_bytes // _BLOCK_BYTES)))
    size = max(1, -(-N // nb))
    if N == 0:
        return [slice(0, 0)]
    return [slice(i, min(N, i + size)) for i in range(0, N, size)]


def _sizes(w, x, kernel_size, stride, dilation, padding):
    """N, C, the (unpadded) spatial shape S, the window positions P, groups G, O, K, L."""
    N, C = x.shape[:2]
    S = x.shape[2:]
    G = 1 if w.ndim == 2 else w.shape[0]
    O = w.shape[-2] * G
    if not kernel_size:  # x is already an im2col matrix (N, C, L)
        return N, C, S, S, G, O, 1, int(np.prod(S))
    Sp = tuple(n + a + b for n, (a, b) in zip(S, padding))
    P = window_out_shape(Sp, kernel_size, stride, dilation)
    return N, C, S, P, G, O, int(np.prod(kernel_size)), int(np.prod(P))


def _cols_perm(d):
    """The axis order (N, C, *k, *P) of the im2col matrix, as a permutation of the
    windows' axes (N, C, *P, *k)."""
    return (0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d))


def _inverse(perm):
    return tuple(int(i) for i in np.argsort(perm))


def _runs(S, P, kernel_size, stride):
    """(H, W, H_out, W_out) when im2col and col2im can move long runs, else None.

    NOTE: for a stride-1 convolution over one or two axes, lay the output positions on
    the input's row width W (an output row of W_out <= W entries, then W - W_out junk
    entries). The kernel-offset-(a, b) rows of the im2col matrix are then the flattened
    input shifted by a r_h W + b r_w (minus the padding): one run of about H W elements
    per (sample, channel) instead of one short row of W_out per output row, with the
    entries that fall into the padding set to zero (whole rows at the top and bottom, a
    few columns at the sides). col2im is the same runs added back. Moving short rows
    costs several times more per element. im2col uses this when W_out = W (padding
    'same' along the width: no junk); col2im also when W_out < W, from a gradient laid
    on the W-wide grid with zeros in the junk columns."""
    d = len(kernel_size)
    if d not in (1, 2) or any(s != 1 for s in stride) or (d == 2 and P[1] > S[1]):
        return None
    return S[0], (S[1] if d == 2 else 1), P[0], (P[1] if d == 2 else 1)


def _run_offsets(H, W, Ho, kernel_size, dilation, padding):
    """Per kernel offset (in row-major order): its index k, the flat shift from output
    position to input position, the flat range [lo, hi) of output positions whose input
    lies in the image, the range [i0, i1) of valid output rows and the column shift hb."""
    d = len(kernel_size)
    kh, kw = kernel_size[0], (kernel_size[1] if d == 2 else 1)
    rh, rw = dilation[0], (dilation[1] if d == 2 else 1)
    ph, pw = padding[0][0], (padding[1][0] if d == 2 else 0)
    for a in range(kh):
        for b in range(kw):
            va, hb = a * rh - ph, b * rw - pw
            shift = va * W + hb
            i0, i1 = max(0, -va), min(Ho, H - va)
            lo, hi = max(i0 * W, -shift), min(i1 * W, H * W - shift)
            if abs(hb) >= W or i1 <= i0 or hi <= lo:
                lo = hi = i0 = i1 = 0
            yield a * kw + b, shift, lo, hi, i0, i1, hb


def _edges(block, i0, i1, W, hb):
    """The window entries of one kernel offset (rows i0..i1 of a (.., Ho, W) block) that
    fall into the horizontal padding: the first -hb or the last hb columns."""
    if hb < 0:
        return block[..., i0:i1, :-hb]
    if hb > 0:
        return block[..., i0:i1, W - hb:]
    return None


def _im2col(cols, x, kernel_size, stride, dilation, padding, P):
    """Fill cols (n, G, C/G K, L), a block's im2col matrix, from its samples x (n, C, *S)."""
    n, C = x.shape[:2]
    S = x.shape[2:]
    d = len(kernel_size)
    K = int(np.prod(kernel_size))
    run = _runs(S, P, kernel_size, stride)
    if run is not None and run[1] == run[3]:
        H, W, Ho, _ = run
        dst = cols.reshape(n, C, K, Ho * W)
        src = x.reshape(n, C, H * W)
        for k, shift, lo, hi, i0, i1, hb in _run_offsets(H, W, Ho, kernel_size, dilation, padding):
            blk = dst[:, :, k]
            blk[..., lo:hi] = src[..., lo + shift:hi + shift]
            blk[..., :lo] = 0
            blk[..., hi:] = 0
            edge = _edges(blk.reshape(n, C, Ho, W), i0, i1, W, hb)
            if edge is not None:
                edge[...] = 0
        return
    if any(a or b for a, b in padding):
        xp = np.zeros((n, C) + tuple(m + a + b for m, (a, b) in zip(S, padding)), dtype=x.dtype)
        xp[(slice(None), slice(None)) + tuple(slice(a, a + m) for m, (a, _) in zip(S, padding))] = x
    else:
        xp = x
    np.copyto(cols.reshape((n, C) + tuple(kernel_size) + P),
              _view(xp, kernel_size, stride, dilation).transpose(_cols_perm(d)))


def _col2im(gx, gc, kernel_size, stride, dilation, padding, P):
    """gx (n, C, *S) += the block's windows' gradient gc (n, G, C/G K, L) scattered back
    to where each window entry came from (gc is scratch: it may be overwritten). When
    ``_runs`` applies, gc's positions lie on the (H_out, W) grid of ``_runs`` (L =
    H_out W, zeros in the junk columns)."""
    n, C = gx.shape[:2]
    S = gx.shape[2:]
    d = len(kernel_size)
    K = int(np.prod(kernel_size))
    run = _runs(S, P, kernel_size, stride)
    if run is not None:
        H, W, Ho, _ = run
        src = gc.reshape(n, C, K, Ho * W)
        dst = gx.reshape(n, C, H * W)
        for k, shift, lo, hi, i0, i1, hb in _run_offsets(H, W, Ho, kernel_size, dilation, padding):
            if hi <= lo:
                continue
            blk = src[:, :, k]
            edge = _edges(blk.reshape(n, C, Ho, W), i0, i1, W, hb)
            if edge is not None:  # these entries read padding; they must not wrap around
                edge[...] = 0
            dst[..., lo + shift:hi + shift] += blk[..., lo:hi]
        return
    Sp = tuple(m + a + b for m, (a, b) in zip(S, padding))
    gwin = gc.reshape((n, C) + tuple(kernel_size) + P).transpose(_inverse(_cols_perm(d)))
    gxp = _scatter_add(gwin, (n, C) + Sp, kernel_size, stride, dilation)
    gx += gxp[(slice(None), slice(None)) + tuple(slice(a, a + m) for m, (a, _) in zip(S, padding))]


# ------------------------------------------------------------------ threads over blocks
# NOTE: numpy releases the GIL in BLAS and in the copy and ufunc loops, so the sample
# blocks of one convolution can run on several threads at once: each block writes its
# own rows of the output (or of dL/dx) and uses its own thread's scratch (_Workspace).
# The weight gradient is the one sum across blocks; each block returns its partial sum
# and the caller adds them in block order, so the result does not depend on the number
# of threads (and is the single-threaded result, bit for bit). The block sizes do not
# depend on it either.
_POOL = None  # (executor or None, threads counting the caller), made on first use
_POOL_LOCK = threading.Lock()


def _thread_count():
    """The threads BLAS may use in this process: threadpoolctl's count for the loaded
    BLAS libraries when it is installed, else the CPU count capped by
    OPENBLAS_NUM_THREADS / OMP_NUM_THREADS."""
    try:
        from threadpoolctl import threadpool_info
        counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if counts:
            return max(1, max(counts))
    except Exception:  # not installed, or no BLAS it can see: fall back to the environment
        pass
    n = os.cpu_count() or 1
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        try:
            n = min(n, int(os.environ[var].split(",")[0]))
        except (KeyError, ValueError):
            pass
    return max(1, n)


def _pool():
    """The shared block pool (created once) and its thread count counting the calling
    thread, or (None, 1) when only one thread is allowed."""
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                n = _thread_count()
                # NOTE: imported here: concurrent.futures (and the logging it imports) costs
                # every program 0.6 MB of memory, and a 1-thread program never needs it
                from concurrent.futures import ThreadPoolExecutor

                _POOL = (ThreadPoolExecutor(n - 1, thread_name_prefix="gradtable-window")
                         if n > 1 else None), n
    return _POOL


_MIN_CALL_BYTES = 32 << 10


def _worth_threads(blocks, C, K, L, itemsize, S, P, kernel_size, stride):
    """Whether a block's numpy calls move enough data for threads to pay off.

    NOTE: a block's im2col is one strided copy, or, on the ``_runs`` path, about four
    calls per kernel offset (copy, zero the padding rows, zero the edge columns), each
    moving n C L entries. Between calls the thread holds the GIL for the Python work;
    when the calls are short (a one-channel 5x5 convolution: 100 calls of ~17 kB) the
    threads mostly wait for each other and a second thread measured no faster or
    slower, while a 3-channel 3x3 one (~50 kB per call) gained."""
    n = blocks[0].stop - blocks[0].start
    run = _runs(S, P, kernel_size, stride)
    calls = 4 * K if run is not None and run[1] == run[3] else 1
    return len(blocks) > 1 and n * C * K * L * itemsize // calls >= _MIN_CALL_BYTES


def _map_blocks(fn, blocks, threaded=True):
    """[fn(blk) for blk in blocks], the blocks spread over the calling thread and the
    pool when ``threaded`` (inline with one thread, or on a pool thread); results in
    block order.

    NOTE: the calling thread takes every T-th block itself rather than waiting: one
    thread fewer to wake and hand the GIL to, and a 2-thread pool of workers alone
    measured no faster than inline on LeNet's step (its forward) or slower (its
    backward: 8.4 -> 13 ms), where this scheme is not."""
    pool, T = _pool() if threaded and len(blocks) > 1 else (None, 1)
    if pool is None or threading.current_thread().name.startswith("gradtable-window"):
        return [fn(blk) for blk in blocks]
    futures = {i: pool.submit(fn, b) for i, b in enumerate(blocks) if i % T}
    mine = {i: fn(b) for i, b in enumerate(blocks) if not i % T}
    return [mine[i] if i in mine else futures[i].result() for i in range(len(blocks))]


def window_matmul_forward(w3, x, bias, geo, sizes):
    """``window_matmul``'s forward for a real kernel: im2col, one matrix product and
    the bias, block by block of samples in the scratch buffer (blocks on the pool)."""
    kernel_size, stride, dilation, padding = geo
    N, C, S, P, G, O, K, L = sizes
    out = np.empty((N, G, O // G, L), dtype=np.result_type(w3, x))
    x = np.ascontiguousarray(x)
    blocks = _blocks(N, C * K * L * x.itemsize)
    shape = (blocks[0].stop, G, C // G * K, L)

    def run(blk):
        cols = _WORKSPACE.get("cols", shape, x.dtype)[:blk.stop - blk.start]
        _im2col(cols, x[blk], kernel_size, stride, dilation, padding, P)
        np.matmul(w3, cols, out=out[blk])
        if bias is not None:
            out[blk] += bias

    threaded = _worth_threads(blocks, C, K, L, x.itemsize, S, P, kernel_size, stride)
    _map_blocks(run, blocks, threaded)
    return out.reshape((N, O) + P)


def window_matmul_backward(g, g4, w, w3t, x, needs, geo, sizes):
    """``window_matmul``'s backward on arrays: (dL/dw or None, dL/dx or None)."""
    kernel_size, stride, dilation, padding = geo
    N, C, S, P, G, O, K, L = sizes
    # NOTE: block by block of samples, in one scratch block: copy the windows in (the
    # im2col matrix is not kept from the forward pass: making it again costs one copy,
    # keeping it would hold C K times the input alive across the network), add their
    # share of dL/dw, overwrite them with w^T g and scatter that back (col2im).
    x = np.ascontiguousarray(x)
    blocks = _blocks(N, C * K * L * x.itemsize)
    dtype = np.result_type(w, g, x)
    nb = blocks[0].stop
    gx = np.zeros(x.shape, dtype=np.result_type(w, g)) if needs[1] else None
    run = _runs(S, P, kernel_size, stride)
    wide = needs[1] and run is not None and run[3] < run[1]

    def block(blk):
        m = blk.stop - blk.start
        cols = _WORKSPACE.get("cols", (nb, G, C // G * K, L), dtype)[:m]
        gblk, part = g4[blk], None
        if needs[0]:
            _im2col(cols, x[blk], *geo, P)
            # NOTE: the per-sample products go to scratch too: a fresh block-sized array
            # made on a pool thread comes from that thread's malloc arena, which can
            # hand it back to the system when freed and fault it in again next step.
            prods = _WORKSPACE.get("gw_parts", (nb, G, O // G, C // G * K), dtype)[:m]
            part = np.matmul(gblk, cols.swapaxes(-1, -2), out=prods).sum(axis=0)
        if wide:  # col2im from the W-wide grid: g with zero junk columns, and its w^T g
            H, W, Ho, Wo = run
            gw_grid = _WORKSPACE.get("g_grid", (nb, G, O // G, Ho, W), g.dtype)[:m]
            gc_grid = _WORKSPACE.get("gc_grid", (nb, G, C // G * K, Ho * W), dtype)[:m]
            gw_grid[..., Wo:] = 0
            gw_grid[..., :Wo] = gblk.reshape(m, G, O // G, Ho, Wo)
            np.matmul(w3t, gw_grid.reshape(m, G, O // G, Ho * W), out=gc_grid)
            _col2im(gx[blk], gc_grid, *geo, P)
        elif needs[1]:
            np.matmul(w3t, gblk, out=cols)
            _col2im(gx[blk], cols, *geo, P)
        return part

    threaded = _worth_threads(blocks, C, K, L, x.itemsize, S, P, kernel_size, stride)
    parts = _map_blocks(block, blocks, threaded)
    gw = None
    if needs[0]:
        gw3 = np.zeros((G, O // G, C // G * K), dtype=dtype)
        for part in parts:  # in block order: the same sum whatever the thread count
            gw3 += part
        gw = gw3.reshape(w.shape)
    return gw, gx

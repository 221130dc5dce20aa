"""The CPU kernels under the sliding-window ops (``ops.window``): strided views,
col2im by kernel offsets, and the convolution product's im2col and col2im done block
by block of samples in a reused scratch buffer, sized to stay in cache (on the padded
input's row grid of ``ops.window_grid`` for stride-1 windows over one or two axes).

This is speed work, not math: ``ops.window`` holds the ops, their formulas and
their gradient rules, and calls into here for the array-mode arithmetic. Every
function works on numpy arrays and records nothing.
"""
import itertools
import math
import os
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..backend import backend_of
from . import recycle
from .window_grid import (fill_padded, flat_len, grid_cols, grid_gradient, grid_col2im, grid_of,
                          margin, zero_junk)

__all__ = ["window_out_shape", "window_matmul_forward", "window_matmul_backward", "map_batch"]


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
        self.kept = {}  # (key, shape, dtype) -> array, least recently used first

    def zeroed(self, key, shape, dtype):
        """A buffer of exactly this shape and dtype, zero when first made and kept for
        this key (the last _KEPT keys of the thread): for scratch whose callers write
        the same entries on every call and rely on the others staying zero."""
        full = (key, tuple(shape), np.dtype(dtype).str)
        buf = self.kept.pop(full, None)
        if buf is None:
            buf = np.zeros(shape, dtype)
            if len(self.kept) >= _KEPT:
                del self.kept[next(iter(self.kept))]
        self.kept[full] = buf
        return buf

    def get(self, role, shape, dtype):
        dtype = np.dtype(dtype)
        size = math.prod(shape) * dtype.itemsize
        raw = self.buffers.get(role)
        if raw is None or raw.size < size:
            raw = self.buffers[role] = np.empty(max(size, 1), dtype=np.uint8)
        return raw[:size].view(dtype).reshape(shape)


_KEPT = 4
_WORKSPACE = _Workspace()


def _blocks(N, per_sample_bytes):
    """Slices of the batch axis, of nearly equal size, each about _BLOCK_BYTES, and an
    even number of them when there are several.

    NOTE: the count is even so that two threads (each taking the next block not yet
    taken) get equal shares on an idle machine; it never depends on the thread count,
    since the weight gradient's partial sums follow the blocks."""
    nb = max(1, min(N, -(-N * per_sample_bytes // _BLOCK_BYTES)))
    if nb > 1:
        nb = min(N, nb + nb % 2)
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
        return N, C, S, S, G, O, 1, math.prod(S)
    Sp = tuple(n + a + b for n, (a, b) in zip(S, padding))
    P = window_out_shape(Sp, kernel_size, stride, dilation)
    return N, C, S, P, G, O, math.prod(kernel_size), math.prod(P)


def _cols_perm(d):
    """The axis order (N, C, *k, *P) of the im2col matrix, as a permutation of the
    windows' axes (N, C, *P, *k)."""
    return (0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d))


def _inverse(perm):
    return tuple(int(i) for i in np.argsort(perm))




def _grid(S, kernel_size, stride, dilation, padding):
    """The row grid of ``window_grid`` when it applies (stride 1, one or two axes)."""
    return grid_of(S, kernel_size, stride, dilation, padding)


def _im2col(cols, x, kernel_size, stride, dilation, padding, P):
    """Fill cols (n, G, C/G K, L), a block's im2col matrix, from its samples x (n, C, *S)
    (the general case: one strided copy from the padded input's window view)."""
    n, C = x.shape[:2]
    S = x.shape[2:]
    d = len(kernel_size)
    if any(a or b for a, b in padding):
        xp = np.zeros((n, C) + tuple(m + a + b for m, (a, b) in zip(S, padding)), dtype=x.dtype)
        xp[(slice(None), slice(None)) + tuple(slice(a, a + m) for m, (a, _) in zip(S, padding))] = x
    else:
        xp = x
    np.copyto(cols.reshape((n, C) + tuple(kernel_size) + P, copy=False),
              _view(xp, kernel_size, stride, dilation).transpose(_cols_perm(d)))


def _col2im(gx, gc, kernel_size, stride, dilation, padding, P):
    """gx (n, C, *S) += the block's windows' gradient gc (n, G, C/G K, L) scattered back
    to where each window entry came from."""
    n, C = gx.shape[:2]
    S = gx.shape[2:]
    d = len(kernel_size)
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


def _worth_threads(blocks, per_sample_bytes):
    """Whether a block's numpy calls move enough data for threads to pay off.

    NOTE: between numpy calls a thread holds the GIL for the Python work; when the
    calls are short the threads mostly wait for each other. A block's im2col is one
    strided copy (on the row grid or from the window view) and its products are
    batched matrix products, so the block's size is what counts."""
    n = blocks[0].stop - blocks[0].start
    return len(blocks) > 1 and n * per_sample_bytes >= _MIN_CALL_BYTES


def _map_blocks(fn, blocks, threaded=True):
    """[fn(blk) for blk in blocks], the blocks spread over the calling thread and the
    pool when ``threaded`` (inline with one thread, or on a pool thread); results in
    block order.

    NOTE: the calling thread works too rather than waiting (one thread fewer to wake
    and hand the GIL to; a pool of workers alone measured slower on LeNet's backward,
    8.4 -> 13 ms), and every thread takes the next block not yet taken from one
    shared iterator (its next() is atomic under the GIL) instead of a fixed share:
    when the machine's other work delays the pool's thread, the caller goes on with
    the blocks it has not started instead of waiting for them. A block's result does
    not depend on the thread that computes it (each thread has its own scratch), so
    the results are the same whatever thread takes which block."""
    pool, T = _pool() if threaded and len(blocks) > 1 else (None, 1)
    if pool is None or threading.current_thread().name.startswith("gradtable-window"):
        return [fn(blk) for blk in blocks]
    results = [None] * len(blocks)
    todo = iter(range(len(blocks)))

    def work():
        for i in todo:
            results[i] = fn(blocks[i])

    helpers = [pool.submit(work) for _ in range(min(T, len(blocks)) - 1)]
    work()
    for h in helpers:
        h.result()
    return results


_MIN_SPLIT_BYTES = 256 << 10


def map_batch(fn, x, min_bytes=None):
    """fn(rows) for slices of x's first axis, one per thread of the pool (the caller
    takes the first), when x is an array of at least ``min_bytes`` (default
    _MIN_SPLIT_BYTES) with a batch axis;
    else fn(slice(None)) inline. For kernels whose rows are independent (pooling,
    elementwise): each call writes its own rows, so the result does not depend on the
    split."""
    if min_bytes is None:
        min_bytes = _MIN_SPLIT_BYTES
    pool, T = _pool() if x.ndim > 1 and x.nbytes >= min_bytes else (None, 1)
    N = x.shape[0]
    if pool is None or N < 2:
        fn(slice(None))
        return
    T = min(T, N)
    bounds = [N * i // T for i in range(T + 1)]
    _map_blocks(fn, [slice(a, b) for a, b in zip(bounds, bounds[1:])])


def window_matmul_forward(w3, x, bias, geo, sizes):
    """``window_matmul``'s forward for a real kernel: im2col, one matrix product and
    the bias, block by block of samples in the scratch buffer (blocks on the pool)."""
    kernel_size, stride, dilation, padding = geo
    N, C, S, P, G, O, K, L = sizes
    out = recycle.empty((N, G, O // G, L), np.result_type(w3, x))
    x = np.ascontiguousarray(x)
    gr = _grid(S, kernel_size, stride, dilation, padding)
    if gr is not None:
        _grid_forward(out, w3, x, bias, gr, sizes)
        return out.reshape((N, O) + P)
    blocks = _blocks(N, C * K * L * x.itemsize)
    shape = (blocks[0].stop, G, C // G * K, L)

    def run(blk):
        cols = _WORKSPACE.get("cols", shape, x.dtype)[:blk.stop - blk.start]
        _im2col(cols, x[blk], kernel_size, stride, dilation, padding, P)
        np.matmul(w3, cols, out=out[blk])
        if bias is not None:
            out[blk] += bias

    _map_blocks(run, blocks, _worth_threads(blocks, C * K * L * x.itemsize))
    return out.reshape((N, O) + P)


def _grid_forward(out, w3, x, bias, gr, sizes):
    """The forward on the row grid (``window_grid``): per block, pad into scratch, one
    strided copy of the windows plus a row of ones, one product with [w | b], and the
    real columns copied out."""
    N, C, S, P, G, O, K, L = sizes
    dtype, rows, Lw = out.dtype, C // G * K, gr.Ho * gr.Wp
    wb = w3 if bias is None else np.concatenate((w3, bias.astype(w3.dtype)), axis=-1)
    wb = wb.astype(dtype, copy=False)
    extra = 0 if bias is None else 1
    per_sample = C * K * Lw * dtype.itemsize
    blocks = _blocks(N, per_sample)
    nb = blocks[0].stop

    def run(blk):
        m = blk.stop - blk.start
        xp = _WORKSPACE.get("grid_x", (nb, C, flat_len(gr)), dtype)[:m]
        cols = _WORKSPACE.get("cols", (nb, G, rows + extra, Lw), dtype)[:m]
        fill_padded(xp, x[blk], gr)
        grid_cols(cols[:, :, :rows], xp, gr, G)
        if extra:
            cols[:, :, rows] = 1
        if gr.Wo == gr.Wp:
            np.matmul(wb, cols, out=out[blk])
            return
        prod = _WORKSPACE.get("grid_out", (nb, G, O // G, Lw), dtype)[:m]
        np.matmul(wb, cols, out=prod)
        np.copyto(out[blk].reshape((m, G, O // G, gr.Ho, gr.Wo), copy=False),
                  prod.reshape(m, G, O // G, gr.Ho, gr.Wp)[..., :gr.Wo])

    _map_blocks(run, blocks, _worth_threads(blocks, per_sample))


def window_matmul_backward(g, g4, w, w3t, x, needs, geo, sizes, leaf_x=True):
    """``window_matmul``'s backward on arrays: (dL/dw, dL/dx, dL/db), each None unless
    ``needs`` asks for it (dL/db when needs has a third entry); dL/dx comes from
    ``recycle`` unless x is a leaf (whose ``.grad`` must own its memory)."""
    kernel_size, stride, dilation, padding = geo
    N, C, S, P, G, O, K, L = sizes
    # NOTE: block by block of samples, in one scratch block: copy the windows in (the
    # im2col matrix is not kept from the forward pass: making it again costs one copy,
    # keeping it would hold C K times the input alive across the network), add their
    # share of dL/dw, overwrite them with w^T g and scatter that back (col2im).
    x = np.ascontiguousarray(x)
    dtype = np.result_type(w, g, x)
    gx = None
    if needs[1]:
        gx = (np.empty if leaf_x else recycle.empty)(x.shape, np.result_type(w, g))
    gr = _grid(S, kernel_size, stride, dilation, padding)
    gb = None
    if gr is not None:
        # NOTE: dL/db = sum_{n, p} g[n, :, p] is summed block by block too (each block's
        # g is in cache right after it is laid on the grid), the blocks' sums added in
        # block order: off the calling thread's serial path, the same whatever the
        # thread count
        parts = _grid_backward(g4, w3t, x, gx, needs, gr, sizes, np.dtype(dtype))
        if len(needs) > 2 and needs[2]:
            gb = parts[0][1]
            for part in parts[1:]:
                gb = gb + part[1]
            gb = gb.reshape(O)
        parts = [part[0] for part in parts]
    else:
        if len(needs) > 2 and needs[2]:
            gb = g4.sum(axis=0).sum(axis=-1).reshape(O)
        if needs[1]:
            gx[...] = 0
        parts = _view_backward(g4, w3t, x, gx, needs, geo, sizes, dtype)
    gw = None
    if needs[0]:
        # NOTE: each block's partial sum is (dL/dw)^T per group, windows times g^T:
        # with the windows' matrix as the left operand the batched products ran twice
        # as fast (0.36 -> 0.17 ms for LeNet's 6->16 layer, 32 samples)
        gw3t = np.zeros((G, C // G * K, O // G), dtype=dtype)
        for part in parts:  # in block order: the same sum whatever the thread count
            gw3t += part
        gw = np.ascontiguousarray(gw3t.swapaxes(-1, -2)).reshape(w.shape)
    return gw, gx, gb


def _view_backward(g4, w3t, x, gx, needs, geo, sizes, dtype):
    """The backward's blocks from the window view (strided or 3-d windows)."""
    N, C, S, P, G, O, K, L = sizes
    blocks = _blocks(N, C * K * L * x.itemsize)
    nb = blocks[0].stop

    def block(blk):
        m = blk.stop - blk.start
        cols = _WORKSPACE.get("cols", (nb, G, C // G * K, L), dtype)[:m]
        gblk, part = g4[blk], None
        if needs[0]:
            _im2col(cols, x[blk], *geo, P)
            # NOTE: the per-sample products go to scratch too: a fresh block-sized array
            # made on a pool thread comes from that thread's malloc arena, which can
            # hand it back to the system when freed and fault it in again next step.
            prods = _WORKSPACE.get("gw_parts", (nb, G, C // G * K, O // G), dtype)[:m]
            part = np.matmul(cols, gblk.swapaxes(-1, -2), out=prods).sum(axis=0)
        if needs[1]:
            np.matmul(w3t, gblk, out=cols)
            _col2im(gx[blk], cols, *geo, P)
        return part

    return _map_blocks(block, blocks, _worth_threads(blocks, C * K * L * x.itemsize))


def _grid_backward(g4, w3t, x, gx, needs, gr, sizes, dtype):
    """The backward's blocks on the row grid (``window_grid``): g laid on the grid with
    zero junk columns, dL/dw from the windows made again, w^T g scattered back."""
    N, C, S, P, G, O, K, L = sizes
    rows, Lw = C // G * K, gr.Ho * gr.Wp
    per_sample = C * K * Lw * dtype.itemsize
    blocks = _blocks(N, per_sample)
    nb = blocks[0].stop
    w_finite = bool(np.isfinite(w3t).all())

    M = margin(gr)

    def block(blk):
        m = blk.stop - blk.start
        # NOTE: g's grid keeps its junk columns zero from call to call (only the real
        # columns are ever written), so laying g on it is one copy
        gg = g4[blk] if gr.Wo == gr.Wp else grid_gradient(
            _WORKSPACE.zeroed(("g_grid", gr), (nb, G, O // G, Lw), dtype)[:m], g4[blk], gr,
            junk_zero=True)
        # NOTE: each row of the windows (and of their gradient w^T g) sits between zero
        # margins of M entries, which grid_col2im reads for offsets that fall outside
        padded = _WORKSPACE.get("cols_pad", (nb, G, rows, Lw + 2 * M), dtype)[:m]
        cols = padded[..., M:M + Lw]
        part = None
        if needs[0]:
            xp = _WORKSPACE.get("grid_x", (nb, C, flat_len(gr)), dtype)[:m]
            fill_padded(xp, x[blk], gr)
            grid_cols(cols, xp, gr, G)
            prods = _WORKSPACE.get("gw_parts", (nb, G, rows, O // G), dtype)[:m]
            part = np.matmul(cols, gg.swapaxes(-1, -2), out=prods).sum(axis=0)
            if not np.isfinite(part).all():  # junk columns must not poison dL/dw
                zero_junk(cols, gr)
                part = np.matmul(cols, gg.swapaxes(-1, -2), out=prods).sum(axis=0)
        if needs[1]:
            np.matmul(w3t, gg, out=cols)
            if not w_finite:
                zero_junk(cols, gr)
            padded[..., :M] = 0
            padded[..., M + Lw:] = 0
            grid_col2im(gx[blk], padded, gr)
        if len(needs) > 2 and needs[2]:
            return part, g4[blk].sum(axis=0).sum(axis=-1)
        return part, None

    return _map_blocks(block, blocks, _worth_threads(blocks, per_sample))

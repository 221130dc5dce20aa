"""Large result arrays whose memory is handed out again once nothing references it.

A training step makes the same large arrays every time (a convolution's output, a
pooling layer's gradient) and drops them all at its end. glibc's malloc gives the freed
top of its heap back to the system when it exceeds a threshold, so the next step's
arrays are page-faulted in again, 4 kB at a time (LeNet's step: about 1400 faults, a
few milliseconds, more than its convolutions' arithmetic). ``empty`` instead keeps the
memory of arrays of at least ``_MIN_BYTES`` in a bounded pool and hands a block out
again when no array refers to it any more: every array made from a block is a view
whose base is the block, so the block's reference count says whether one is alive.
Nothing about malloc itself is changed.

NOTE: an array from ``empty`` does not own its memory (``base`` is the block). The
engine copies such an array before keeping it as a leaf's ``.grad``, so a rule whose
input is a leaf should make its gradient with ``np.empty``.
"""
import sys
import threading

import numpy as np

__all__ = ["empty"]

_MIN_BYTES = 256 << 10
_MAX_HELD = 64 << 20  # at most this many bytes in the pool, in use or not
_LOCK = threading.Lock()
_BLOCKS = {}  # nbytes -> [uint8 block, ...]
_HELD = [0]


def _free_block(blocks):
    """A block of the list that no array refers to (the list, the loop variable and
    getrefcount's argument are its only references), or None."""
    for raw in blocks:
        if sys.getrefcount(raw) == 3:
            return raw
    return None


def _evict(nbytes):
    """Drop unused blocks of other sizes until ``nbytes`` more fit under the cap."""
    for size in list(_BLOCKS):
        blocks = _BLOCKS[size]
        for i in range(len(blocks) - 1, -1, -1):
            if _HELD[0] + nbytes <= _MAX_HELD:
                return
            if sys.getrefcount(blocks[i]) == 2:  # the list and getrefcount's argument
                del blocks[i]
                _HELD[0] -= size
        if not blocks and size != nbytes:
            del _BLOCKS[size]


def empty(shape, dtype):
    """An uninitialised array like ``np.empty(shape, dtype)``, its memory taken from the
    pool when it is large (a block no live array refers to, else a new one)."""
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for n in shape:
        nbytes *= n
    if nbytes < _MIN_BYTES:
        return np.empty(shape, dtype)
    with _LOCK:
        blocks = _BLOCKS.setdefault(nbytes, [])
        raw = _free_block(blocks)
        if raw is None:
            if _HELD[0] + nbytes > _MAX_HELD:
                _evict(nbytes)
            if _HELD[0] + nbytes > _MAX_HELD:
                return np.empty(shape, dtype)
            raw = np.empty(nbytes, dtype=np.uint8)
            blocks.append(raw)
            _HELD[0] += nbytes
        return raw.view(dtype).reshape(shape)

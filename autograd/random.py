"""One random generator for the whole library.

Everything random in gradtable (``ag.randn``, weight initialisation, dropout masks,
shuffling without an explicit seed) draws from the generator returned by
:func:`generator`; ``ag.manual_seed(n)`` replaces it, so one call makes a whole
run reproducible. The global ``np.random`` state is never touched.
"""
import numpy as np

__all__ = ["manual_seed", "generator", "seed"]

_GEN = [np.random.default_rng()]


def manual_seed(seed):
    """Seed the library's generator: every later random draw is reproducible."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an integer, got {type(seed).__name__}")
    _GEN[0] = np.random.default_rng(int(seed))
    return _GEN[0]


seed = manual_seed


def generator():
    """The library's ``numpy.random.Generator`` (replaced by :func:`manual_seed`)."""
    return _GEN[0]

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


class Generator:
    """A random stream of its own, PyTorch's ``torch.Generator``: pass it as
    ``generator=`` (``ag.multinomial``) to draw without touching the library's stream.

        g = ag.Generator().manual_seed(2147483647)
        ix = ag.multinomial(p, 1, replacement=True, generator=g)
    """

    def __init__(self, device="cpu"):
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Reseed this stream; returns the generator (so it chains like PyTorch's)."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"Generator.manual_seed expects an integer, got {type(seed).__name__}")
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed


def resolve(gen):
    """The numpy Generator behind ``generator=``: the library's stream for None, the
    stream of an :class:`Generator`, or a ``numpy.random.Generator`` itself."""
    if gen is None:
        return generator()
    if isinstance(gen, Generator):
        return gen.rng
    if isinstance(gen, np.random.Generator):
        return gen
    raise TypeError(f"generator= must be an ag.Generator or a numpy Generator, got {type(gen).__name__}")

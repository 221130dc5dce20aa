"""Random number generators: one default for the whole library, and ``ag.Generator``
objects for streams of their own (PyTorch's ``torch.Generator``).

Everything random in gradtable (``ag.randn``, weight initialisation, dropout masks,
shuffling without an explicit seed) draws from :data:`default_generator` unless a
``generator=`` argument names another one; ``ag.manual_seed(n)`` reseeds the
default, so one call makes a whole run reproducible. The global ``np.random`` state
is never touched.

    g = ag.Generator().manual_seed(0)
    a = ag.randn(3, generator=g)            # reproducible, whatever else draws
    state = g.get_state(); b = ag.rand(2, generator=g)
    g.set_state(state); assert (ag.rand(2, generator=g) == b).all()

NOTE: the streams are numpy's PCG64, not PyTorch's Mersenne Twister: the same seed
gives different numbers in the two libraries (the distributions are the same).
"""
import json
import numbers

import numpy as np

__all__ = ["Generator", "default_generator", "manual_seed", "initial_seed", "seed", "generator",
           "get_rng_state", "set_rng_state", "rng", "resolve"]


def _check_seed(value, what):
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{what} expects an integer, got {type(value).__name__}")
    value = int(value)
    if value < 0:  # PyTorch maps negative seeds into the unsigned 64-bit range
        value += 1 << 64
    if not 0 <= value < 1 << 64:
        raise ValueError(f"{what}: the seed must fit in 64 bits, got {value}")
    return value


class Generator:
    """A random stream of its own, PyTorch's ``torch.Generator``.

    ``manual_seed(n)`` (returns the generator, so ``Generator().manual_seed(0)``
    chains), ``seed()`` (a fresh non-deterministic seed, returned),
    ``initial_seed()``, ``get_state()`` / ``set_state(state)`` (a uint8 Tensor, like
    PyTorch's ByteTensor, that ``ag.save`` can store). ``device`` is accepted for
    PyTorch code and must be ``'cpu'``.
    """

    def __init__(self, device="cpu"):
        if str(device).split(":")[0] != "cpu":
            raise ValueError(
                f"Generator: generators are host streams (device='cpu'), got {device!r}; a draw "
                "for a 'cuda' or 'strict' tensor is made on that device from this stream, so pass a "
                "cpu Generator: ag.randn(3, device='cuda', generator=ag.Generator())")
        self.device = "cpu"
        self.seed()

    def manual_seed(self, seed):
        """Reseed: every later draw from this generator is reproducible. Returns self."""
        self._seed = _check_seed(seed, "manual_seed")
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Reseed from the operating system's entropy; return the new seed."""
        new = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(new)
        return new

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The full state, as a uint8 Tensor (restore it with :meth:`set_state`)."""
        from ._tensor import Tensor

        doc = json.dumps({"seed": self._seed, "bit_generator": self._rng.bit_generator.state})
        return Tensor(np.frombuffer(doc.encode(), dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by :meth:`get_state`. Returns self."""
        arr = np.asarray(getattr(new_state, "array", new_state))
        try:
            if arr.dtype != np.uint8 or arr.ndim != 1:
                raise ValueError("not a 1-d uint8 array")
            doc = json.loads(arr.tobytes().decode())
            rng = np.random.default_rng()
            rng.bit_generator.state = doc["bit_generator"]
            seed = _check_seed(doc["seed"], "set_state")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            raise ValueError(f"Generator.set_state: not a state returned by get_state ({e})") from None
        self._rng, self._seed = rng, seed
        return self

    @property
    def rng(self):
        """The ``numpy.random.Generator`` that draws the numbers."""
        return self._rng

    def __repr__(self):
        return f"<autograd.Generator device='cpu' initial_seed={self._seed}>"


default_generator = Generator()


def manual_seed(seed):
    """Seed the library's default generator: every later random draw that names no
    other generator is reproducible. Returns :data:`default_generator` (PyTorch's
    return value)."""
    return default_generator.manual_seed(seed)


def initial_seed():
    return default_generator.initial_seed()


def seed():
    """Reseed the default generator non-deterministically; return the seed (PyTorch's
    ``torch.seed``)."""
    return default_generator.seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def generator():
    """The ``numpy.random.Generator`` of the default generator (reseeded by
    :func:`manual_seed`)."""
    return default_generator.rng


def rng(gen=None, what="generator"):
    """The numpy Generator to draw from: ``gen``'s (an :class:`Generator`) or, for
    None, the default one. ``what`` names the caller in the error."""
    if gen is None:
        return default_generator.rng
    if isinstance(gen, Generator):
        return gen.rng
    if isinstance(gen, np.random.Generator):
        return gen
    raise TypeError(f"{what}: generator must be an ag.Generator (or None for the default), "
                    f"got {type(gen).__name__}")


def resolve(gen):
    """The numpy Generator behind ``generator=`` (the name the issue-12 ops use): see :func:`rng`."""
    return rng(gen, "generator=")

"""Samplers: the order in which a ``DataLoader`` visits a dataset's samples (PyTorch's names).

A sampler is an iterable of sample indices with a length. ``DataLoader`` cuts what it
yields into batches, so the sampler decides *which* samples an epoch sees:

=====================================  ==============================================
sampler                                one epoch
=====================================  ==============================================
SequentialSampler(ds)                  0, 1, ..., N-1 (``shuffle=False``)
RandomSampler(ds)                      a random permutation: every sample exactly once,
                                       *without* replacement (``shuffle=True``; the
                                       notes' 003 "disjoint" minibatches of an epoch)
RandomSampler(ds, replacement=True)    N indices drawn independently and uniformly,
                                       *with* replacement: the notes' SGD (000, i_k
                                       "drawn i.i.d. uniformly"), where a sample may
                                       come twice in an epoch and another not at all
=====================================  ==============================================

Randomness: ``generator=None`` draws from the library's generator
(``ag.random.generator()``, reseeded by ``ag.manual_seed``) at the start of each epoch;
an ``ag.Generator`` (PyTorch's ``torch.Generator``), a ``numpy.random.Generator`` or an
integer seed (which makes one) gives the sampler its own stream; the draws themselves are not
PyTorch's (numpy's generator, and the with-replacement indices are drawn in one call
rather than PyTorch's chunks of 32), the semantics are.
"""
import numbers

import numpy as np

import autograd as ag

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "DistributedSampler"]


class Sampler:
    """Base class: an iterable of dataset indices (ints) with ``len``.

    Subclasses define ``__iter__`` and ``__len__``; ``DataLoader(sampler=...)`` also accepts
    any iterable of ints with a length.
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class SequentialSampler(Sampler):
    """The indices 0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def indices(self):
        """This epoch's indices as one int64 array (what ``__iter__`` yields)."""
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self):
        return len(self.data_source)


def _as_generator(generator):
    if generator is None or isinstance(generator, (np.random.Generator, ag.random.Generator)):
        return generator
    if isinstance(generator, (numbers.Integral, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"RandomSampler: generator must be an ag.Generator, a numpy.random.Generator, "
                    f"an integer seed or None (the library's generator), got {type(generator).__name__}")


class RandomSampler(Sampler):
    """Random indices of ``data_source``, PyTorch's ``RandomSampler``.

    ``RandomSampler(data_source, replacement=False, num_samples=None, generator=None)``

    * ``replacement=False`` (default): a fresh random permutation every epoch, so each
      sample is used exactly once per epoch (what ``DataLoader(shuffle=True)`` does).
      With ``num_samples`` > N, whole permutations are concatenated, then the first
      ``num_samples % N`` indices of one more, as in PyTorch.
    * ``replacement=True``: ``num_samples`` indices, each drawn independently and
      uniformly from {0, ..., N-1}. This is the notes' stochastic gradient descent (000,
      "Stochastic gradient descent": i_k drawn i.i.d. uniformly on {1, ..., N}); in an
      epoch of N draws a given sample is missed with probability (1 - 1/N)^N ~ e^-1,
      about 37%.

    ``num_samples`` (default N) is the length of an epoch. ``generator``: an
    ``ag.Generator``, a ``numpy.random.Generator``, an integer seed, or None for the
    library's generator.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement!r}")
        if num_samples is not None and (isinstance(num_samples, bool) or not isinstance(
                num_samples, (numbers.Integral, np.integer)) or num_samples <= 0):
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = None if num_samples is None else int(num_samples)
        self.generator = _as_generator(generator)
        if self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples} (an empty data source?)")

    @property
    def num_samples(self):
        # the dataset's size is read when needed, as in PyTorch (it may change)
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def indices(self):
        """This epoch's indices as one int64 array (drawn anew at every call)."""
        n, k = len(self.data_source), self.num_samples
        if n == 0:
            raise ValueError("RandomSampler: the data source is empty, there is nothing to sample")
        rng = ag.random.rng(self.generator, "RandomSampler")
        if self.replacement:
            return rng.integers(0, n, size=k, dtype=np.int64)
        parts = [rng.permutation(n) for _ in range(k // n)]
        if k % n:
            parts.append(rng.permutation(n)[:k % n])
        return np.concatenate(parts).astype(np.int64, copy=False)

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self):
        return self.num_samples

    def __repr__(self):
        return (f"RandomSampler({len(self.data_source)} samples, replacement={self.replacement}, "
                f"num_samples={self.num_samples})")


class DistributedSampler(Sampler):
    """Each of ``num_replicas`` ranks reads its own, disjoint share of every epoch.

    The epoch's order (a permutation drawn from ``seed + epoch`` when ``shuffle``, else
    0 .. N-1) is padded by repeating its head to ``total_size = num_replicas * num_samples``
    indices, or cut to it with ``drop_last``, and rank r takes every num_replicas-th
    index from position r: ``order[r::num_replicas]``. So the ranks' shares are disjoint
    and together cover every sample (a few twice when N is not a multiple of the number
    of ranks, unless ``drop_last``), and every rank draws the same permutation without
    communicating. Call ``set_epoch(e)`` at the start of each epoch for a new order.

    num_samples = ceil(N / num_replicas), or floor(N / num_replicas) with drop_last.
    ``num_replicas`` and ``rank`` default to the process group's world size and rank.
    The permutation is numpy's (``default_rng(seed + epoch)``), not torch's ``randperm``.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            import autograd.distributed as dist

            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if int(num_replicas) < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be at least 1, got {num_replicas}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas, self.rank = int(num_replicas), int(rank)
        self.epoch = 0
        self.drop_last = bool(drop_last)
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = -(-(n - self.num_replicas) // self.num_replicas)
        else:
            self.num_samples = -(-n // self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = bool(shuffle)
        self.seed = int(seed)

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = np.arange(n)
        if not self.drop_last:
            pad = self.total_size - n
            if pad > 0:
                order = np.concatenate([order, np.resize(order, pad)])  # repeats the head
        else:
            order = order[:self.total_size]
        own = order[self.rank:self.total_size:self.num_replicas]
        return iter(own.tolist())

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """The epoch number: with ``shuffle``, each epoch's permutation comes from seed + epoch."""
        self.epoch = int(epoch)

    def __repr__(self):
        return (f"DistributedSampler({len(self.dataset)} samples, rank {self.rank} of "
                f"{self.num_replicas}, {self.num_samples} each, shuffle={self.shuffle}, "
                f"seed={self.seed}, epoch={self.epoch}, drop_last={self.drop_last})")

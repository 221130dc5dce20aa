"""Datasets and mini-batches: ``Dataset``, ``TensorDataset``, ``Subset``, ``DataLoader``,
``random_split``.

The notes' training loop walks over the data in *epochs*; each epoch is cut into
mini-batches of M samples (M = 1 is stochastic gradient descent, M = N full-batch
gradient descent), and the order is reshuffled at the start of every epoch::

    from nn.data import TensorDataset, DataLoader
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=0)
    for xb, yb in loader:          # tuples of ag.Tensor, one per array
        ...

Randomness: ``seed=None`` draws every shuffle from the library's one generator
(``ag.random.generator()``, reseeded by ``ag.manual_seed``); an integer ``seed`` gives
the loader its own ``numpy.random.Generator``, so its epochs come in the same orders
on every run whatever else draws random numbers. The global ``np.random`` is never used.

Dtypes: floating-point arrays keep their dtype (float32 stays float32, float64 stays
float64); integer arrays become int64 (class labels, like PyTorch's ``long``); bool
arrays stay bool. Python lists follow ``ag.tensor``'s rules (floats become float32).
"""
import numbers

import numpy as np

import autograd as ag

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "random_split", "default_collate",
           "Sampler", "DistributedSampler"]


class Dataset:
    """A map-style dataset: ``len(ds)`` samples, ``ds[i]`` returns the i-th sample.

    Subclass it and define ``__getitem__`` and ``__len__``. A sample is usually a
    tuple ``(x, y)``; each field may be a number, a numpy array or a Tensor.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _as_array(a):
    """One field of a dataset as a numpy array following the module's dtype rules."""
    arr = a.data if isinstance(a, ag.Tensor) else a
    if not isinstance(arr, np.ndarray):
        arr = ag.tensor(arr).data  # lists and scalars: the library's rules (floats -> float32)
    if arr.ndim == 0:
        raise ValueError("TensorDataset needs arrays with a first (sample) axis, got a 0-d value")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.int64, copy=False)
    elif arr.dtype.kind not in "fcb":
        raise TypeError(f"TensorDataset: unsupported dtype {arr.dtype}; use numbers or bools")
    return arr


class TensorDataset(Dataset):
    """Samples are the rows of one or more arrays of equal length.

    ``TensorDataset(X, y)``: ``ds[i] == (Tensor(X[i]), Tensor(y[i]))``. Arrays may be numpy
    arrays, Tensors or nested lists; they are held as numpy arrays in ``.arrays`` (also
    ``.tensors``, PyTorch's name, as Tensors). ``DataLoader`` indexes all of a batch's rows
    at once through ``ds.get_batch(indices)``, with no per-sample Python loop.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(_as_array(a) for a in arrays)
        n = len(self.arrays[0])
        for i, a in enumerate(self.arrays):
            if len(a) != n:
                raise ValueError(
                    f"TensorDataset: all arrays need the same number of samples (first axis); "
                    f"array 0 has {n}, array {i} has {len(a)}"
                )

    @property
    def tensors(self):
        return tuple(ag.Tensor(a) for a in self.arrays)

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(ag.Tensor(np.asarray(a[index])) for a in self.arrays)

    def get_batch(self, indices):
        """The rows ``indices`` (an int64 array) of every array, as a tuple of Tensors."""
        return tuple(ag.Tensor(a[indices]) for a in self.arrays)

    def __repr__(self):
        fields = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.arrays)
        return f"TensorDataset({len(self)} samples: {fields})"


class Subset(Dataset):
    """The samples of ``dataset`` at positions ``indices`` (what ``random_split`` returns)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        if isinstance(index, (numbers.Integral, np.integer)):
            return self.dataset[int(self.indices[index])]
        return [self.dataset[int(i)] for i in self.indices[index]]

    def get_batch(self, indices):
        """Fast path, used by ``DataLoader`` when the wrapped dataset has one."""
        return self.dataset.get_batch(self.indices[indices])

    def __repr__(self):
        return f"Subset({len(self)} of {self.dataset!r})"


def _has_fast_path(dataset):
    if isinstance(dataset, Subset):
        return _has_fast_path(dataset.dataset)
    return callable(getattr(dataset, "get_batch", None))


def default_collate(samples):
    """Stack a list of samples into a batch: a tuple of Tensors, one per field.

    Each sample is a tuple (or a single value); field ``k`` of every sample is stacked
    along a new first axis, keeping the dtype rules of ``TensorDataset``.
    """
    if not samples:
        raise ValueError("cannot collate an empty batch")
    first = samples[0]
    if not isinstance(first, (tuple, list)):
        samples = [(s,) for s in samples]
        first = samples[0]
    fields = []
    for k in range(len(first)):
        values = [s[k].data if isinstance(s[k], ag.Tensor) else s[k] for s in samples]
        fields.append(ag.Tensor(_as_array(np.stack([np.asarray(v) for v in values]))))
    return tuple(fields)


class DataLoader:
    """Mini-batches of a dataset, one epoch per ``for`` loop.

    Args:
        dataset: a ``Dataset`` (``TensorDataset`` and its ``Subset``s take a fast path:
            one fancy-indexing per array per batch, no Python loop over samples).
        batch_size: samples per batch (the last one may be smaller).
        shuffle: draw a new random order at the start of every epoch.
        drop_last: skip the last batch when it is smaller than ``batch_size``.
        seed: ``None`` shuffles with the library's generator (``ag.manual_seed``);
            an integer gives this loader its own generator: reproducible epochs.
        collate_fn: how a list of samples becomes a batch (generic datasets only);
            the default stacks each field into a Tensor.
        sampler: an iterable of sample indices with a length (a :class:`Sampler`, such as
            :class:`DistributedSampler`) that gives the order instead; not with ``shuffle``.

    Yields tuples of ``ag.Tensor`` (no gradients), one per field of the dataset.
    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None,
                 collate_fn=None, sampler=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (numbers.Integral, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer))):
            raise TypeError(f"seed must be an integer or None, got {seed!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn or default_collate
        self._rng = None if seed is None else np.random.default_rng(int(seed))
        self._fast = collate_fn is None and _has_fast_path(dataset)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle "
                             "(the sampler decides the order; DistributedSampler(shuffle=True) "
                             "shuffles)")
        self.sampler = sampler

    @property
    def generator(self):
        """The numpy Generator that shuffles: this loader's own, or the library's."""
        return self._rng if self._rng is not None else ag.random.generator()

    def __len__(self):
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def _order(self):
        if self.sampler is not None:
            return np.fromiter(iter(self.sampler), dtype=np.int64)
        n = len(self.dataset)
        if self.shuffle:
            return self.generator.permutation(n).astype(np.int64)
        return np.arange(n, dtype=np.int64)

    def __iter__(self):
        order = self._order()  # drawn once per epoch, when the loop starts
        bs = self.batch_size
        for b in range(len(self)):
            idx = order[b * bs:(b + 1) * bs]
            if self._fast:
                yield self.dataset.get_batch(idx)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])

    def __repr__(self):
        return (f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)")


def random_split(dataset, lengths, seed=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are sample counts summing to ``len(dataset)``, or fractions summing to 1
    (the remainder after flooring goes round-robin to the first subsets, like PyTorch).
    ``seed`` as in ``DataLoader``.
    """
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(l, float) for l in lengths) and abs(sum(lengths) - 1) < 1e-6:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(int(l) != l or l < 0 for l in lengths) or sum(lengths) != n:
        raise ValueError(
            f"random_split: lengths must be non-negative counts summing to the dataset's "
            f"{n} samples, or fractions summing to 1; got {lengths}"
        )
    rng = np.random.default_rng(int(seed)) if seed is not None else ag.random.generator()
    perm = rng.permutation(n).astype(np.int64)
    out, start = [], 0
    for l in lengths:
        out.append(Subset(dataset, perm[start:start + int(l)]))
        start += int(l)
    return out


class Sampler:
    """An iterable of dataset indices with a length: the order a ``DataLoader`` reads in."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


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

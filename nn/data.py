"""Datasets and mini-batches: ``Dataset``, ``TensorDataset``, ``Subset``, ``DataLoader``,
``random_split``, and the samplers of ``nn.sampler`` (``RandomSampler``, ...).

The notes' training loop walks over the data in *epochs*; each epoch is cut into
mini-batches of M samples (M = 1 is stochastic gradient descent, M = N full-batch
gradient descent), and the order is reshuffled at the start of every epoch::

    from nn.data import TensorDataset, DataLoader
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, seed=0)
    for xb, yb in loader:          # tuples of ag.Tensor, one per array
        ...

The notes' SGD (000) draws each sample i.i.d. uniformly, *with* replacement;
``shuffle=True`` permutes (each sample once per epoch, *without* replacement). For the
notes' draw pass a sampler: ``DataLoader(ds, batch_size=1,
sampler=RandomSampler(ds, replacement=True))``.

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

from .sampler import DistributedSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "random_split", "default_collate",
           "Sampler", "SequentialSampler", "RandomSampler", "DistributedSampler", "TransformDataset"]


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
    arr = a.array if isinstance(a, ag.Tensor) else a
    if not ag.backend.is_array(arr):  # device arrays (CuPy, strict) stay on their device
        arr = ag.tensor(arr, device="cpu").array  # lists and scalars: the library's rules (floats -> float32)
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

    ``transform`` (e.g. ``nn.transforms.Compose([...])``) is applied to the first array's
    sample (the input) every time it is read, ``target_transform`` to the second's (the
    label): augmentation draws anew each epoch. The arrays themselves are not changed.
    """

    def __init__(self, *arrays, transform=None, target_transform=None):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.transform, self.target_transform = transform, target_transform
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
        fields = [_row(a, index) for a in self.arrays]
        if isinstance(index, (numbers.Integral, np.integer)):
            fields = _transformed(fields, self.transform, self.target_transform)
        elif self.transform is not None or self.target_transform is not None:
            fields = _batch_transformed(fields, self.transform, self.target_transform)
        return tuple(ag.Tensor(f) for f in fields)

    def get_batch(self, indices):
        """The rows ``indices`` (an int64 array) of every array, as a tuple of Tensors
        (with a transform: applied to each sample of the batch)."""
        fields = [a[_on(indices, a)] for a in self.arrays]
        return tuple(ag.Tensor(f) for f in _batch_transformed(fields, self.transform,
                                                              self.target_transform))

    def __repr__(self):
        fields = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.arrays)
        return f"TensorDataset({len(self)} samples: {fields})"


def _on(indices, a):
    """The index array on ``a``'s device (a GPU array is indexed by GPU indices)."""
    return indices if type(a) is np.ndarray else ag.backend.to_device(indices, ag.backend.device_of(a))


def _row(a, index):
    r = a[index]
    return np.asarray(r) if type(a) is np.ndarray else r


def _transformed(fields, transform, target_transform):
    """One sample's fields with the input and target transforms applied."""
    fields = list(fields)
    if transform is not None:
        fields[0] = transform(fields[0])
    if target_transform is not None and len(fields) > 1:
        fields[1] = target_transform(fields[1])
    return fields


def _batch_transformed(fields, transform, target_transform):
    """A batch's fields, each sample transformed on its own (its own random draws)."""
    fields = list(fields)
    for k, fn in ((0, transform), (1, target_transform)):
        if fn is not None and k < len(fields):
            arr = fields[k].array if isinstance(fields[k], ag.Tensor) else fields[k]
            out = [fn(s) for s in arr]
            fields[k] = np.stack([o.array if isinstance(o, ag.Tensor) else np.asarray(o) for o in out]) \
                if out else arr
    return fields


class TransformDataset(Dataset):
    """``dataset`` read through ``transform`` (on each sample's input, field 0) and
    ``target_transform`` (on its target, field 1): e.g. augment the training part of a
    ``random_split`` and leave the validation part as it is. Random transforms draw anew
    at every read, so every epoch sees new variants."""

    def __init__(self, dataset, transform=None, target_transform=None):
        self.dataset, self.transform, self.target_transform = dataset, transform, target_transform

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        sample = self.dataset[index]
        single = not isinstance(sample, (tuple, list))
        fields = _transformed([sample] if single else sample, self.transform, self.target_transform)
        return fields[0] if single else tuple(fields)

    def get_batch(self, indices):
        """Fast path when the wrapped dataset has one: its batch, each sample transformed."""
        batch = self.dataset.get_batch(indices)
        fields = _batch_transformed(batch, self.transform, self.target_transform)
        return tuple(f if isinstance(f, ag.Tensor) else ag.Tensor(f) for f in fields)

    def __repr__(self):
        return f"TransformDataset({self.dataset!r}, transform={self.transform!r})"


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
    if isinstance(dataset, (Subset, TransformDataset)):
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
        values = [s[k].array if isinstance(s[k], ag.Tensor) else s[k] for s in samples]
        fields.append(ag.Tensor(_as_array(np.stack([np.asarray(v) for v in values]))))
    return tuple(fields)


class DataLoader:
    """Mini-batches of a dataset, one epoch per ``for`` loop.

    Args:
        dataset: a ``Dataset`` (``TensorDataset`` and its ``Subset``s take a fast path:
            one fancy-indexing per array per batch, no Python loop over samples).
        batch_size: samples per batch (the last one may be smaller).
        shuffle: draw a new random order at the start of every epoch: a permutation,
            each sample once (``RandomSampler(dataset)``, without replacement).
        drop_last: skip the last batch when it is smaller than ``batch_size``.
        seed: ``None`` shuffles with the library's generator (``ag.manual_seed``);
            an integer gives this loader its own generator: reproducible epochs.
        collate_fn: how a list of samples becomes a batch (generic datasets only);
            the default stacks each field into a Tensor.
        sampler: where the indices come from instead (PyTorch's ``sampler``): any
            iterable of ints with a length, e.g. ``RandomSampler(dataset,
            replacement=True)`` for the notes' i.i.d. draws. Exclusive with
            ``shuffle`` and ``seed`` (give the sampler its own ``generator``).
        generator: an ``ag.Generator`` to shuffle with (PyTorch's argument; give it
            or ``seed``, not both).
        num_workers, pin_memory, timeout, worker_init_fn, persistent_workers,
            prefetch_factor: PyTorch's, accepted and checked as PyTorch checks them.
            NOTE: batches are always made in this process: numpy batches of a
            ``TensorDataset`` are one fancy-indexing each, which worker processes
            would only slow down. With ``num_workers > 0``, ``worker_init_fn(0)`` is
            called at the start of every epoch, as one (non-persistent) worker would.
            ``pin_memory`` is accepted for PyTorch code: host batches are numpy
            arrays, moved to a GPU by ``x.to("cuda")`` in the loop (CuPy copies them
            through its own pinned staging buffers); a ``TensorDataset`` of device
            tensors gives batches on that device, with no copy at all.

    Yields tuples of ``ag.Tensor`` (no gradients), one per field of the dataset.
    ``len(loader)`` is the number of batches per epoch: ceil(len(sampler) / batch_size)
    (floor with ``drop_last``).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None,
                 collate_fn=None, sampler=None, *, num_workers=0, pin_memory=False, generator=None,
                 timeout=0, worker_init_fn=None, persistent_workers=False, prefetch_factor=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (numbers.Integral, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer))):
            raise TypeError(f"seed must be an integer or None, got {seed!r}")
        if seed is not None and generator is not None:
            raise TypeError("DataLoader: give seed or generator, not both")
        _check_workers(num_workers, timeout, worker_init_fn, persistent_workers, prefetch_factor)
        if sampler is not None and (shuffle or seed is not None):
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle and seed; "
                             "the sampler decides the order (give it a generator, e.g. "
                             "RandomSampler(ds, replacement=True, generator=0))")
        if sampler is not None and not (hasattr(sampler, "__iter__") and hasattr(sampler, "__len__")):
            raise TypeError(f"DataLoader: sampler must be an iterable of indices with a length "
                            f"(e.g. nn.data.RandomSampler), got {type(sampler).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn or default_collate
        self.num_workers, self.pin_memory, self.timeout = int(num_workers), bool(pin_memory), timeout
        self.worker_init_fn, self.persistent_workers = worker_init_fn, bool(persistent_workers)
        self.prefetch_factor = prefetch_factor
        self.generator = generator
        ag.random.rng(generator, "DataLoader")  # refuse a wrong type now, not at the first epoch
        self._rng = None if seed is None else np.random.default_rng(int(seed))
        self._fast = collate_fn is None and _has_fast_path(dataset)
        self._own_sampler = sampler is not None
        if sampler is None:
            shuffler = self._rng if self._rng is not None else generator
            sampler = (RandomSampler(dataset, generator=shuffler) if self.shuffle
                       else SequentialSampler(dataset))
        self.sampler = sampler

    def __len__(self):
        n = len(self.sampler)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def _order(self):
        indices = getattr(self.sampler, "indices", None)
        if callable(indices):  # the library's samplers: one array, no Python loop
            return np.asarray(indices(), dtype=np.int64)
        return np.fromiter((int(i) for i in self.sampler), dtype=np.int64)

    def __iter__(self):
        order = self._order()  # drawn once per epoch, when the loop starts
        if self.num_workers and self.worker_init_fn is not None:
            self.worker_init_fn(0)
        bs = self.batch_size
        for b in range(len(self)):
            idx = order[b * bs:(b + 1) * bs]
            if self._fast:
                yield self.dataset.get_batch(idx)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])

    def __repr__(self):
        how = f"sampler={self.sampler!r}" if self._own_sampler else f"shuffle={self.shuffle}"
        return (f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
                f"{how}, drop_last={self.drop_last}, {len(self)} batches)")


def _check_workers(num_workers, timeout, worker_init_fn, persistent_workers, prefetch_factor):
    """PyTorch's checks of the worker arguments (the batches themselves are made in-process)."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, (numbers.Integral, np.integer)) \
            or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                         f"multiprocessing (got {num_workers!r})")
    if not isinstance(timeout, numbers.Real) or timeout < 0:
        raise ValueError(f"timeout option should be non-negative, got {timeout!r}")
    if worker_init_fn is not None and not callable(worker_init_fn):
        raise TypeError(f"worker_init_fn must be callable, got {type(worker_init_fn).__name__}")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    if prefetch_factor is not None and num_workers == 0:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing. "
                         "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")


def random_split(dataset, lengths, seed=None, generator=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are sample counts summing to ``len(dataset)``, or fractions summing to 1
    (the remainder after flooring goes round-robin to the first subsets, like PyTorch).
    ``seed`` as in ``DataLoader``; ``generator`` an ``ag.Generator`` (PyTorch's argument).
    """
    if seed is not None and generator is not None:
        raise TypeError("random_split: give seed or generator, not both")
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
    rng = np.random.default_rng(int(seed)) if seed is not None else ag.random.rng(generator, "random_split")
    perm = rng.permutation(n).astype(np.int64)
    out, start = [], 0
    for l in lengths:
        out.append(Subset(dataset, perm[start:start + int(l)]))
        start += int(l)
    return out

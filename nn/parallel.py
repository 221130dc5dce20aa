"""Data-parallel training: ``DistributedDataParallel``, PyTorch's name and behaviour, on MPI.

Every rank holds a full copy of the model and trains on its own 1/P of each global
mini-batch; after ``loss.backward()`` every rank's ``p.grad`` holds the average over
ranks of the ranks' gradients, which is the gradient of the mean loss over the whole
global batch (see ``autograd.distributed``), so one optimizer step keeps the copies equal::

    import autograd.distributed as dist
    dist.init_process_group()                        # 1: join the ranks (mpirun -n P ...)
    model = nn.parallel.DistributedDataParallel(model)   # 2: wrap the model
    sampler = nn.data.DistributedSampler(dataset)    # 3: each rank reads its own 1/P
    loader = nn.data.DataLoader(dataset, batch_size=32, sampler=sampler)

How the gradients travel (PyTorch's reducer): the parameters are cut, in reverse order
of ``model.parameters()`` (roughly the order backward finishes them), into buckets of
about ``bucket_cap_mb`` MiB (by default 25, the first bucket 1 MiB), one flat array each. A
post-accumulate-grad hook on every parameter copies its final ``.grad``, divided by P,
into its bucket; as soon as a bucket is full, its non-blocking all-reduce (MPI
``Iallreduce``) starts, while backward goes on computing the layers below. The hook of
the last parameter waits for the buckets (with the group's timeout) and writes the sums
back into ``.grad``. Buckets start in the same order on every rank, as MPI requires.
"""
import contextlib
import weakref

import numpy as np

import autograd as ag
import autograd.distributed as dist

from .module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES


def _assign_buckets(params, first_cap, cap):
    """Group ``params`` (in order) into lists of one dtype of about ``cap`` bytes each."""
    buckets, open_ = [], {}  # open_: dtype -> (list, bytes)
    for p in params:
        members, size = open_.get(p.dtype, ([], 0))
        members.append(p)
        size += p.array.nbytes
        limit = first_cap if not buckets else cap
        if size >= limit:
            buckets.append(members)
            open_.pop(p.dtype, None)
        else:
            open_[p.dtype] = (members, size)
    buckets += [members for members, _ in open_.values()]
    return buckets


class _Bucket:
    __slots__ = ("params", "slices", "flat", "pending", "work")

    def __init__(self, params):
        self.params = params
        self.slices, lo = [], 0
        for p in params:
            self.slices.append((lo, lo + p.array.size))
            lo += p.array.size
        self.flat = np.zeros(lo, dtype=params[0].dtype)
        self.pending, self.work = 0, None


class _Reducer:
    """Averages the parameters' gradients over the ranks, bucket by bucket, from hooks."""

    def __init__(self, params, first_bucket_bytes, bucket_bytes, world_size, find_unused):
        self.params = params
        self.world = world_size
        self.find_unused = find_unused
        self.buckets = [_Bucket(b) for b in _assign_buckets(params[::-1], first_bucket_bytes,
                                                            bucket_bytes)]
        self.where = {}
        for bi, b in enumerate(self.buckets):
            for p, (lo, hi) in zip(b.params, b.slices):
                self.where[id(p)] = (bi, lo, hi)
        self.index = {id(p): i for i, p in enumerate(params)}
        self.armed, self.marked, self.next = False, set(), 0
        self.used = np.zeros(len(params), dtype=np.int32)
        # NOTE: the hooks hold the reducer weakly, so a dropped DistributedDataParallel
        # leaves no reducer behind on its module's parameters
        ref = weakref.ref(self)

        def on_grad(p):
            reducer = ref()
            if reducer is not None:
                reducer._on_grad(p)

        self.handles = [p.register_post_accumulate_grad_hook(on_grad) for p in params]

    def __del__(self):
        for h in self.handles:
            h.remove()

    def prepare(self, unused=()):
        """A forward that backward will follow: expect every parameter's gradient once."""
        self.armed, self.marked, self.next = True, set(), 0
        self.used[:] = 1
        for b in self.buckets:
            b.pending, b.work = len(b.params), None
        for p in unused:
            self.used[self.index[id(p)]] = 0
            self._mark(p, None)

    def disarm(self):
        self.armed = False

    def in_progress(self):
        return self.armed and bool(self.marked)

    def missing(self):
        """The indices of the parameters that got no gradient in this iteration."""
        return [i for i, p in enumerate(self.params) if id(p) not in self.marked]

    def _on_grad(self, p):
        if self.armed:
            self._mark(p, p.grad.array)

    def _mark(self, p, grad):
        key = id(p)
        if key in self.marked:
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self.index[key]} (shape {tuple(p.shape)}) got "
                "its gradient twice in one iteration: call the wrapped model again before each "
                "backward (a second backward of one forward is not synchronised; use no_sync())")
        self.marked.add(key)
        bi, lo, hi = self.where[key]
        b = self.buckets[bi]
        view = b.flat[lo:hi]
        if grad is None:
            view.fill(0)
        else:
            np.divide(grad.reshape(-1), self.world, out=view)
        b.pending -= 1
        if b.pending == 0:
            self._launch_ready()
        elif self.next:
            self.buckets[self.next - 1].work.is_completed()  # NOTE: drives MPI's progress
        if self.next == len(self.buckets):
            self._finalize()

    def _launch_ready(self):
        while self.next < len(self.buckets) and self.buckets[self.next].pending == 0:
            b = self.buckets[self.next]
            b.work = dist.all_reduce(b.flat, dist.ReduceOp.SUM, async_op=True)
            self.next += 1

    def _finalize(self):
        used = None
        if self.find_unused:
            used = self.used.copy()
            dist.all_reduce(used, dist.ReduceOp.SUM)
        for b in self.buckets:
            b.work.wait()
            for p, (lo, hi) in zip(b.params, b.slices):
                if used is not None and used[self.index[id(p)]] == 0:
                    continue  # no rank used it: its .grad stays as it was
                value = b.flat[lo:hi].reshape(p.shape)
                if p.grad is None:
                    p.grad = ag.Tensor(value.copy())
                else:
                    p.grad.array[...] = value
        self.armed = False


def _graph_leaves(outputs):
    """The ids of every tensor reachable backwards from ``outputs`` (nested containers)."""
    stack, seen = [], set()

    def collect(o):
        if isinstance(o, ag.Tensor):
            stack.append(o)
        elif isinstance(o, dict):
            for v in o.values():
                collect(v)
        elif isinstance(o, (list, tuple)):
            for v in o:
                collect(v)

    collect(outputs)
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.grad_fn is not None:
            stack.extend(t.grad_fn.inputs)
    return seen


def _broadcast_from_rank0(tensors):
    """Make every rank's ``tensors`` equal rank 0's: one broadcast per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t.array.dtype, []).append(t)
    rank = dist.get_rank()
    for group in by_dtype.values():
        flat = np.concatenate([t.array.reshape(-1) for t in group])
        dist.broadcast(flat, src=0)
        if rank != 0:
            lo = 0
            for t in group:
                t.array[...] = flat[lo:lo + t.array.size].reshape(t.shape)
                ag.increment_version(t)  # an in-place change, seen by graphs that saved t
                lo += t.array.size


def _check_same_model(named):
    """Every rank must wrap the same architecture: compare names, shapes and dtypes."""
    mine = [(n, tuple(t.shape), str(t.dtype)) for n, t in named]
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, mine)
    for r, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            diff = next((a, b) for a, b in zip(everyone[0] + [None], theirs + [None]) if a != b)
            raise RuntimeError(
                f"DistributedDataParallel: rank {r}'s model differs from rank 0's "
                f"(rank 0 has {diff[0]}, rank {r} has {diff[1]}); every rank must build the "
                "same model")


class DistributedDataParallel(Module):
    """Wrap ``module`` so that backward averages its gradients over all ranks.

    Args (PyTorch's; those about GPUs are accepted only with their CPU values):
        module: the model; it stays reachable as ``.module`` and the state dict's keys
            start with ``module.`` (save ``ddp.module.state_dict()`` for a plain model).
        broadcast_buffers: copy rank 0's buffers (BatchNorm's running statistics) into
            every rank before each forward that backward will synchronise (default True).
        bucket_cap_mb: bucket size in MiB (default 25; the first bucket is 1 MiB).
        find_unused_parameters: walk each forward's graph and count the parameters it
            did not reach as ready (they add zero), instead of waiting for them forever.

    At construction rank 0's parameters and buffers are broadcast to every rank, so the
    copies start equal. With one process (world size 1) nothing is communicated.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps an nn.Module, got {type(module).__name__}")
        if device_ids not in (None, []) or output_device is not None:
            raise ValueError("DistributedDataParallel: gradtable runs on the CPU; leave device_ids "
                             "and output_device as None")
        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel needs the default process group: call "
                               "autograd.distributed.init_process_group() first (it works without "
                               "MPI too, as a group of one process)")
        self.module = module
        self.dim = dim
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        cap = 25 if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._params = [p for p in module.parameters() if p.requires_grad]
        self._buffers_list = list(module.buffers())
        self._reducer = None
        if dist.get_world_size() > 1:
            _check_same_model(list(module.named_parameters()) + list(module.named_buffers()))
            _broadcast_from_rank0([p for p in module.parameters()] + self._buffers_list)
            if self._params:
                first = _FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
                self._reducer = _Reducer(self._params, first, self.bucket_bytes_cap,
                                         dist.get_world_size(), self.find_unused_parameters)

    def forward(self, *inputs, **kwargs):
        red = self._reducer
        if red is not None and red.in_progress():
            names = [n for n, p in self.module.named_parameters() if p.requires_grad]
            missing = red.missing()
            raise RuntimeError(
                "DistributedDataParallel: expected to have finished reduction in the prior "
                "iteration before starting a new one: some parameters were not used in producing "
                f"the loss ({', '.join(names[i] for i in missing)}: indices {missing} on rank "
                f"{dist.get_rank()}). Pass find_unused_parameters=True, or make sure every output "
                "takes part in the loss")
        if red is not None and self.require_forward_param_sync and self.broadcast_buffers \
                and self._buffers_list:
            _broadcast_from_rank0(self._buffers_list)
        out = self.module(*inputs, **kwargs)
        if ag.is_grad_enabled() and self.require_backward_grad_sync:
            self.require_forward_param_sync = True
            if red is not None:
                reached = _graph_leaves(out) if self.find_unused_parameters else None
                red.prepare([] if reached is None else
                            [p for p in self._params if id(p) not in reached])
        else:
            self.require_forward_param_sync = False
            if red is not None:
                red.disarm()
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, backward accumulates gradients locally; the first forward-backward
        after the block averages the accumulated ``.grad`` over the ranks::

            with ddp.no_sync():
                for x, y in micro_batches[:-1]:
                    loss_fn(ddp(x), y).backward()
            loss_fn(ddp(micro_batches[-1][0]), micro_batches[-1][1]).backward()
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

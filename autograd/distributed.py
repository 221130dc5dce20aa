"""Processes that compute together: PyTorch's ``torch.distributed`` names on MPI.

    import autograd.distributed as dist
    dist.init_process_group()              # under mpirun: one process per rank, over MPI
    rank, world = dist.get_rank(), dist.get_world_size()
    dist.all_reduce(t, op=dist.ReduceOp.AVG)   # in place: t <- (t_0 + ... + t_{P-1}) / P

A mini-batch gradient is a mean over samples, so P processes that each hold 1/P of
the batch compute it together: with B = B_0 u ... u B_{P-1}, |B_r| = M/P,

    grad E_B = (1/M) sum_{n in B} grad E_n = (1/P) sum_r [ (P/M) sum_{n in B_r} grad E_n ]
             = (1/P) sum_r grad E_{B_r},

the average over ranks of each rank's own mini-batch gradient: one all-reduce.
``nn.parallel.DistributedDataParallel`` does exactly this, overlapped with backward.

Backends: ``"mpi"`` (mpi4py with an MPI library; ``pip install "gradtable[mpi]"``), and
``"local"``, a group of one process that needs nothing: every collective is then the
identity, so a script written for ``mpirun -n 4`` runs unchanged as ``python script.py``.
``init_process_group()`` chooses ``"mpi"`` when mpi4py imports and ``"local"`` otherwise.

Failures never hang a job: every wait polls with a deadline (``timeout``, 5 minutes by
default) and raises :class:`DistBackendError` naming the collective and the rank when
it passes; and once a group of more than one process exists, an exception that
escapes any rank prints its traceback under "rank r of P" and aborts every rank
(``MPI_Abort``), so ``mpirun`` ends the whole job with the failed rank's error.
"""
import datetime
import os
import sys
import time

import numpy as np

__all__ = ["init_process_group", "destroy_process_group", "is_initialized", "is_available",
           "is_mpi_available", "get_rank", "get_world_size", "get_backend", "all_reduce",
           "broadcast", "barrier", "broadcast_object_list", "all_gather_object", "ReduceOp",
           "Work", "DistBackendError", "default_pg_timeout", "MPI_INSTALL_HINT"]

MPI_INSTALL_HINT = 'pip install "gradtable[mpi]"'
default_pg_timeout = datetime.timedelta(minutes=5)
# variables a launcher (mpirun/mpiexec of MPICH or Open MPI, Slurm's srun) sets for each rank
_LAUNCHER_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "SLURM_STEP_NUM_TASKS")


class DistBackendError(RuntimeError):
    """A collective failed or timed out (another rank stopped, hung, or called another one)."""


class ReduceOp:
    """How ``all_reduce`` combines the ranks' values (elementwise)."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


_OPS = (ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PRODUCT, ReduceOp.MIN, ReduceOp.MAX)


class _Group:
    def __init__(self, backend, comm, timeout):
        self.backend = backend
        self.comm = comm
        self.rank = 0 if comm is None else comm.Get_rank()
        self.size = 1 if comm is None else comm.Get_size()
        self.timeout = timeout.total_seconds()
        self.prev_excepthook = None


_GROUP = [None]


_MPI = []


def _mpi():
    """mpi4py's MPI module (an optional dependency, imported on first use: it starts MPI)."""
    if not _MPI:
        from mpi4py import MPI

        _MPI.append(MPI)
    return _MPI[0]


def is_available():
    """True: the package is always there (the ``local`` backend needs nothing)."""
    return True


def is_mpi_available():
    """Whether mpi4py (and so the ``mpi`` backend) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def _launched_size():
    for var in _LAUNCHER_SIZE_VARS:
        value = os.environ.get(var, "")
        if value.isdigit():
            return int(value)
    return 1


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join this process to the default group: ``mpi`` under a launcher, else ``local``.

    backend: ``"mpi"``, ``"local"`` (a group of one process), or None to take ``"mpi"``
        when mpi4py imports and ``"local"`` otherwise. MPI knows every rank from its
        launcher, so ``init_method``, ``world_size``, ``rank`` and ``store`` are only
        checked against it (PyTorch needs them for its other backends).
    timeout: a ``datetime.timedelta`` bounding every wait (default 5 minutes).
    """
    if _GROUP[0] is not None:
        raise RuntimeError("trying to initialize the default process group twice; call "
                           "destroy_process_group() first")
    timeout = default_pg_timeout if timeout is None else timeout
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"timeout must be a datetime.timedelta, got {type(timeout).__name__}")
    if backend is None:
        backend = "mpi" if is_mpi_available() else "local"
    backend = str(backend).lower()
    if backend not in ("mpi", "local"):
        raise ValueError(f"init_process_group: unknown backend {backend!r}; gradtable runs on "
                         "'mpi' (processes started by mpirun/srun) or 'local' (one process)")
    launched = _launched_size()
    if backend == "local" and launched > 1:
        raise RuntimeError(
            f"init_process_group: this process was started as one of {launched} ranks, but "
            f"mpi4py is missing, so each would train alone; install it: {MPI_INSTALL_HINT}")
    comm = None
    if backend == "mpi":
        if not is_mpi_available():
            raise ImportError(f"the 'mpi' backend needs mpi4py; install it: {MPI_INSTALL_HINT}")
        comm = _mpi().COMM_WORLD
    group = _Group(backend, comm, timeout)
    for name, given, real in (("world_size", world_size, group.size), ("rank", rank, group.rank)):
        if given not in (-1, None) and int(given) != real:
            raise ValueError(f"init_process_group: {name}={given} but the launcher started this "
                             f"process with {name} {real}")
    _GROUP[0] = group
    if group.size > 1:
        group.prev_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def destroy_process_group(group=None):
    """Leave the default group (MPI itself stays up until the process exits)."""
    g = _GROUP[0]
    if g is not None and g.prev_excepthook is not None and sys.excepthook is _abort_on_uncaught:
        sys.excepthook = g.prev_excepthook
    _GROUP[0] = None


def _abort_on_uncaught(exc_type, exc, tb):
    """An exception escaped this rank: show it, then stop every rank (no hang)."""
    g = _GROUP[0]
    hook = g.prev_excepthook if g is not None and g.prev_excepthook else sys.__excepthook__
    if g is None or g.comm is None:
        return hook(exc_type, exc, tb)
    msg = f"gradtable.distributed: rank {g.rank} of {g.size} failed"
    try:
        sys.stderr.write(f"{msg} with this error:\n")
        hook(exc_type, exc, tb)
        sys.stderr.write(f"{msg} ({exc_type.__name__}: {exc}); aborting all {g.size} ranks\n")
        sys.stderr.flush()
    finally:
        g.comm.Abort(1)


def is_initialized():
    """Whether ``init_process_group`` has been called (and not undone)."""
    return _GROUP[0] is not None


def _group(what):
    g = _GROUP[0]
    if g is None:
        raise RuntimeError(
            f"{what}: the default process group has not been initialized; call "
            "autograd.distributed.init_process_group() first (it works without MPI too, "
            "as a group of one process)")
    return g


def get_rank(group=None):
    """This process's index in the group, 0 .. world_size - 1."""
    return _group("get_rank").rank


def get_world_size(group=None):
    """How many processes the group holds."""
    return _group("get_world_size").size


def get_backend(group=None):
    """``"mpi"`` or ``"local"``."""
    return _group("get_backend").backend


# --------------------------------------------------------------------------- waiting
def _wait(request, g, what, timeout=None):
    """Poll ``request`` until it completes or the deadline passes (then raise)."""
    if request.Test():
        return
    limit = g.timeout if timeout is None else float(timeout)
    start = time.monotonic()
    spin_until = start + 1e-3  # NOTE: spin 1 ms (a step's communication), then poll gently
    while not request.Test():
        now = time.monotonic()
        if now - start > limit:
            raise DistBackendError(
                f"{what} on rank {g.rank} of {g.size} timed out after {limit:g} s: another rank "
                "stopped, hangs, or called a different collective (every rank must call the "
                "same collectives in the same order)")
        if now > spin_until:
            time.sleep(5e-5)


class Work:
    """A collective in flight (``async_op=True``): ``wait()`` finishes it in place."""

    def __init__(self, request, group, what, finish=None):
        self._request, self._group, self._what, self._finish = request, group, what, finish
        self._done = request is None
        if self._done and finish is not None:
            finish()

    def is_completed(self):
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def wait(self, timeout=None):
        """Block (at most ``timeout`` seconds, or the group's) until done; returns True."""
        if not self._done:
            _wait(self._request, self._group, self._what,
                  None if timeout is None else _seconds(timeout))
            self._complete()
        return True

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish()


def _seconds(timeout):
    return timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)


# --------------------------------------------------------------------------- collectives
def _buffer(tensor, what):
    """The numpy array behind ``tensor`` (a Tensor or an ndarray), to work on in place."""
    arr = getattr(tensor, "array", tensor)
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{what} expects a Tensor or a numpy array, got {type(tensor).__name__}")
    return arr


def _contiguous(arr):
    """(a C-contiguous buffer, a function writing it back into ``arr`` if it is a copy)."""
    if arr.flags.c_contiguous:
        return arr, None
    buf = np.ascontiguousarray(arr)
    return buf, lambda: np.copyto(arr, buf)


def _mpi_op(op):
    MPI = _mpi()
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}[op]


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Combine ``tensor`` over all ranks, in place, elementwise: every rank gets the result.

    ``op=ReduceOp.AVG`` is (1/P) sum_r tensor_r (floating point only). Returns None, or a
    :class:`Work` with ``async_op=True`` (the result is there after ``work.wait()``).
    """
    g = _group("all_reduce")
    if op not in _OPS:
        raise ValueError(f"all_reduce: unknown op {op!r}; use one of ReduceOp.SUM, AVG, "
                         "PRODUCT, MIN, MAX")
    arr = _buffer(tensor, "all_reduce")
    if op == ReduceOp.AVG and arr.dtype.kind != "f":
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating-point tensor, got {arr.dtype}; "
                        "use ReduceOp.SUM for integers")
    request, finish = None, None
    if g.size > 1:
        buf, write_back = _contiguous(arr)
        request = g.comm.Iallreduce(_mpi().IN_PLACE, buf, op=_mpi_op(op))

        def finish():
            if op == ReduceOp.AVG:
                np.divide(buf, g.size, out=buf)
            if write_back is not None:
                write_back()
    work = Work(request, g, "all_reduce", finish)
    if async_op:
        return work
    work.wait()


def broadcast(tensor, src=0, group=None, async_op=False):
    """Copy rank ``src``'s ``tensor`` into every rank's ``tensor``, in place."""
    g = _group("broadcast")
    _check_src(g, src, "broadcast")
    arr = _buffer(tensor, "broadcast")
    request, write_back = None, None
    if g.size > 1:
        buf, write_back = _contiguous(arr)
        request = g.comm.Ibcast(buf, root=src)
    work = Work(request, g, "broadcast", write_back)
    if async_op:
        return work
    work.wait()


def barrier(group=None, async_op=False):
    """Wait until every rank has reached this call."""
    g = _group("barrier")
    request = g.comm.Ibarrier() if g.size > 1 else None
    work = Work(request, g, "barrier")
    if async_op:
        return work
    work.wait()


def _check_src(g, src, what):
    if not 0 <= int(src) < g.size:
        raise ValueError(f"{what}: src={src} is not a rank of this group (0 .. {g.size - 1})")


def broadcast_object_list(object_list, src=0, group=None):
    """Replace ``object_list``'s items, on every rank, by rank ``src``'s (any picklable)."""
    g = _group("broadcast_object_list")
    _check_src(g, src, "broadcast_object_list")
    if g.size > 1:
        barrier()  # NOTE: bounded wait first; the pickled broadcast itself then blocks briefly
        object_list[:] = g.comm.bcast(list(object_list), root=src)


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list`` (of world_size items) with every rank's ``obj``, in rank order."""
    g = _group("all_gather_object")
    if len(object_list) != g.size:
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} items; it needs "
                         f"one per rank ({g.size})")
    if g.size > 1:
        barrier()
        object_list[:] = g.comm.allgather(obj)
    else:
        object_list[0] = obj

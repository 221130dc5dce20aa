"""TensorBoard logging: ``nn.utils.tensorboard.SummaryWriter``, PyTorch's class and names.

The notes (004, "Deep Learning Frameworks — Tensorboard") show TensorBoard's training
dashboards. This writer produces the same event files as
``torch.utils.tensorboard.SummaryWriter`` (the ``tensorboard`` package's protocol buffers
and ``EventFileWriter``), so ``tensorboard --logdir runs`` draws them:

    from nn.utils.tensorboard import SummaryWriter
    with SummaryWriter("runs/exp1") as writer:
        for epoch in range(20):
            ...
            writer.add_scalar("loss/train", train_loss, epoch)
            writer.add_scalars("loss", {"train": train_loss, "val": val_loss}, epoch)
            writer.add_histogram("fc1.weight", model.fc1.weight, epoch)

Provided: ``add_scalar``, ``add_scalars`` (one sub-run per key, in
``<log_dir>/<main_tag>_<key>``, as PyTorch), ``add_histogram`` (PyTorch's default
"tensorflow" bins: 0 and +-1e-12 * 1.1^k up to 1e20, or any ``numpy.histogram`` bins),
``flush``, ``close`` and the ``with`` form. Images, graphs, embeddings and hparams are not.

It needs the optional ``tensorboard`` package (``pip install "gradtable[tensorboard]"``);
without it, creating a writer raises an ImportError that says so.
"""
import os
import socket
import time
from datetime import datetime

import numpy as np

import autograd as ag

__all__ = ["SummaryWriter", "FileWriter"]


def _tensorboard():
    """The protocol buffers and the event-file writer of the ``tensorboard`` package."""
    try:
        from tensorboard.compat.proto.event_pb2 import Event, SessionLog
        from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("nn.utils.tensorboard needs the 'tensorboard' package: "
                          "pip install tensorboard (or gradtable[tensorboard])") from exc
    return dict(Event=Event, SessionLog=SessionLog, HistogramProto=HistogramProto,
                Summary=Summary, EventFileWriter=EventFileWriter)


def _make_np(x):
    """A numpy array from a Tensor, an array, a list or a Python number."""
    if isinstance(x, ag.Tensor):
        return np.array(x.array)
    return np.asarray(x)


def _default_bins():
    """PyTorch's 'tensorflow' bins: 0 and +-1e-12 * 1.1^k for 1e-12 <= |v| < 1e20."""
    v, buckets = 1e-12, []
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return [-b for b in buckets[::-1]] + [0] + buckets


def scalar(tag, value, new_style=False, double_precision=False):
    """A ``Summary`` holding one scalar (``simple_value``, or a tensor when ``new_style``)."""
    from tensorboard.compat.proto.summary_pb2 import SummaryMetadata
    from tensorboard.compat.proto.tensor_pb2 import TensorProto

    tb = _tensorboard()
    arr = _make_np(value).squeeze()
    if arr.ndim != 0:
        raise ValueError(f"add_scalar: {tag!r} needs one value, got an array of shape "
                         f"{arr.shape}; log a reduction such as .mean() or use add_histogram")
    v = float(arr)
    if not new_style:
        return tb["Summary"](value=[tb["Summary"].Value(tag=tag, simple_value=v)])
    proto = (TensorProto(double_val=[v], dtype="DT_DOUBLE") if double_precision
             else TensorProto(float_val=[v], dtype="DT_FLOAT"))
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return tb["Summary"](value=[tb["Summary"].Value(tag=tag, tensor=proto, metadata=meta)])


def histogram(tag, values, bins, max_bins=None):
    """A ``Summary`` holding the histogram of ``values`` (PyTorch's ``make_histogram``:
    only the bins from the first to the last non-empty one, plus one empty bin on the left,
    since TensorBoard stores right bin edges only)."""
    tb = _tensorboard()
    values = _make_np(values).astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError(f"add_histogram: {tag!r} has no values")
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        sub = len(counts) // max_bins
        if len(counts) % sub:
            counts = np.pad(counts, [[0, sub - len(counts) % sub]])
        counts = counts.reshape(-1, sub).sum(axis=-1)
        limits = np.concatenate([limits[:-1:sub], limits[-1:]])
    cum = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum, [0, cum[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    hist = tb["HistogramProto"](min=values.min(), max=values.max(), num=len(values),
                                sum=values.sum(), sum_squares=values.dot(values),
                                bucket_limit=limits.tolist(), bucket=counts.tolist())
    return tb["Summary"](value=[tb["Summary"].Value(tag=tag, histo=hist)])


class FileWriter:
    """One event file in ``log_dir``, written asynchronously (PyTorch's ``FileWriter``)."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        tb = _tensorboard()
        self._event = tb["Event"]
        self.event_writer = tb["EventFileWriter"](str(log_dir), max_queue, flush_secs,
                                                  filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(self._event(summary=summary), global_step, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


class SummaryWriter:
    """Writes scalars and histograms to TensorBoard event files under ``log_dir``.

    ``log_dir`` defaults to ``runs/<Mon DD_HH-MM-SS>_<hostname><comment>``; ``purge_step``
    hides events at or after that step left by a crashed run in the same directory;
    events are queued (``max_queue``) and flushed every ``flush_secs`` seconds, on
    ``flush()`` and on ``close()``.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10,
                 flush_secs=120, filename_suffix=""):
        _tensorboard()  # fail here, with the fix, when the package is missing
        if not log_dir:
            now = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", now + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _default_bins()

    def _get_file_writer(self):
        """The main run's FileWriter (made again after ``close()``)."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                tb = _tensorboard()
                step = self.purge_step
                self.file_writer.add_event(tb["Event"](step=step, file_version="brain.Event:2"))
                self.file_writer.add_event(tb["Event"](
                    step=step, session_log=tb["SessionLog"](status=tb["SessionLog"].START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None,
                   new_style=False, double_precision=False):
        """Log one number (a float, or a one-element Tensor/array) under ``tag`` at
        ``global_step``."""
        summary = scalar(tag, scalar_value, new_style=new_style,
                         double_precision=double_precision)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several numbers drawn on one chart: each key goes to its own run
        ``<log_dir>/<main_tag with / as _>_<key>`` under the tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        logdir = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            fw_tag = logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            if fw_tag not in self.all_writers:
                self.all_writers[fw_tag] = FileWriter(fw_tag, self.max_queue, self.flush_secs,
                                                      self.filename_suffix)
            self.all_writers[fw_tag].add_summary(scalar(main_tag, value), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """Log the distribution of ``values`` (a Tensor or array of any shape), e.g. a
        layer's weights or gradients each epoch. ``bins``: 'tensorflow' (default) or any
        ``numpy.histogram`` bins ('auto', 'fd', an int, edges)."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(histogram(tag, values, bins, max_bins=max_bins),
                                            global_step, walltime)

    def flush(self):
        """Write every pending event to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Flush and close every event file (closing twice is harmless)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

"""The main job's pieces for many ranks and for long runs: each rank's loader, and
checkpoints that rank 0 writes after every epoch and any number of ranks resumes.

A checkpoint (``checkpoint.npz``, ``nn.save``'s format) holds the plain model's state
dict (no ``module.`` prefix), the optimizer's state, the epoch and the history (the
learning-rate schedule is a function of the epoch and is rebuilt from it); it does not depend on the number of ranks that wrote it: every rank
loads it, and DistributedDataParallel then starts all ranks from rank 0's weights.
"""
import os

from nn.data import DataLoader, DistributedSampler
from nn.serialization import load, save
from nn.train import History

__all__ = ["train_loader", "checkpoint_writer", "resume"]


class _EpochLoader:
    """A DataLoader over a DistributedSampler that tells the sampler each epoch's number."""

    def __init__(self, loader, sampler, epoch):
        self.loader, self.sampler, self.epoch = loader, sampler, epoch

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        self.sampler.set_epoch(self.epoch)
        self.epoch += 1
        return iter(self.loader)


def train_loader(dataset, args, world, start_epoch):
    """Each rank's loader: its share of every epoch, batches of batch_size / world."""
    if not args.distributed:
        return DataLoader(dataset, batch_size=args.batch_size, shuffle=True, seed=args.seed)
    sampler = DistributedSampler(dataset, shuffle=True, seed=args.seed)
    per_rank = max(1, args.batch_size // world)
    return _EpochLoader(DataLoader(dataset, batch_size=per_rank, sampler=sampler), sampler, start_epoch)


def checkpoint_writer(path, args, model, optimizer):
    """``fit``'s on_epoch_end: write the run's state to ``path`` (atomically) after each epoch."""
    def write(epoch, history):
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch, "history": history.as_dict(),
                 "settings": {"model": args.model, "dataset": args.dataset, "seed": args.seed}}
        save(state, path + ".tmp")
        os.replace(path + ".tmp", path)  # a crash mid-write leaves the previous checkpoint
    return write


def resume(path, args, model, optimizer):
    """Load a checkpoint (written by rank 0 of any number of ranks): (history, epoch)."""
    state = load(path)
    saved = state["settings"]
    if (saved["model"], saved["dataset"]) != (args.model, args.dataset):
        raise ValueError(f"--resume {path}: the checkpoint trained --model {saved['model']} on "
                         f"--dataset {saved['dataset']}; resume it with the same --model/--dataset")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return History.from_dict(state["history"], state["epoch"]), int(state["epoch"])

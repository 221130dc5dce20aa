"""The workloads of issue 6, in the order the table shows them. Each module has
``NAME``, a one-line ``TITLE`` and ``run(cfg) -> list[Row]``; they are imported
only when run."""
import importlib

NAMES = ["mlp", "cnn", "conv", "pool", "elementwise", "perop", "scalar", "moons", "depth", "memory", "hvp",
         "charlm", "ddp"]  # charlm: issue 12; ddp: issue 15


def load(name):
    return importlib.import_module(f"{__name__}.{name}")

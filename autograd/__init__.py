"""autograd: tensors that record their computational graph, and the backward pass
that fills the grad table of the lecture notes.

    import autograd as ag
    x1 = ag.tensor(2.0, requires_grad=True)
    x2 = ag.tensor(3.0, requires_grad=True)
    z = ag.sin(x1) + x1 * x2
    z.backward()          # x1.grad = cos(2) + 3,  x2.grad = 2
    print(ag.grad_table(z))
"""
import numpy as np

from . import ops  # noqa: F401  (registers every op)
from ._tensor import Tensor, Node, tensor
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, graph_scope
from .random import manual_seed
from . import hooks  # noqa: F401  (RemovableHandle, for tensors' and modules' hooks)
from . import random
from .creation import (zeros, ones, full, empty, eye, arange, linspace, randn, rand, randint,
                       randperm, normal, uniform, bernoulli, from_numpy)
from .api import *  # noqa: F401,F403  (every public function; the registry generates many)
from . import methods, recording  # noqa: F401  (Tensor's methods; the create_graph namespace)
# sliding windows (im2col) from which nn builds convolution and pooling
from .ops.window import sliding_window, window_scatter_add, window_max, window_matmul, window_out_shape
from .random import Generator
from .function import Function, FunctionCtx, once_differentiable  # your own op: forward/backward
from .engine import backward, grad
from .table import grad_table, GradTable
from .inplace import increment_version
from .gradcheck import gradcheck, gradgradcheck, GradcheckError

float32, float64, float16 = np.float32, np.float64, np.float16
int32, int64, bool_ = np.int32, np.int64, np.bool_
float, double, long = np.float32, np.float64, np.int64  # noqa: A001 - PyTorch's aliases

__version__ = "0.1.0"


_LAZY = ("viz", "functional", "distributed")


def __getattr__(name):
    # NOTE: drawing and the higher-order helpers load on first use (``ag.viz.draw``,
    # ``ag.functional.hvp``): a training program needs neither of them, and
    # importing them costs every start time and memory.
    if name in _LAZY:
        import importlib

        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

# ---- issue 9 (numerics helper): save/load, is_tensor, meshgrid, Generator
from .serialization import save, load, SerializationError  # noqa: E402
from .grids import is_tensor, meshgrid  # noqa: E402
from .random import Generator, default_generator, initial_seed, seed, get_rng_state, set_rng_state  # noqa: E402

# ---- issue 11 (backend): devices, the array-library seam, GPU helpers
from . import backend, cuda  # noqa: E402,F401
from .backend import device, set_default_device, get_default_device  # noqa: E402,F401

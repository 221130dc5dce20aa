"""nn: layers, activations, losses, initialisation and data, built on ``autograd``.

    import nn
    import nn.functional as F

Names and layouts follow PyTorch (``Linear.weight`` is (out, in), images are NCHW).
Each submodule lists its public names in ``__all__``; they are all re-exported here.
"""
from .module import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .serialization import *  # noqa: F401,F403
# attention and the transformer encoder, transposed convolution, upsampling (issue 12)
from .attention import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .conv_transpose import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from . import functional, init, utils, data  # noqa: F401

_LAZY = ("datasets", "train", "plots", "cli", "search", "transforms", "parallel")


def __getattr__(name):
    # NOTE: the datasets, the training loop, the plots, the command-line program and
    # data-parallel training (``nn.parallel``, on ``autograd.distributed``) load on first
    # use (``nn.datasets.moons()``): a model needs none of them, and importing them
    # costs every program time and memory.
    if name in _LAZY:
        import importlib

        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
# embeddings, per-sample normalisation and recurrent layers (issue 12)
from .embedding import *  # noqa: F401,F403,E402
from .layernorm import *  # noqa: F401,F403,E402
from .recurrent import *  # noqa: F401,F403,E402
# the Gaussian negative log-likelihood loss (issue 13)
from .gaussian_nll import *  # noqa: F401,F403,E402

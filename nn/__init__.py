"""nn: layers, activations, losses, initialisation and data, built on ``autograd``.

    import nn
    import nn.functional as F

Names and layouts follow PyTorch (``Linear.weight`` is (out, in), images are NCHW).
Each submodule lists its public names in ``__all__``; they are all re-exported here.
"""
from .module import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .serialization import *  # noqa: F401,F403
from . import functional, init, utils, data, datasets, train, plots  # noqa: F401

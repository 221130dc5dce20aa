"""nn.functional: the stateless math of every layer, written with autograd ops.

Layers hold parameters and call these functions; gradients come from the engine.
Each submodule lists its names in ``__all__``; all are re-exported here.
"""
from .activation import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403  (one_hot)
# attention, transposed convolution, interpolation (issue 12)
from .attention import *  # noqa: F401,F403
from .conv_transpose import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

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
# embeddings, padding, per-sample normalisation and recurrent cells (issue 12)
from .sparse import *  # noqa: F401,F403,E402  (embedding, one_hot)
from .padding import *  # noqa: F401,F403,E402
from .layernorm import *  # noqa: F401,F403,E402
from .recurrent import *  # noqa: F401,F403,E402
# attention, transposed convolution, interpolation (issue 12)
from .attention import *  # noqa: F401,F403,E402
from .conv_transpose import *  # noqa: F401,F403,E402
from .upsampling import *  # noqa: F401,F403,E402
# the Gaussian negative log-likelihood (issue 13: MSE as maximum likelihood)
from .gaussian_nll import *  # noqa: F401,F403,E402

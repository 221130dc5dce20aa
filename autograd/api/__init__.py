"""The public functions of ``autograd`` (``ag.exp``, ``ag.sum``, ``ag.reshape`` ...).

Each is a thin face over registered ops (``autograd.ops``) and never contains gradient
math; composites (``mean``, ``stack``, ``split`` ...) are written with other public
functions, so their gradients come for free.

* ``generated``: the faces generated from the registry entries that declare one
  (elementwise functions, binary arithmetic and comparisons, plain reductions);
* ``arith``, ``reductions``, ``shape``: the faces written by hand, whose arguments
  need more (PyTorch's ``max(x, 1)``, ``reshape(-1)``, integer division ...);
* ``extra``, ``shape_extra``: special functions, rounding, gather/scatter, sorting,
  sampling; matrix and shape helpers (einsum, tril, diag, movedim ...).

The argument helpers they share are in ``autograd.arguments``; the Tensor methods are
bound in ``autograd.methods``.
"""
from . import arith, attention, extra, generated, reductions, shape, shape_extra
from .arith import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .extra import *  # noqa: F401,F403
from .generated import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .shape_extra import *  # noqa: F401,F403

__all__ = sorted(set(generated.__all__ + arith.__all__ + reductions.__all__ + shape.__all__
                     + extra.__all__ + shape_extra.__all__ + attention.__all__))

"""optim: every optimizer from the notes, with PyTorch's interface.

    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    for x, y in loader:
        opt.zero_grad()
        loss = loss_fn(x, y)
        loss.backward()
        opt.step()

First order: ``SGD`` (with momentum, dampening, Nesterov, weight decay),
``Momentum`` and ``Nesterov`` (the notes' exponential-average forms), ``Adagrad``,
``Adadelta``, ``RMSprop``, ``Adam``, ``AdamW``. Second order: ``Newton`` (takes a
closure). Schedules: ``optim.lr_scheduler``. ``optim`` depends only on ``autograd``
and works on any iterable of Tensors.
"""
from .optimizer import Optimizer
from .sgd import SGD
from .momentum import Momentum, Nesterov
from .adagrad import Adagrad
from .adadelta import Adadelta
from .rmsprop import RMSprop
from .adam import Adam, AdamW
from .newton import Newton, NotPositiveDefiniteError
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam",
           "AdamW", "Newton", "NotPositiveDefiniteError", "lr_scheduler"]

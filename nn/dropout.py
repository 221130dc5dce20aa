"""Dropout layers (the notes, 004, "DropOut regularisation"): inverted dropout in
training, the identity in evaluation. The mode is the module's own ``self.training``
(``model.train()`` / ``model.eval()``), never a global, so ``ag.no_grad()`` does not
change it."""
from .functional.dropout import _check_p, dropout, dropout1d, dropout2d
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = _check_p(p)
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """y = x * mask / (1 - p), mask ~ Bernoulli(1 - p) per element, in training; y = x in
    eval. E[y] = x, so nothing is rescaled at test time. Any shape -> the same shape.
    No parameters; masks come from the library's generator (``ag.manual_seed``)."""

    def forward(self, input):  # noqa: A002
        return dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """Channel dropout for (N, C, L): whole channels are zeroed with probability p
    (the rest scaled by 1/(1-p)) in training; the identity in eval."""

    def forward(self, input):  # noqa: A002
        return dropout1d(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Channel dropout for (N, C, H, W): whole feature maps are zeroed with probability p
    (the rest scaled by 1/(1-p)) in training; the identity in eval."""

    def forward(self, input):  # noqa: A002
        return dropout2d(input, self.p, self.training)

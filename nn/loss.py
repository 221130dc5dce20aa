"""Loss modules: ``criterion = nn.CrossEntropyLoss(); loss = criterion(logits, y)``.

Each stores its options and calls the ``nn.functional`` function of the same name,
where the formula, its derivative and the numerical precautions are documented.
Class weights are registered as buffers (saved in ``state_dict``), as in PyTorch.
"""
import numpy as np

import autograd as ag

from .functional import loss as FL
from .module import Module

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss",
           "CrossEntropyLoss", "NLLLoss", "LogisticLoss", "SoftMarginLoss", "PerceptronLoss",
           "HingeLoss"]


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        FL._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        if weight is not None and not isinstance(weight, ag.Tensor):
            weight = ag.tensor(np.asarray(weight))
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error (x - y)^2; input and target of the same shape (*).
    The notes' halved 1/2 (y - yhat)^2 is half of it (see F.mse_loss)."""

    def forward(self, input, target):  # noqa: A002
        return FL.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Absolute error |x - y|; input and target of the same shape (*)."""

    def forward(self, input, target):  # noqa: A002
        return FL.l1_loss(input, target, self.reduction)


class HuberLoss(_Loss):
    """Huber loss with threshold ``delta`` (quadratic inside, linear outside)."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):  # noqa: A002
        return FL.huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss with threshold ``beta`` (Huber / beta)."""

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):  # noqa: A002
        return FL.smooth_l1_loss(input, target, self.reduction, self.beta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped at -100).
    Input and target (*) of the same shape; ``weight`` broadcasts against them."""

    def forward(self, input, target):  # noqa: A002
        return FL.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy on logits, computed stably (softplus).
    ``pos_weight`` (C,) weights the positive examples of each class (last dim)."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        if pos_weight is not None and not isinstance(pos_weight, ag.Tensor):
            pos_weight = ag.tensor(np.asarray(pos_weight))
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):  # noqa: A002
        return FL.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                   self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax + cross-entropy on logits (N, C) / (N, C, d1, ...) / (C,), with class-index
    targets (N,) / (N, d1, ...) / () or probability targets of the input's shape."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):  # noqa: A002
        return FL.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                                self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (pair it with LogSoftmax(dim=1))."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):  # noqa: A002
        return FL.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class LogisticLoss(_Loss):
    """The notes' logistic loss log(1 + exp(-y x)), labels y in {-1, +1}."""

    def forward(self, input, target):  # noqa: A002
        return FL.logistic_loss(input, target, self.reduction)


class SoftMarginLoss(LogisticLoss):
    """PyTorch's name for the logistic loss log(1 + exp(-y x))."""


class PerceptronLoss(_Loss):
    """The notes' perceptron loss max(0, -y x), labels y in {-1, +1}."""

    def forward(self, input, target):  # noqa: A002
        return FL.perceptron_loss(input, target, self.reduction)


class HingeLoss(_Loss):
    """Hinge loss max(0, 1 - y x), labels y in {-1, +1}."""

    def forward(self, input, target):  # noqa: A002
        return FL.hinge_loss(input, target, self.reduction)

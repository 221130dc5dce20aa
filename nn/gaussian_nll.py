"""``nn.GaussianNLLLoss``: the module form of ``F.gaussian_nll_loss`` (PyTorch's names)."""
from .functional.gaussian_nll import gaussian_nll_loss
from .loss import _Loss

__all__ = ["GaussianNLLLoss"]


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood, ``criterion(input, target, var)``:
    l = 1/2 (log max(var, eps) + (input - target)^2 / max(var, eps)) [+ 1/2 log 2 pi if full].

    With a fixed var this is the MSE up to a scale and a constant: the notes' "MSE is the
    maximum likelihood of y ~ N(yhat, sigma^2)". See ``F.gaussian_nll_loss``.
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):  # noqa: A002
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                 reduction=self.reduction)

    def extra_repr(self):
        parts = [f"full={self.full}"] if self.full else []
        if self.eps != 1e-6:
            parts.append(f"eps={self.eps}")
        return ", ".join(parts + ([super().extra_repr()] if super().extra_repr() else []))

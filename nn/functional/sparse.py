"""Functions on class indices (PyTorch's ``torch.nn.functional`` sparse group)."""
from autograd import one_hot

__all__ = ["one_hot"]

"""The affine map of a fully connected layer, and identity.

``linear(x, weight, bias) = x @ weight.T + bias`` with PyTorch's layout: ``weight``
is (out_features, in_features), ``x`` is (*, in_features), the result
(*, out_features). In the notes' batched notation (samples in rows)
z = a W + b with W = weight.T; the backward pass the engine derives is the notes'
dW = A_prev^T dZ (here weight.grad = dZ^T x), db = sum of dZ over samples,
dA_prev = dZ W^T = dZ @ weight.
"""
import autograd as ag

__all__ = ["linear", "bilinear", "identity"]


def linear(input, weight, bias=None):  # noqa: A002 - PyTorch's name
    """y = x W^T + b.  x: (*, in), W: (out, in), b: (out,) or None -> y: (*, out).

    dy/dx = W, dy/dW = x (summed over the batch), dy/db = 1 (summed over the batch).
    Computed by ``ag.linear``, one recorded op whose weight gradient g^T x comes out of
    a single product in W's layout, which also checks the shapes.
    """
    return ag.linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T A_k x2 + b_k.  x1: (N, in1), x2: (N, in2), A: (out, in1, in2) -> (N, out)."""
    # (N, 1, 1, in1) @ (out, in1, in2) -> (N, out, 1, in2); then dot with x2
    t = ag.matmul(ag.reshape(input1, (input1.shape[0], 1, 1, input1.shape[1])), weight)
    out = ag.sum(ag.reshape(t, (t.shape[0], t.shape[1], t.shape[3]))
                 * ag.reshape(input2, (input2.shape[0], 1, input2.shape[1])), axis=-1)
    if bias is not None:
        out = out + bias
    return out


def identity(input):  # noqa: A002
    """y = x;  dy/dx = 1."""
    return input

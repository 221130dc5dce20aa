"""gradtable's side of each model: built with ``nn`` and ``optim``, or (``use_nn=False``,
for the Hessian-vector workload, whose loss is a function of explicit parameters) with
raw autograd ops (ag.matmul, ag.relu, ag.log_softmax) and a hand SGD update.
``variant`` says which one ran, and the JSON records it.
"""
import numpy as np

import autograd as ag


# ------------------------------------------------------------------ raw pieces
def raw_linear(x, w, b):
    return ag.matmul(x, w.T) + b


def raw_cross_entropy(z, y):
    logp = ag.log_softmax(z, axis=1)
    return -logp[np.arange(z.shape[0]), y].mean()


def raw_sgd(params, lr):
    for p in params:
        p.array -= lr * p.grad.array
        p.grad = None


# ------------------------------------------------------------------ MLP
class _Model:
    """What MLP and LeNet share: one full training step, through optim.SGD when the
    model was built with nn+optim (``self.opt``), else raw autograd and a hand update."""

    opt = None

    def step(self, x, y):
        if self.opt is not None:
            self.opt.zero_grad()
        loss = self.loss(x, y)
        loss.backward()
        if self.opt is not None:
            self.opt.step()
        else:
            raw_sgd(self.params, self.lr)
        return loss


class MLP(_Model):
    """A gradtable MLP with given numpy weights [(W, b), ...]; ``step(x, y)`` is one
    full SGD training step, ``loss(x, y)`` the forward only."""

    def __init__(self, weights, lr=0.01, act="relu", use_nn=True):
        self.lr = lr
        self.act = act
        self.use_nn = use_nn
        self.variant = "nn+optim" if self.use_nn else "raw autograd ops"
        if self.use_nn:
            import nn
            import optim

            layers = []
            for i, (w, b) in enumerate(weights):
                lin = nn.Linear(w.shape[1], w.shape[0])
                lin.weight.array[...] = w
                lin.bias.array[...] = b
                layers.append(lin)
                if i < len(weights) - 1:
                    layers.append(nn.ReLU() if act == "relu" else nn.Tanh())
            self.model = nn.Sequential(*layers)
            self.params = list(self.model.parameters())
            self.opt = optim.SGD(self.params, lr=lr)
        else:
            self.params = []
            for w, b in weights:
                self.params += [ag.Tensor(w.copy(), requires_grad=True),
                                ag.Tensor(b.copy(), requires_grad=True)]

    def logits(self, x, params=None):
        if self.use_nn and params is None:
            return self.model(x)
        ps = self.params if params is None else params
        h = x
        last = len(ps) // 2 - 1
        for i in range(0, len(ps), 2):
            h = raw_linear(h, ps[i], ps[i + 1])
            if i // 2 < last:
                h = ag.relu(h) if self.act == "relu" else ag.tanh(h)
        return h

    def loss(self, x, y, params=None):
        z = self.logits(x, params)
        if self.use_nn:
            import nn.functional as F

            return F.cross_entropy(z, y)
        return raw_cross_entropy(z, y.array if isinstance(y, ag.Tensor) else y)


# ------------------------------------------------------------------ LeNet
class LeNet(_Model):
    def __init__(self, weights, lr=0.01, use_nn=True):
        self.lr = lr
        self.use_nn = use_nn
        self.opt = None
        self.variant = "nn+optim" if use_nn else "F.conv2d/F.max_pool2d, raw linear + optim.SGD"
        if self.use_nn:
            import nn
            import optim

            (w1, b1), (w2, b2), (w3, b3), (w4, b4), (w5, b5) = weights
            self.model = nn.Sequential(
                nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
            layers = [m for m in self.model.children() if hasattr(m, "weight")]
            for layer, (w, b) in zip(layers, weights):
                layer.weight.array[...] = w
                layer.bias.array[...] = b
            self.params = list(self.model.parameters())
            self.opt = optim.SGD(self.params, lr=lr)
        else:
            self.params = []
            for w, b in weights:
                self.params += [ag.Tensor(w.copy(), requires_grad=True),
                                ag.Tensor(b.copy(), requires_grad=True)]
            import optim

            self.opt = optim.SGD(self.params, lr=lr)

    def loss(self, x, y):
        if self.use_nn:
            import nn.functional as F

            return F.cross_entropy(self.model(x), y)
        w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = self.params
        h = max_pool2d(ag.relu(conv2d(x, w1, b1, 2)))
        h = max_pool2d(ag.relu(conv2d(h, w2, b2, 0)))
        h = h.reshape(h.shape[0], -1)
        h = ag.relu(raw_linear(h, w3, b3))
        h = ag.relu(raw_linear(h, w4, b4))
        return raw_cross_entropy(raw_linear(h, w5, b5), y.array if isinstance(y, ag.Tensor) else y)


def conv2d(x, w, b, pad):
    import nn.functional as F

    return F.conv2d(x, w, b, padding=pad)


def max_pool2d(x):
    import nn.functional as F

    return F.max_pool2d(x, 2)

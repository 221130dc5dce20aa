"""A LeNet-style CNN on the real 8x8 digits: two conv + ReLU + max-pool stages, then
fully connected layers, trained with mini-batch SGD with momentum, reaches >= 97% test
accuracy on a fixed 80/20 split (about 98.5% over seeds 0-3; ~3 s of CPU). The time
budget lives in bench/, not here."""
import math

import numpy as np

import autograd as ag
import nn
import nn.functional as F


class LeNet(nn.Module):
    """(N, 1, 8, 8) -> conv 3x3 (16) -> ReLU -> pool 2 -> conv 3x3 (32) -> ReLU -> pool 2
    -> flatten (32 * 2 * 2) -> 64 -> ReLU -> 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 2 * 2, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def _split():
    X, y = nn.datasets.digits(images=True)          # (1797, 1, 8, 8) in [0, 1], float32
    idx = np.random.default_rng(0).permutation(len(y))  # a fixed 80/20 split
    n_test = len(y) // 5
    test, train = idx[:n_test], idx[n_test:]
    return X[train], y[train], X[test], y[test]


def test_lenet_reaches_97_percent_on_digits():
    import optim

    ag.manual_seed(0)
    Xtr, ytr, Xte, yte = _split()
    model = LeNet()
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(0)
    batch = 32
    epochs, lr = 15, 0.05
    for epoch in range(epochs):
        for group in opt.param_groups:  # cosine decay: a steady last few epochs
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        model.train()
        order = rng.permutation(len(ytr))
        for i in range(0, len(order), batch):
            b = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(ag.tensor(Xtr[b])), ag.tensor(ytr[b]))
            loss.backward()
            opt.step()
    model.eval()
    with ag.no_grad():
        pred = model(ag.tensor(Xte)).array.argmax(1)
    acc = (pred == yte).mean()
    assert model.conv1.weight.dtype == np.float32
    assert acc >= 0.97, f"test accuracy {acc:.3f}"

"""The reference framework's side of each model (torch, CPU, float32), with the
same initial weights as the other sides."""
import numpy as np


def mlp(torch, weights, act="relu"):
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU() if act == "relu" else torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def lenet(torch, weights):
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    layers = [m for m in model if hasattr(m, "weight")]
    with torch.no_grad():
        for layer, (w, b) in zip(layers, weights):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    return model


def train_step_fn(torch, model, x, y, lr=0.01):
    """A closure running one full SGD step (zero_grad, forward, loss, backward, step)."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def as_tensors(torch, x, y):
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y.astype(np.int64))

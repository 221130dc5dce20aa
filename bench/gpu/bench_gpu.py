"""GPU workloads, gradtable (CuPy) against PyTorch on the same device (issue 11).

    python -m bench.gpu.bench_gpu --device cuda            # the full table
    python -m bench.gpu.bench_gpu --device strict --quick  # a smoke run without a GPU

Rows: one SGD training step (zero_grad, forward, cross-entropy, backward, update) of
the MLP 784-H-H-10 at (B, H) = (128, 256), (1024, 2048), (4096, 4096) and of LeNet
(conv 1->6 5x5 pad 2, ReLU, maxpool 2, conv 6->16 5x5, ReLU, maxpool 2, 120, 84, 10) at
batch 512 on 1x28x28, both in float32; and the per-op overhead (a chain of 200 mixed
elementwise ops on 10x10, forward + backward, in microseconds per op). Both sides
start from the same weights and data; a timing is the median over ``--blocks`` blocks
of ``--reps`` steps each, after warm-up, with the device synchronised around each block.
``--out FILE`` also writes the table as markdown and the raw numbers as JSON
(FILE.json).
"""
import argparse
import json
import statistics
import time

import numpy as np

MLP_SIZES = [(128, 256), (1024, 2048), (4096, 4096)]
LENET_BATCH = 512
LR = 0.01


def _weights_mlp(rng, h):
    dims = [784, h, h, 10]
    out = []
    for a, b in zip(dims[:-1], dims[1:]):
        bound = 1 / np.sqrt(a)
        out.append((rng.uniform(-bound, bound, (b, a)).astype(np.float32),
                    rng.uniform(-bound, bound, b).astype(np.float32)))
    return out


def _weights_lenet(rng):
    shapes = [((6, 1, 5, 5), 25), ((16, 6, 5, 5), 150), ((120, 400), 400), ((84, 120), 120),
              ((10, 84), 84)]
    out = []
    for shape, fan_in in shapes:
        bound = 1 / np.sqrt(fan_in)
        out.append((rng.uniform(-bound, bound, shape).astype(np.float32),
                    rng.uniform(-bound, bound, shape[0]).astype(np.float32)))
    return out


# ------------------------------------------------------------------ gradtable
def gt_model(kind, weights, device):
    import autograd as ag
    import nn

    if kind == "mlp":
        layers = [nn.Linear(784, weights[0][0].shape[0]), nn.ReLU(),
                  nn.Linear(weights[1][0].shape[1], weights[1][0].shape[0]), nn.ReLU(),
                  nn.Linear(weights[2][0].shape[1], 10)]
    else:
        layers = [nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                  nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)]
    model = nn.Sequential(*layers)
    for layer, (w, b) in zip([m for m in layers if hasattr(m, "weight")], weights):
        layer.weight.array[...] = w
        layer.bias.array[...] = b
    return model.to(device), ag


def gt_step_fn(model, ag, x, y):
    import nn.functional as F
    import optim

    opt = optim.SGD(model.parameters(), lr=LR)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def gt_chain(ag, x, y, n_ops):
    x.grad = None
    y.grad = None
    h = x
    for i in range(n_ops):
        k = i & 3
        h = h + y if k == 0 else h * y if k == 1 else ag.tanh(h) if k == 2 else ag.exp(h)
    h.sum().backward()


# ------------------------------------------------------------------ PyTorch
def torch_model(torch, kind, weights, device):
    tnn = torch.nn
    if kind == "mlp":
        model = tnn.Sequential(tnn.Linear(784, weights[0][0].shape[0]), tnn.ReLU(),
                               tnn.Linear(weights[1][0].shape[1], weights[1][0].shape[0]),
                               tnn.ReLU(), tnn.Linear(weights[2][0].shape[1], 10))
    else:
        model = tnn.Sequential(
            tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
            tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))
    with torch.no_grad():
        for layer, (w, b) in zip([m for m in model if hasattr(m, "weight")], weights):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    return model.to(device)


def torch_step_fn(torch, model, x, y):
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


# ------------------------------------------------------------------ timing
def timed(fn, sync, reps, blocks, warm):
    """Median seconds per call of ``fn`` over ``blocks`` blocks of ``reps`` calls."""
    for _ in range(warm):
        fn()
    sync()
    times = []
    for _ in range(blocks):
        sync()
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        sync()
        times.append((time.perf_counter() - t0) / reps)
    return statistics.median(times)


def _torch(device):
    try:
        import torch
    except ImportError:
        return None, None
    if device.startswith("cuda") and not torch.cuda.is_available():
        return torch, "cpu"
    return torch, device if device.startswith("cuda") else "cpu"


def run(args):
    import autograd as ag

    dev = args.device
    gt_sync = lambda: ag.backend.get_backend(dev).synchronize()  # noqa: E731
    torch, tdev = _torch(dev)
    t_sync = (lambda: torch.cuda.synchronize()) if torch is not None and tdev.startswith("cuda") \
        else (lambda: None)
    rows = []
    sizes = [(16, 32)] if args.quick else MLP_SIZES
    for b, h in sizes:
        rng = np.random.default_rng(0)
        w = _weights_mlp(rng, h)
        x = rng.standard_normal((b, 784)).astype(np.float32)
        y = rng.integers(0, 10, b)
        rows.append(_compare(f"MLP 784-{h}-{h}-10 step, B={b}", "ms", 1e3, args,
                             lambda: _gt_step("mlp", w, x, y, dev), gt_sync,
                             torch and (lambda: _torch_step(torch, "mlp", w, x, y, tdev)), t_sync))
    batch = 8 if args.quick else LENET_BATCH
    rng = np.random.default_rng(0)
    w = _weights_lenet(rng)
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    rows.append(_compare(f"LeNet step, batch {batch}", "ms", 1e3, args,
                         lambda: _gt_step("lenet", w, x, y, dev), gt_sync,
                         torch and (lambda: _torch_step(torch, "lenet", w, x, y, tdev)), t_sync))
    n_ops = 20 if args.quick else 200
    rows.append(_compare(f"per-op fwd+bwd ({n_ops} ops, 10x10)", "us/op", 1e6 / n_ops, args,
                         lambda: _gt_chain(dev, n_ops), gt_sync,
                         torch and (lambda: _torch_chain(torch, tdev, n_ops)), t_sync))
    return rows, tdev


def _gt_step(kind, w, x, y, dev):
    import autograd as ag

    model, ag = gt_model(kind, w, dev)
    return gt_step_fn(model, ag, ag.tensor(x, device=dev), ag.tensor(y, device=dev))


def _torch_step(torch, kind, w, x, y, dev):
    model = torch_model(torch, kind, w, dev)
    return torch_step_fn(torch, model, torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev))


def _chain_data():
    rng = np.random.default_rng(0)
    return (rng.uniform(-1, 1, (10, 10)).astype(np.float32),
            rng.uniform(-0.9, 0.9, (10, 10)).astype(np.float32))


def _gt_chain(dev, n_ops):
    import autograd as ag

    x0, y0 = _chain_data()
    x = ag.tensor(x0, device=dev, requires_grad=True)
    y = ag.tensor(y0, device=dev, requires_grad=True)
    return lambda: gt_chain(ag, x, y, n_ops)


def _torch_chain(torch, dev, n_ops):
    x0, y0 = _chain_data()
    x = torch.tensor(x0, device=dev, requires_grad=True)
    y = torch.tensor(y0, device=dev, requires_grad=True)
    return lambda: gt_chain(torch, x, y, n_ops)


def _compare(name, unit, scale, args, make_gt, gt_sync, make_torch, t_sync):
    reps, blocks, warm = (2, 2, 1) if args.quick else (args.reps, args.blocks, args.warm)
    row = {"name": name, "unit": unit}
    row["gradtable"] = timed(make_gt(), gt_sync, reps, blocks, warm) * scale
    if make_torch:
        row["torch"] = timed(make_torch(), t_sync, reps, blocks, warm) * scale
        row["ratio"] = row["gradtable"] / row["torch"]
    print(_line(row), flush=True)
    return row


def _line(r):
    t = f"{r['torch']:.3f}" if "torch" in r else "-"
    q = f"{r['ratio']:.2f}x" if "ratio" in r else "-"
    return f"| {r['name']} | {r['unit']} | {r['gradtable']:.3f} | {t} | {q} |"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--blocks", type=int, default=5)
    p.add_argument("--warm", type=int, default=5)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    print(f"| workload ({args.device}) | unit | gradtable | PyTorch | ratio |")
    print("| --- | --- | --- | --- | --- |")
    rows, tdev = run(args)
    if args.out:
        with open(args.out, "w") as f:
            f.write(f"gradtable on {args.device} vs PyTorch on {tdev}\n\n")
            f.write("| workload | unit | gradtable | PyTorch | ratio |\n| --- | --- | --- | --- | --- |\n")
            f.write("\n".join(_line(r) for r in rows) + "\n")
        with open(args.out + ".json", "w") as f:
            json.dump({"device": args.device, "torch_device": tdev, "rows": rows}, f, indent=1)
    return rows


if __name__ == "__main__":
    main()

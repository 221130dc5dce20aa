"""The main job: train a network from the notes on a built-in dataset, from one command.

    python -m gradtable                                   # LeNet-style CNN on the real 8x8 digits
    python -m gradtable --model mlp --dataset spirals --optimizer momentum --epochs 200
    gradtable-train --help
    python -m gradtable --model charlm                    # a character-level transformer (gradtable.charlm)

It shows a progress bar, prints the test accuracy and writes into the output folder
(default ``runs/<model>-<dataset>``):

    graph.png              the computational graph of the loss on 4 test samples, after
                           backward (autograd.viz.draw): every op, value and gradient
    graph_layers.png       the same graph with one box per layer; instead of both,
                           graph.dot when Graphviz's ``dot`` program is missing
    curves.png             loss and accuracy per epoch, training vs held-out test split
    decision_boundary.png  the regions the classifier assigns (2-D datasets only)
    model.npz              the trained weights (``nn.load`` + ``model.load_state_dict``)
    metrics.json           the settings, test accuracy, timings and the full history

This module is the application on top of autograd, nn and optim; it imports optim
inside :func:`main` only, so that ``nn`` itself never depends on ``optim``.
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

import autograd as ag

from .render import render_png as _render_png

__all__ = ["main", "build_parser", "build_model", "load_data", "make_optimizer"]

MODELS = ("logreg", "mlp", "cnn", "charlm")
DATASETS = ("digits", "moons", "spirals", "xor", "blobs")
# name -> (optim class name, default learning rate, extra keyword arguments)
OPTIMIZERS = {
    "sgd": ("SGD", 0.1, {}),
    "momentum": ("Momentum", 0.1, {"beta": 0.9}),
    "nesterov": ("Nesterov", 0.1, {"beta": 0.9}),
    "adagrad": ("Adagrad", 0.05, {}),
    "adadelta": ("Adadelta", 1.0, {}),
    "rmsprop": ("RMSprop", 1e-3, {}),
    "adam": ("Adam", 3e-3, {}),
    "adamw": ("AdamW", 3e-3, {"weight_decay": 1e-2}),
}
DEFAULT_EPOCHS = {"digits": 20, "moons": 40, "spirals": 60, "xor": 40, "blobs": 30}
SPLIT_SEED = 0  # the 80/20 train/test split is the same in every run
TEST_SIZE = 0.2


# --------------------------------------------------------------------------- arguments
def _positive(kind, name):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a {'number' if kind is float else 'whole number'}, "
                                             f"got {text!r}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{name} must be positive, got {text!r}")
        return value
    return parse


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"--seed must be 0 or more, got {text!r}")
    return value


def _hidden(text):
    try:
        sizes = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden takes comma-separated layer widths like 64,64; "
                                         f"got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--hidden needs at least one positive width, got {text!r}")
    return sizes


def build_parser():
    epochs = ", ".join(f"{k} {v}" for k, v in DEFAULT_EPOCHS.items())
    lrs = ", ".join(f"{k} {v:g}" for k, (_, v, _) in OPTIMIZERS.items())
    p = argparse.ArgumentParser(
        prog="python -m gradtable",
        description="Train a network from the lecture notes on a built-in dataset with a chosen\n"
                    "optimizer; print the test accuracy and save the model's graph, the training\n"
                    "curves, the weights and a metrics.json into an output folder.",
        epilog="examples:\n"
               "  python -m gradtable                                  # CNN on the 8x8 digits (>= 97% test accuracy)\n"
               "  python -m gradtable --model mlp --dataset spirals --epochs 200\n"
               "  python -m gradtable --model logreg --dataset blobs --optimizer sgd --lr 0.05\n"
               "The data are split 80/20 into training and test sets with a fixed seed; the test\n"
               "split is also the 'validation' curve in curves.png (monitored, never used to choose\n"
               "anything).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", choices=MODELS, default=None,
                   help="logreg: logistic (softmax) regression, one linear layer; mlp: a "
                        "multi-layer perceptron with ReLU; cnn: LeNet-style, two conv+ReLU+max-pool "
                        "stages then fully connected layers (digits only); charlm: a character-level "
                        "transformer language model on Shakespeare (its own options: --model charlm "
                        "--help). Default: cnn on digits, mlp on the 2-D datasets")
    p.add_argument("--dataset", choices=DATASETS, default="digits",
                   help="digits: the real 8x8 handwritten digits (needs scikit-learn); moons, "
                        "spirals, xor, blobs: 2-D toy problems (a decision-boundary plot is "
                        "saved). Default: digits")
    p.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam",
                   help="the update rule (default: adam)")
    p.add_argument("--lr", type=_positive(float, "--lr"), default=None,
                   help=f"learning rate (default depends on the optimizer: {lrs})")
    p.add_argument("--epochs", type=_positive(int, "--epochs"), default=None, metavar="N",
                   help=f"passes over the training set (default depends on the dataset: {epochs})")
    p.add_argument("--schedule", choices=("cosine", "constant"), default="cosine",
                   help="learning-rate schedule over the epochs: cosine annealing from --lr down "
                        "to 0 (optim.lr_scheduler.CosineAnnealingLR), or constant (default: cosine)")
    p.add_argument("--batch-size", type=_positive(int, "--batch-size"), default=32, metavar="M",
                   help="mini-batch size M (1: stochastic gradient descent; default: 32)")
    p.add_argument("--hidden", type=_hidden, default=(64, 64), metavar="W1,W2,...",
                   help="hidden layer widths of the mlp, comma-separated (default: 64,64)")
    p.add_argument("--seed", type=_non_negative_int, default=0, metavar="N",
                   help="seed for initialisation and shuffling (default: 0)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default: runs/<model>-<dataset>)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (one line per epoch instead); tqdm is then not needed")
    p.add_argument("--distributed", action="store_true",
                   help="data parallel over the processes started by mpirun/srun (mpirun -n 4 "
                        "python -m gradtable --distributed; needs gradtable[mpi]): each rank trains on "
                        "its share of every batch of --batch-size samples; only rank 0 prints "
                        "and writes files. Without a launcher it runs as one process")
    p.add_argument("--checkpoint", action="store_true",
                   help="write checkpoint.npz (weights, optimizer state, epoch, history) into the "
                        "output folder after every epoch")
    p.add_argument("--resume", metavar="CHECKPOINT", default=None,
                   help="continue the run saved in a checkpoint.npz up to --epochs, on any "
                        "number of ranks")
    return p


# --------------------------------------------------------------------------- data and models
def load_data(dataset, model):
    """(X_train, X_test, y_train, y_test, info) for a dataset name, scaled for ``model``."""
    from nn import datasets as D

    if dataset == "digits":
        X, y = D.digits(images=(model == "cnn"))  # pixels scaled to [0, 1]
    elif dataset == "moons":
        X, y = D.moons(n=1000, noise=0.2, seed=0)
    elif dataset == "spirals":
        X, y = D.spirals(n=300, classes=3, noise=0.2, seed=0)
    elif dataset == "xor":
        X, y = D.xor(n=800, noise=0.2, seed=0)
    elif dataset == "blobs":
        X, y = D.gaussian_blobs(n=900, centers=3, std=1.5, seed=0)
    else:
        raise ValueError(f"unknown dataset {dataset!r}")
    X_train, X_test, y_train, y_test = D.train_test_split(X, y, test_size=TEST_SIZE, seed=SPLIT_SEED)
    scaler = None
    if model != "cnn":  # standardise features with training-set statistics only
        scaler = D.standardize(X_train)
        X_train_s, X_test_s = scaler(X_train), scaler(X_test)
    else:
        X_train_s, X_test_s = X_train, X_test
    info = {"classes": int(y.max()) + 1, "features": int(np.prod(X.shape[1:])),
            "input_shape": list(X.shape[1:]), "scaler": scaler,
            "raw": (X_train, X_test)}
    return X_train_s, X_test_s, y_train, y_test, info


def build_model(name, in_features, classes, hidden=(64, 64)):
    """logreg / mlp on flat features, or the LeNet-style CNN on 1x8x8 images."""
    import nn

    if name == "logreg":
        return nn.Sequential(nn.Linear(in_features, classes))
    if name == "mlp":
        layers, width = [], in_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, classes))
        return nn.Sequential(*layers)
    if name == "cnn":
        # LeNet-style for 8x8 inputs: 1x8x8 -conv3-> 16x8x8 -pool-> 16x4x4
        #                                   -conv3-> 32x4x4 -pool-> 32x2x2 -> 128 -> 64 -> classes
        return nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 2 * 2, 64), nn.ReLU(),
            nn.Linear(64, classes),
        )
    raise ValueError(f"unknown model {name!r}")


def make_optimizer(name, params, lr=None):
    import optim

    cls_name, default_lr, kwargs = OPTIMIZERS[name]
    lr = default_lr if lr is None else lr
    return getattr(optim, cls_name)(params, lr=lr, **kwargs), lr


# --------------------------------------------------------------------------- outputs
def _fallback_dot(model, input_shape):
    """A plain DOT chain of the model's layers, for when autograd.viz cannot draw."""
    lines = ["digraph model {", "  rankdir=TB;", "  node [shape=box, style=filled, fillcolor=\"#dbe9f6\"];",
             f'  input [label="input {tuple(input_shape)}", fillcolor=white];']
    prev = "input"
    children = list(model.named_children()) or [("model", model)]
    for i, (name, layer) in enumerate(children):
        label = repr(layer).replace('"', "'").replace("\n", " ")
        lines.append(f'  l{i} [label="{name}: {label}"];')
        lines.append(f"  {prev} -> l{i};")
        prev = f"l{i}"
    lines += ['  loss [label="cross-entropy loss", fillcolor="#f6dbdb"];', f"  {prev} -> loss;", "}"]
    return "\n".join(lines) + "\n"


def write_graph(model, loss_fn, x, y, out_dir, title=None):
    """Draw one loss evaluation of ``model`` on the batch ``(x, y)``, after backward.

    Writes graph.png (every operation, with values and gradients) and graph_layers.png
    (the same graph with one box per layer). When drawing or rendering fails (no
    Graphviz ``dot`` program, say) it writes graph.dot, the DOT text, instead.
    Returns (list of file names, note explaining a fallback or None).
    """
    source, note, files = None, None, []
    try:
        from autograd import viz

        if hasattr(model, "zero_grad"):
            model.zero_grad()
        # NOTE: the input requires grad only for the drawing, so the graph starts at
        # the images as the model sees them (N, C, H, W) and shows d loss / d input.
        x = ag.tensor(x.array if isinstance(x, ag.Tensor) else x, requires_grad=True, name="input")
        loss = loss_fn(model(x), y)
        loss.backward()
        title = title or f"loss of {type(model).__name__} on a batch of {len(y)}"
        graph = viz.draw(loss, model=model, title=title + " (red: weights with their gradients)")
        source = getattr(graph, "source", None)
        if not _render_png(graph, os.path.join(out_dir, "graph")):
            raise RuntimeError("the renderer produced no graph.png")
        files.append("graph.png")
        layers = viz.draw(loss, model=model, depth=1,
                          title=title + " (one box per layer, |grad|: norm of its weights' gradient)")
        if _render_png(layers, os.path.join(out_dir, "graph_layers")):
            files.append("graph_layers.png")
        return files, None
    except Exception as e:  # never let drawing break a finished training run
        note = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}".strip()
    finally:
        if hasattr(model, "zero_grad"):
            model.zero_grad()
    if files:  # graph.png is there; only the per-layer view failed
        return files, None
    if source is None:
        source = _fallback_dot(model, tuple(x.shape[1:]))
    with open(os.path.join(out_dir, "graph.dot"), "w") as f:
        f.write(source)
    return ["graph.dot"], note


# --------------------------------------------------------------------------- main
def _wants_charlm(argv):
    """``--model charlm`` selects the language-model job (gradtable.charlm), which has its own
    options; every other model is a classifier trained here."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for i, a in enumerate(argv):
        if (a == "--model" and i + 1 < len(argv) and argv[i + 1] == "charlm") or a == "--model=charlm":
            return argv
    return None


def _train(args, info, train_data, test_loader, loss_fn, epochs, out_dir, rank, world):
    """Build, (resume,) and train the model on this rank: (model, lr, history, seconds)."""
    import nn
    from .cli_ranks import checkpoint_writer, resume, train_loader
    from nn.data import TensorDataset
    from nn.train import accuracy, fit

    ag.manual_seed(args.seed)
    model = build_model(args.model, info["features"], info["classes"], args.hidden)
    optimizer, lr = make_optimizer(args.optimizer, model.parameters(), args.lr)
    history, start = None, 0
    if args.resume:
        history, start = resume(args.resume, args, model, optimizer)
    scheduler = None
    if args.schedule == "cosine":  # resumed: the cosine over all --epochs, at epoch `start`
        import optim
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, last_epoch=start - 1)
    # NOTE: every rank starts from rank 0's weights (DDP broadcasts them), so a checkpoint
    # written by rank 0 resumes on any number of ranks
    net = nn.parallel.DistributedDataParallel(model) if args.distributed else model
    loader = train_loader(TensorDataset(*train_data), args, world, start)
    n_params = sum(p.numel() for p in model.parameters())
    ranks = f", {world} ranks x batches of {max(1, args.batch_size // world)}" if args.distributed else ""
    if rank == 0:
        print(f"gradtable: {args.model} on {args.dataset} ({len(train_data[1])} training / "
              f"{len(test_loader.dataset)} test samples, {info['classes']} classes), {n_params:,} "
              f"parameters, {args.optimizer} lr={lr:g}, {epochs} epochs of batches of "
              f"{args.batch_size}{ranks}" + (f", resumed after epoch {start}" if start else ""),
              flush=True)
    writer = None
    if args.checkpoint and rank == 0:
        writer = checkpoint_writer(os.path.join(out_dir, "checkpoint.npz"), args, model, optimizer)
    t0 = time.perf_counter()
    # NOTE: distributed ranks must run the same steps: no rank may stop early on its own
    # loss, so divergence is reported at the end instead of stopping one rank
    history = fit(net, loss_fn, optimizer, loader, epochs=max(0, epochs - start),
                  val_loader=test_loader, metrics=accuracy, history=history,
                  progress=not args.no_progress and rank == 0, log_epochs=rank == 0,
                  scheduler=scheduler, desc=f"{args.model}/{args.dataset}",
                  stop_on_nan=not args.distributed, on_epoch_end=writer)
    return model, lr, history, time.perf_counter() - t0


def _write_outputs(args, model, loss_fn, history, info, X_test, y_test, out_dir, run):
    """model.npz, curves.png, decision_boundary.png, graph.png: (files, notes)."""
    import nn

    lr = run["lr"]
    files = {}
    nn.save(model.state_dict(), os.path.join(out_dir, "model.npz"))
    files["weights"] = "model.npz"
    if args.checkpoint:
        files["checkpoint"] = "checkpoint.npz"
    notes = []
    try:
        from nn import plots

        title = (f"{args.model} on {args.dataset} with {args.optimizer} (lr {lr:g} {args.schedule}, "
                 f"batch {args.batch_size}); "
                 f"validation = the held-out test split")
        fig = plots.plot_history(history, os.path.join(out_dir, "curves.png"), title=title)
        plots.close(fig)
        files["curves"] = "curves.png"
        if info["features"] == 2:
            raw_test = info["raw"][1]
            fig = plots.plot_decision_boundary(
                model, raw_test, y_test, os.path.join(out_dir, "decision_boundary.png"),
                transform=info["scaler"], title=f"{args.model} on {args.dataset}: test points")
            plots.close(fig)
            files["decision_boundary"] = "decision_boundary.png"
    except ImportError as e:
        notes.append(f"no plots: {e}")
    x_small = ag.Tensor(X_test[:4])
    y_small = ag.Tensor(y_test[:4])
    graph_files, note = write_graph(
        model, loss_fn, x_small, y_small, out_dir,
        title=f"Computational graph: cross-entropy loss of the trained {args.model} on "
              f"{len(y_small)} test samples, after backward")
    files["graph"] = graph_files[0]
    if len(graph_files) > 1:
        files["graph_layers"] = graph_files[1]
    if note:
        notes.append(f"graph.png not drawn ({note}); wrote graph.dot instead "
                     f"(render it with: dot -Tpng {os.path.join(out_dir, 'graph.dot')} -o graph.png)")
    return files, notes


def _summary(args, model, history, y_train, y_test, files, notes, run):
    """What metrics.json holds."""
    lr, epochs, world, test, train = run["lr"], run["epochs"], run["world"], run["test"], run["train"]
    return {
        "model": args.model, "dataset": args.dataset, "optimizer": args.optimizer, "lr": lr,
        "schedule": args.schedule, "epochs": epochs, "batch_size": args.batch_size, "seed": args.seed,
        "hidden": list(args.hidden) if args.model == "mlp" else None,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_samples": len(y_train), "test_samples": len(y_test),
        "split": {"test_size": TEST_SIZE, "seed": SPLIT_SEED},
        "test_accuracy": test["accuracy"], "test_loss": test["loss"],
        "train_accuracy": train["accuracy"], "train_loss": train["loss"],
        "train_seconds": round(run["train_seconds"], 3), "diverged": history.diverged,
        "files": files, "notes": notes,
        "python": platform.python_version(), "numpy": np.__version__,
        "history": history.as_dict(),
        "ranks": world, "batch_per_rank": max(1, args.batch_size // world),
        "resumed_from": args.resume,
    }


def main(argv=None):
    charlm_argv = _wants_charlm(argv)
    if charlm_argv is not None:
        from . import charlm

        return charlm.main(charlm_argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.model is None:
        args.model = "cnn" if args.dataset == "digits" else "mlp"
    if args.model == "cnn" and args.dataset != "digits":
        parser.error(f"--model cnn needs images and works only with --dataset digits "
                     f"(got --dataset {args.dataset}); use --model mlp or --model logreg for it")

    import nn
    from nn.data import DataLoader, TensorDataset
    from nn.train import evaluate

    rank, world = 0, 1
    if args.distributed:  # NOTE: from here on, an exception on any rank aborts every rank
        import autograd.distributed as dist

        dist.init_process_group()
        rank, world = dist.get_rank(), dist.get_world_size()
    try:
        X_train, X_test, y_train, y_test, info = load_data(args.dataset, args.model)
    except ImportError as e:
        if args.distributed:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 1
    out_dir = args.out or os.path.join("runs", f"{args.model}-{args.dataset}")
    if rank == 0:
        os.makedirs(out_dir, exist_ok=True)
    epochs = args.epochs or DEFAULT_EPOCHS[args.dataset]
    loss_fn = nn.CrossEntropyLoss()
    test_loader = DataLoader(TensorDataset(X_test, y_test), batch_size=512)
    try:
        model, lr, history, train_seconds = _train(args, info, (X_train, y_train), test_loader,
                                                   loss_fn, epochs, out_dir, rank, world)
    except ImportError as e:
        if args.distributed:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 1
    if rank != 0:
        return 0  # rank 0 evaluates and writes the files
    test = evaluate(model, loss_fn, test_loader)
    train = evaluate(model, loss_fn, DataLoader(TensorDataset(X_train, y_train), batch_size=512))
    if history.diverged or not np.isfinite(train["loss"]):
        print("warning: training diverged (the loss is not finite); try a smaller --lr", file=sys.stderr)
    print(f"test accuracy: {100 * test['accuracy']:.2f}%  (test loss {test['loss']:.4f}, training "
          f"accuracy {100 * train['accuracy']:.2f}%, trained in {train_seconds:.1f} s)", flush=True)

    run = {"lr": lr, "epochs": epochs, "world": world, "train_seconds": train_seconds,
           "test": test, "train": train}
    files, notes = _write_outputs(args, model, loss_fn, history, info, X_test, y_test, out_dir, run)
    summary = _summary(args, model, history, y_train, y_test, files, notes, run)
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(summary, f, indent=1)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    print(f"wrote {', '.join(list(files.values()) + ['metrics.json'])} to {out_dir}/")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

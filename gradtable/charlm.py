"""The second main job: a character-level language model trained end to end.

    python -m gradtable --model charlm                    # ~1-2 minutes on one core
    python -m gradtable --model charlm --steps 3000 --d-model 96 --layers 3
    bash run.sh main --model charlm --help

A small causal transformer (GPT's arrangement: token and position embeddings,
pre-norm ``nn.TransformerEncoderLayer`` blocks under a causal mask, a final layer
norm, a linear read-out to the characters) learns to predict the next character of
a Shakespeare excerpt (``gradtable/text/coriolanus.txt``, the opening of *Coriolanus*,
public domain, shipped with the package: nothing is downloaded). Training minimises
the cross-entropy of the next character, -1/(N T) sum_{n,t} log p(x_{t+1} | x_<=t),
with AdamW, a progress bar and a sample of generated text every few hundred steps.
It writes into the output folder (default ``runs/charlm``):

    samples.txt      the samples printed during training, step by step
    curves.png       training loss per step and held-out loss at each evaluation
    block_graph.png  the computational graph of one transformer block (ag.viz.draw),
                     after backward; block_graph.dot when Graphviz is missing
    model.npz        the weights (``nn.load`` + ``model.load_state_dict``)
    metrics.json     the settings, losses, timings and samples

This module is application code (it imports ``optim`` inside :func:`main` only).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

import autograd as ag

from nn.embedding import Embedding
from nn.layernorm import LayerNorm
from nn.module import Module

__all__ = ["CharTransformer", "CharData", "generate", "build_parser", "main", "TEXT_PATH"]

TEXT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "text", "coriolanus.txt")


# --------------------------------------------------------------------------- data
class CharData:
    """A text as integer codes: ``vocab`` (sorted characters), ``encode``/``decode``,
    a 90/10 train/validation split, and random (N, T) windows of it."""

    def __init__(self, text, val_fraction=0.1):
        if len(text) < 3:
            raise ValueError("charlm: the text needs at least a few characters")
        self.vocab = sorted(set(text))
        self._index = {c: i for i, c in enumerate(self.vocab)}
        codes = self.encode(text)
        n = int(len(codes) * (1 - val_fraction))
        self.train, self.val = codes[:n], codes[n:]

    def encode(self, s):
        try:
            return np.array([self._index[c] for c in s], dtype=np.int64)
        except KeyError as e:
            raise ValueError(f"charlm: character {e.args[0]!r} is not in the vocabulary") from None

    def decode(self, codes):
        return "".join(self.vocab[int(i)] for i in codes)

    def batch(self, split, batch_size, block_size, rng):
        """Inputs x (N, T) and targets y (N, T) = x shifted by one character."""
        data = self.train if split == "train" else self.val
        T = min(block_size, len(data) - 1)
        starts = rng.integers(0, len(data) - T, size=batch_size)
        idx = starts[:, None] + np.arange(T)
        return data[idx], data[idx + 1]


# --------------------------------------------------------------------------- model
class CharTransformer(Module):
    """logits = head(LN(blocks(tok_emb(x) + pos_emb(t)))) under a causal mask.

    x (N, T) integer codes, T <= block_size -> logits (N, T, vocab_size).
    Sub-modules: ``tok_emb`` (vocab_size, d_model), ``pos_emb`` (block_size, d_model),
    ``blocks`` (an ``nn.TransformerEncoder`` of pre-norm ``nn.TransformerEncoderLayer``,
    batch_first), ``ln_f`` (LayerNorm), ``head`` (Linear d_model -> vocab_size).
    """

    def __init__(self, vocab_size, block_size, d_model=64, nhead=4, num_layers=2,
                 dim_feedforward=None, dropout=0.0, dtype=None):
        import nn

        super().__init__()
        self.vocab_size, self.block_size = int(vocab_size), int(block_size)
        self.tok_emb = Embedding(vocab_size, d_model, dtype=dtype)
        self.pos_emb = Embedding(block_size, d_model, dtype=dtype)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward or 4 * d_model, dropout,
                                           batch_first=True, norm_first=True, dtype=dtype)
        self.blocks = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.ln_f = LayerNorm(d_model, dtype=dtype)
        self.head = nn.Linear(d_model, vocab_size, dtype=dtype)
        self._masks = {}

    def causal_mask(self, T):
        """(T, T) boolean, True above the diagonal: position t never sees t' > t."""
        if T not in self._masks:
            self._masks[T] = np.triu(np.ones((T, T), dtype=bool), k=1)
        return self._masks[T]

    def forward(self, idx):
        idx = np.asarray(idx.array if isinstance(idx, ag.Tensor) else idx)
        T = idx.shape[-1]
        if T > self.block_size:
            raise ValueError(f"CharTransformer: sequence of length {T} is longer than block_size "
                             f"{self.block_size}; crop the context to its last {self.block_size} codes")
        x = self.tok_emb(idx) + self.pos_emb(np.arange(T))
        x = self.blocks(x, mask=self.causal_mask(T), is_causal=True)
        return self.head(self.ln_f(x))


def generate(model, context, n, rng, temperature=1.0):
    """Append ``n`` characters to ``context`` (a 1-D array of codes), each drawn from
    softmax(logits / temperature) of the model given the last block_size codes."""
    was_training = model.training
    model.eval()
    out = list(np.asarray(context, dtype=np.int64))
    with ag.no_grad():
        for _ in range(n):
            ctx = np.array(out[-model.block_size:])[None]
            logits = model(ctx).array[0, -1].astype(np.float64) / temperature
            p = np.exp(logits - logits.max())
            out.append(int(rng.choice(len(p), p=p / p.sum())))
    model.train(was_training)
    return np.array(out)


# --------------------------------------------------------------------------- command line
def _positive(kind):
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}") from None
        if not v > 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return v
    return parse


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m gradtable --model charlm",
        description="Train a small causal transformer to write Shakespeare one character at a\n"
                    "time; print samples as it learns; save samples, loss curves, the graph of one\n"
                    "block, the weights and a metrics.json.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["charlm"], default="charlm", help=argparse.SUPPRESS)
    p.add_argument("--text", default=TEXT_PATH, metavar="FILE",
                   help="a UTF-8 text to learn (default: the shipped Coriolanus excerpt)")
    p.add_argument("--steps", type=_positive(int), default=1500, help="training steps (default 1500)")
    p.add_argument("--batch-size", type=_positive(int), default=32, help="sequences per step (default 32)")
    p.add_argument("--block-size", type=_positive(int), default=32, help="context length T (default 32)")
    p.add_argument("--d-model", type=_positive(int), default=64, help="embedding width (default 64)")
    p.add_argument("--heads", type=_positive(int), default=4, help="attention heads (default 4)")
    p.add_argument("--layers", type=_positive(int), default=2, help="transformer blocks (default 2)")
    p.add_argument("--dropout", type=float, default=0.1,
                   help="dropout probability in every block (default 0.1: the text is small, and "
                        "without it the held-out loss turns up after ~800 steps)")
    p.add_argument("--lr", type=_positive(float), default=3e-3,
                   help="peak AdamW learning rate, cosine-decayed to a tenth (default 3e-3)")
    p.add_argument("--eval-every", type=_positive(int), default=250, metavar="N",
                   help="held-out loss and a printed sample every N steps (default 250)")
    p.add_argument("--sample-chars", type=_positive(int), default=200, help="characters per sample")
    p.add_argument("--temperature", type=_positive(float), default=0.8, help="sampling temperature")
    p.add_argument("--seed", type=int, default=0, help="seed for initialisation, batches, sampling")
    p.add_argument("--out", default=os.path.join("runs", "charlm"), metavar="DIR",
                   help="output folder (default runs/charlm)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (tqdm not needed)")
    p.add_argument("--default-malloc", action="store_true",
                   help="leave glibc's allocator settings alone (by default the job keeps freed "
                        "blocks for reuse, about 25%% faster; see gradtable.charlm._tune_malloc)")
    return p


def _tune_malloc():
    """NOTE: a training step allocates and frees the same few-hundred-kB arrays over
    and over; glibc returns such blocks to the system and page-faults them back in on
    the next step, which costs a third of a small model's step. Keep them: raise the
    mmap and trim thresholds (what ``python -m bench --tuned-malloc`` sets through
    the environment). Linux/glibc only; elsewhere nothing happens."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)  # glibc's largest allowed value
        libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)
    except (OSError, AttributeError):
        pass


def _loss(model, x, y):
    import nn.functional as F

    logits = model(x)
    return F.cross_entropy(ag.reshape(logits, (-1, model.vocab_size)), ag.tensor(y.reshape(-1)))


def _evaluate(model, data, args, rng, batches=8):
    model.eval()
    with ag.no_grad():
        losses = [float(_loss(model, *data.batch("val", args.batch_size, args.block_size, rng)).item())
                  for _ in range(batches)]
    model.train()
    return float(np.mean(losses))


def _sample(model, data, args, rng):
    start = data.encode("\n")
    return data.decode(generate(model, start, args.sample_chars, rng, args.temperature))[1:]


def train(model, data, args, log=print):
    """AdamW on random windows, cosine learning rate, held-out loss and a sample every
    ``args.eval_every`` steps. Returns (history dict, list of (step, sample))."""
    import optim
    from nn.utils import clip_grad_norm_

    opt = optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    rng = np.random.default_rng(args.seed)
    sample_rng = np.random.default_rng(args.seed + 1)
    hist = {"step_loss": [], "val_step": [], "val_loss": [], "lr": []}
    samples = [(0, _sample(model, data, args, sample_rng))]
    log(f"step 0 (untrained) sample:\n{samples[0][1]}\n")
    bar = _progress(args)
    t0 = time.perf_counter()
    for step in range(1, args.steps + 1):
        lr = args.lr * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * (step - 1) / args.steps)))
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = data.batch("train", args.batch_size, args.block_size, rng)
        opt.zero_grad()
        loss = _loss(model, x, y)
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        hist["step_loss"].append(float(loss.item()))
        hist["lr"].append(float(lr))
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{hist['step_loss'][-1]:.3f}")
        if step % args.eval_every == 0 or step == args.steps:
            val = _evaluate(model, data, args, rng)
            hist["val_step"].append(step)
            hist["val_loss"].append(val)
            samples.append((step, _sample(model, data, args, sample_rng)))
            msg = f"step {step}: train loss {np.mean(hist['step_loss'][-50:]):.3f}, held-out loss {val:.3f}"
            (bar.write if bar is not None else log)(f"{msg}; sample:\n{samples[-1][1]}\n")
    if bar is not None:
        bar.close()
    hist["seconds"] = time.perf_counter() - t0
    return hist, samples


def _progress(args):
    if args.no_progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        print('note: no progress bar (pip install "gradtable[train]" for tqdm)', file=sys.stderr)
        return None
    return tqdm(total=args.steps, desc="charlm", unit="step", dynamic_ncols=True)


# --------------------------------------------------------------------------- outputs
def plot_curves(hist, path, title):
    """Training loss per step (faint), its 50-step running mean, held-out loss."""
    from nn import plots

    plt = plots._pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    steps = np.arange(1, len(hist["step_loss"]) + 1)
    ax.plot(steps, hist["step_loss"], color="#9ecae1", lw=0.8, label="training loss (per step)")
    k = min(50, len(steps))
    if k > 1:
        smooth = np.convolve(hist["step_loss"], np.ones(k) / k, mode="valid")
        ax.plot(steps[k - 1:], smooth, color="#3182bd", label=f"training loss ({k}-step mean)")
    ax.plot(hist["val_step"], hist["val_loss"], "o-", color="#e6550d", label="held-out loss")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats per character)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend()
    plots.save_figure(fig, path)
    plots.close(fig)


def draw_block(model, out_dir):
    """The graph of one transformer block on a (1, 4, d_model) input, after backward of
    the sum of its output: block_graph.png, or block_graph.dot without Graphviz."""
    from .render import render_png as _render_png

    block = model.blocks.layers[0]
    d = model.tok_emb.embedding_dim
    x = ag.tensor(np.random.default_rng(0).standard_normal((1, 4, d)).astype(np.float32),
                  requires_grad=True, name="input")
    block.zero_grad()
    out = block(x, src_mask=model.causal_mask(4), is_causal=True)
    loss = ag.sum(out)
    loss.backward()
    graph = None
    try:
        from autograd import viz

        graph = viz.draw(loss, model=block, title="one pre-norm TransformerEncoderLayer block on a "
                                                  "(1, 4, d_model) input: sum of its output, after backward")
        if _render_png(graph, os.path.join(out_dir, "block_graph")):
            return "block_graph.png", None
        note = "the renderer produced no image"
    except Exception as e:  # never let drawing break a finished run
        note = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    finally:
        block.zero_grad()
    if graph is not None and getattr(graph, "source", None):
        with open(os.path.join(out_dir, "block_graph.dot"), "w") as f:
            f.write(graph.source)
        return "block_graph.dot", note
    return None, note


def _write_outputs(model, hist, samples, args, data, out_dir):
    import nn

    files, notes = {}, []
    nn.save(model.state_dict(), os.path.join(out_dir, "model.npz"))
    files["weights"] = "model.npz"
    with open(os.path.join(out_dir, "samples.txt"), "w", encoding="utf-8") as f:
        for step, text in samples:
            f.write(f"=== step {step} ===\n{text}\n\n")
    files["samples"] = "samples.txt"
    try:
        plot_curves(hist, os.path.join(out_dir, "curves.png"),
                    f"charlm: {args.layers} blocks, d_model {args.d_model}, {args.heads} heads, "
                    f"context {args.block_size}, batch {args.batch_size}")
        files["curves"] = "curves.png"
    except ImportError as e:
        notes.append(f"no curves.png: {e}")
    name, note = draw_block(model, out_dir)
    if name:
        files["graph"] = name
    if note:
        notes.append(f"block graph: {note}")
    return files, notes


def main(argv=None):
    args = build_parser().parse_args(argv)
    if not 0.0 <= args.dropout < 1.0:
        raise SystemExit(f"--dropout must be in [0, 1), got {args.dropout}")
    if args.d_model % args.heads:
        raise SystemExit(f"--d-model ({args.d_model}) must be divisible by --heads ({args.heads})")
    if not args.default_malloc:
        _tune_malloc()
    with open(args.text, encoding="utf-8") as f:
        data = CharData(f.read())
    ag.manual_seed(args.seed)
    model = CharTransformer(len(data.vocab), args.block_size, args.d_model, args.heads, args.layers,
                            dropout=args.dropout)
    n_params = sum(int(p.numel()) for p in model.parameters())
    print(f"gradtable charlm: {len(data.train):,} training / {len(data.val):,} held-out characters, "
          f"vocabulary {len(data.vocab)}; {args.layers} blocks, d_model {args.d_model}, {args.heads} heads, "
          f"{n_params:,} parameters; {args.steps} steps of {args.batch_size} x {args.block_size}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    hist, samples = train(model, data, args)
    files, notes = _write_outputs(model, hist, samples, args, data, args.out)
    summary = {
        "settings": {k: v for k, v in vars(args).items() if k not in ("model",)},
        "parameters": n_params, "vocabulary": data.vocab,
        "final_train_loss": float(np.mean(hist["step_loss"][-50:])),
        "final_val_loss": hist["val_loss"][-1], "train_seconds": round(hist["seconds"], 2),
        "ms_per_step": round(1e3 * hist["seconds"] / args.steps, 2),
        "first_sample": samples[0][1], "last_sample": samples[-1][1],
        "files": files, "notes": notes, "history": hist,
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"held-out loss {hist['val_loss'][-1]:.3f} (uniform guess: {np.log(len(data.vocab)):.3f}); "
          f"trained in {hist['seconds']:.1f} s")
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    print(f"wrote {', '.join(list(files.values()) + ['metrics.json'])} to {args.out}/")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

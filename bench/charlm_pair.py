"""The charlm step ratio measured in pairs, for a busy machine.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python -m bench.charlm_pair [--rounds 30] [--tuned-malloc] [--dropout 0]

``python -m bench --only charlm`` times each side in its own process, minutes apart;
on a shared machine the load changes in between and the ratio swings by +-30%. Here
both models (the charlm job's default, same weights) live in one process and
alternate: each round times a few gradtable steps then a few torch steps (CPU time),
and the ratio of each round is kept, so both sides see the same load. Prints the
median ratio and its quartiles. ``--tuned-malloc`` applies the charlm job's glibc
setting (``gradtable.charlm._tune_malloc``) to the whole process, so to both sides.
"""
import argparse
import time

import numpy as np

from .common import import_torch
from .workloads import charlm as W


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.charlm_pair", description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--steps", type=int, default=5, help="steps per side per round")
    p.add_argument("--tuned-malloc", action="store_true")
    p.add_argument("--dropout", type=float, default=W.DROPOUT, help="default: the job's 0.1")
    args = p.parse_args(argv)
    import autograd as ag
    import nn
    import optim
    from gradtable.charlm import CharTransformer, _loss, _tune_malloc

    if args.tuned_malloc:
        _tune_malloc()
    torch = import_torch(1)
    B, T, D, H, L = W.sizes(type("C", (), {"n": lambda self, a, b: a})())
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, W.VOCAB, (B, T)), rng.integers(0, W.VOCAB, (B, T))
    ag.manual_seed(0)
    model = CharTransformer(W.VOCAB, T, D, H, L, dropout=args.dropout)
    opt = optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    tm = W._torch_model(torch, W.VOCAB, T, D, H, L, args.dropout)
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    topt = torch.optim.AdamW(tm.parameters(), lr=1e-4, weight_decay=0.01)
    tx, ty = torch.tensor(x), torch.tensor(y).reshape(-1)

    def gt_step():
        opt.zero_grad()
        _loss(model, x, y).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    def torch_step():
        topt.zero_grad()
        torch.nn.functional.cross_entropy(tm(tx).reshape(-1, W.VOCAB), ty).backward()
        torch.nn.utils.clip_grad_norm_(tm.parameters(), 1.0)
        topt.step()

    def timed(fn):
        t = time.process_time()
        for _ in range(args.steps):
            fn()
        return (time.process_time() - t) / args.steps * 1e3

    for _ in range(3):
        gt_step()
        torch_step()
    gts, tts = [], []
    for _ in range(args.rounds):
        gts.append(timed(gt_step))
        tts.append(timed(torch_step))
    ratios = np.array(gts) / np.array(tts)
    q1, med, q3 = np.percentile(ratios, [25, 50, 75])
    print(f"charlm step (dropout {args.dropout:g}), {args.rounds} rounds of {args.steps} steps per side "
          f"({'tuned' if args.tuned_malloc else 'default'} malloc): gradtable {np.median(gts):.1f} ms, "
          f"torch {np.median(tts):.1f} ms (CPU time); gradtable/torch median {med:.2f}x "
          f"(quartiles {q1:.2f}x-{q3:.2f}x)")


if __name__ == "__main__":
    main()

"""The language-model main job's default model (gradtable/charlm.py: 2 pre-norm transformer
blocks, d_model 64, 4 heads, feed-forward 256, dropout 0.1, context 32, batch 32, 58
characters):
one full training step (zero grad, forward, cross-entropy, backward, gradient
clipping, AdamW), gradtable against the same model in torch with the same weights."""
import numpy as np

from ..common import Row, import_torch, measure

SIDES = ("gradtable", "torch")
NAME = "charlm"
TITLE = "character-level transformer training step (the charlm job's default model)"
VOCAB = 58
DROPOUT = 0.1


def sizes(cfg):
    """(batch, block, d_model, heads, layers)."""
    return cfg.n((32, 32, 64, 4, 2), (4, 8, 16, 2, 1))


def _torch_model(torch, V, T, D, H, L, dropout=DROPOUT):
    class CharTransformer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_emb = torch.nn.Embedding(V, D)
            self.pos_emb = torch.nn.Embedding(T, D)
            layer = torch.nn.TransformerEncoderLayer(D, H, 4 * D, dropout, batch_first=True, norm_first=True)
            self.blocks = torch.nn.TransformerEncoder(layer, L, enable_nested_tensor=False)
            self.ln_f = torch.nn.LayerNorm(D)
            self.head = torch.nn.Linear(D, V)
            self.register_buffer("mask", torch.triu(torch.ones(T, T, dtype=torch.bool), 1), persistent=False)

        def forward(self, idx):
            x = self.tok_emb(idx) + self.pos_emb(torch.arange(idx.shape[1]))
            return self.head(self.ln_f(self.blocks(x, mask=self.mask, is_causal=True)))

    return CharTransformer()


def run(cfg):
    """Two rows: the job's default model (dropout 0.1) and the same without dropout
    (torch's fused attention kernel is then allowed; with dropout it takes its
    math path)."""
    return [_row(cfg, DROPOUT), _row(cfg, 0.0)]


def _row(cfg, dropout):
    B, T, D, H, L = sizes(cfg)
    reps, warm = cfg.reps(30, 3), cfg.warm(3, 1)
    row = Row(f"charlm transformer step ({L} blocks, d {D}, {H} heads, {B}x{T} chars, dropout {dropout:g})", "ms")
    rng = np.random.default_rng(0)
    x = rng.integers(0, VOCAB, (B, T))
    y = rng.integers(0, VOCAB, (B, T))
    import autograd as ag
    import nn
    from gradtable.charlm import CharTransformer, _loss

    ag.manual_seed(0)
    model = CharTransformer(VOCAB, T, D, H, L, dropout=dropout)
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    if "gradtable" in cfg.sides:
        import optim

        opt = optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)

        def step():
            opt.zero_grad()
            _loss(model, x, y).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

        measure(row, "gradtable", step, reps, warm, 1e3)
    torch = import_torch(cfg.threads) if "torch" in cfg.sides else None
    if torch is not None:
        tm = _torch_model(torch, VOCAB, T, D, H, L, dropout)
        tm.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        topt = torch.optim.AdamW(tm.parameters(), lr=1e-4, weight_decay=0.01)
        tx, ty = torch.tensor(x), torch.tensor(y).reshape(-1)

        def tstep():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tm(tx).reshape(-1, VOCAB), ty).backward()
            torch.nn.utils.clip_grad_norm_(tm.parameters(), 1.0)
            topt.step()

        measure(row, "torch", tstep, reps, warm, 1e3)
    return row

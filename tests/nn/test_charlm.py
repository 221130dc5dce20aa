"""The language-model main job (gradtable/charlm.py): data windows, the causal model, sampling,
and a tiny end-to-end run through ``python -m gradtable --model charlm``."""
import json
import os

import numpy as np

import autograd as ag
from gradtable import charlm, cli


def test_data_windows_are_shifted_by_one():
    data = charlm.CharData("abcabcabcabcabcabcabcabcabcabc")
    assert data.vocab == ["a", "b", "c"] and data.decode(data.encode("cab")) == "cab"
    x, y = data.batch("train", 4, 5, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 5)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])


def test_model_is_causal_and_generates():
    ag.manual_seed(0)
    m = charlm.CharTransformer(5, 6, d_model=8, nhead=2, num_layers=1)
    x = np.array([[0, 1, 2, 3, 4, 0]])
    x2 = x.copy()
    x2[0, 4:] = [1, 1]
    a, b = m(x).numpy(), m(x2).numpy()
    np.testing.assert_allclose(a[0, :4], b[0, :4], rtol=1e-5, atol=1e-6)  # the future is invisible
    assert not np.allclose(a[0, 4:], b[0, 4:])
    out = charlm.generate(m, [0, 1], 9, np.random.default_rng(0))
    assert out.shape == (11,) and out.max() < 5 and m.training


def test_tiny_run_writes_every_output(tmp_path):
    out = tmp_path / "run"
    rc = cli.main(["--model", "charlm", "--steps", "8", "--eval-every", "4", "--batch-size", "8", "--lr", "0.02",
                   "--block-size", "8", "--d-model", "16", "--heads", "2", "--layers", "1",
                   "--sample-chars", "12", "--no-progress", "--default-malloc", "--out", str(out)])
    assert rc == 0
    files = set(os.listdir(out))
    assert {"model.npz", "samples.txt", "curves.png", "metrics.json"} <= files
    assert "block_graph.png" in files or "block_graph.dot" in files
    m = json.load(open(out / "metrics.json"))
    assert len(m["history"]["step_loss"]) == 8 and m["history"]["val_step"] == [4, 8]
    losses = m["history"]["step_loss"]
    assert np.mean(losses[-3:]) < np.mean(losses[:3]) - 0.3  # it learns
    assert len(m["first_sample"]) == 12 and "=== step 8 ===" in open(out / "samples.txt").read()

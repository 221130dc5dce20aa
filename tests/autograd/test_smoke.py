"""The notes' worked example, as the first guard of the engine."""
import numpy as np

import autograd as ag


def test_notes_worked_example_grad_table():
    x1 = ag.tensor(2.0, requires_grad=True, name="x1")
    x2 = ag.tensor(3.0, requires_grad=True, name="x2")
    w3 = x1 * x2
    w4 = ag.sin(x1)
    w5 = w3 + w4
    table = ag.grad_table(w5)
    assert list(table)[0] is w5
    assert table[w5].item() == 1.0
    assert np.isclose(table[w3].item(), 1.0) and np.isclose(table[w4].item(), 1.0)
    assert np.isclose(table[x2].item(), 2.0)
    assert np.isclose(table[x1].item(), np.cos(2.0) + 3.0, rtol=1e-6)
    text = str(table)
    assert "x1" in text and "2.5839" in text

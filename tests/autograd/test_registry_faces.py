"""The registry is the only list of ops: every entry is reachable through its public
name, the generated faces are the entries' own, and every rule is named."""
import importlib

import numpy as np
import pytest

import autograd as ag
from autograd.api import generated
from autograd.ops.registry import REGISTRY


def _reach(name):
    """The object a registry entry's ``public`` names: ag.<name>, Tensor.<method> or a
    dotted name in nn."""
    if name.startswith("Tensor."):
        return getattr(ag.Tensor, name.split(".", 1)[1], None)
    if name.startswith("nn."):
        mod, _, attr = name.rpartition(".")
        return getattr(importlib.import_module(mod), attr, None)
    return getattr(ag, name, None)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_registry_entry_is_reachable_by_its_public_name(name):
    op = REGISTRY[name]
    assert _reach(op.public) is not None, f"op {name!r}: {op.public!r} does not exist"


@pytest.mark.parametrize("name", sorted(n for n, op in REGISTRY.items() if op.face))
def test_generated_faces_are_public_and_methods(name):
    op = REGISTRY[name]
    for public in (op.public,) + op.aliases:
        fn = getattr(ag, public)
        assert fn.op is op and fn.__doc__ == op.doc
        if op.method:
            assert getattr(ag.Tensor, public) is fn


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_rule_is_named_after_its_op(name):
    op = REGISTRY[name]
    if op.vjp is not None:
        assert op.vjp.__name__ not in ("_", "<lambda>"), f"op {name!r} has an unnamed rule"


def test_a_new_elementwise_op_needs_only_its_registry_entry():
    """Registering an op with a face and generating its function is all it takes."""
    from autograd.ops.registry import Op

    op = Op("cube_for_test", lambda x: x ** 3, face="unary")
    op.defvjp(lambda ns, n, g, out, x: (g * 3 * x * x,))
    fn = generated.public_function(op)
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    assert fn.__name__ == "cube_for_test" and op.vjp.__name__ == "cube_for_test_vjp"


def test_generated_reduction_takes_both_spellings():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    assert ag.sum(x, dim=1, keepdim=True).shape == (2, 1)
    assert ag.prod(x, axis=0).shape == (3,)
    assert x.logsumexp(1).shape == (2,)
    with pytest.raises(TypeError, match="axis or dim"):
        ag.sum(x, axis=0, dim=1)


def test_the_engine_imports_nothing_above_it():
    """The recording namespace registers itself; the engine imports only the tensor,
    grad mode, the registry's layer, its own scalar loop and graph-collector helper
    (``scalar_pass``, ``gc_graph``: they import the tensor at most) and the
    array-library seam below them all (``autograd.backend`` imports numpy and the
    strict device only)."""
    import ast

    import autograd.engine as engine

    tree = ast.parse(open(engine.__file__).read())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level}
    assert imported <= {"grad_mode", "ops.raw", "ops.registry", "_tensor", "backend",
                        "scalar_pass", "gc_graph"}, imported
    for helper in ("scalar_pass", "gc_graph"):
        tree = ast.parse(open(engine.__file__.replace("engine.py", helper + ".py")).read())
        below = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level}
        assert below <= {"_tensor"}, (helper, below)

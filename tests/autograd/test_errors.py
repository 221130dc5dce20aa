"""Bad inputs raise exceptions whose messages name the op and say what to do."""
import numpy as np
import pytest

import autograd as ag


def leaf(v, dtype=np.float64):
    return ag.tensor(v, dtype=dtype, requires_grad=True)


def message(exc_type, fn):
    with pytest.raises(exc_type) as e:
        fn()
    return str(e.value)


@pytest.mark.parametrize("make", [
    lambda: ag.tensor([1, 2], requires_grad=True),
    lambda: ag.tensor([True], requires_grad=True),
    lambda: ag.Tensor(np.arange(3), requires_grad=True),
    lambda: ag.zeros(3, dtype=np.int64, requires_grad=True),
    lambda: ag.arange(3).requires_grad_(),
])
def test_integer_tensors_refuse_requires_grad(make):
    msg = message(RuntimeError, make)
    assert "floating-point" in msg and ("int64" in msg or "bool" in msg)
    assert "dtype='float32'" in msg and ".float().requires_grad_()" in msg


def test_non_scalar_backward_names_shape_and_both_fixes():
    y = leaf(np.ones((2, 3))) * 2
    msg = message(RuntimeError, y.backward)
    assert "backward" in msg and "(2, 3)" in msg
    assert "out.sum().backward()" in msg and "out.backward(gradient)" in msg
    msg = message(RuntimeError, lambda: ag.grad(y, []))
    assert msg.startswith("grad:") and "(2, 3)" in msg


def test_wrong_gradient_shape():
    y = leaf(np.ones((2, 3))) * 2
    msg = message(RuntimeError, lambda: y.backward(ag.ones(3)))
    assert "backward" in msg and "(3,)" in msg and "(2, 3)" in msg and "must match" in msg


def test_backward_of_tensor_without_grad():
    msg = message(RuntimeError, ag.tensor([1.0]).sum().backward)
    assert "backward" in msg and "requires_grad=True" in msg and "no_grad" in msg


def test_second_backward_through_freed_graph():
    y = (leaf([1.0]) * 2).sum()
    y.backward()
    msg = message(RuntimeError, y.backward)
    assert msg.startswith("graph already freed; pass retain_graph=True")
    assert "'sum'" in msg or "'mul'" in msg


@pytest.mark.parametrize("name,fn", [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b), ("maximum", ag.maximum),
    ("minimum", ag.minimum), ("lt", lambda a, b: a < b), ("eq", lambda a, b: a == b),
])
def test_binary_shape_mismatch_names_op_and_shapes(name, fn):
    a, b = leaf(np.ones((2, 3))), leaf(np.ones((4,)))
    msg = message(ValueError, lambda: fn(a, b))
    assert msg.startswith(f"{name}:") and "(2, 3)" in msg and "(4,)" in msg
    assert "reshape or unsqueeze" in msg


def test_other_shape_errors_name_the_op():
    a = leaf(np.ones((2, 3)))
    cases = [
        (ValueError, lambda: a @ leaf(np.ones((2, 3))), "matmul", ["(2, 3)", "not aligned"]),
        (ValueError, lambda: ag.matmul(a, leaf(2.0)), "matmul", ["use * for scalars"]),
        (ValueError, lambda: ag.where(ag.tensor([True, False]), a, 0.0), "where", ["(2,)", "(2, 3)", "unsqueeze"]),
        (ValueError, lambda: a.reshape(4, 2), "reshape", ["(2, 3)", "(4, 2)"]),
        (ValueError, lambda: ag.cat([a, leaf(np.ones((2, 2)))], 0), "cat", ["(2, 2)", "outside axis"]),
        (ValueError, lambda: ag.stack([a, leaf(np.ones((2, 2)))]), "stack", ["(2, 2)", "all must be equal"]),
        (ValueError, lambda: ag.broadcast_to(a, (3, 3)), "broadcast_to", ["(2, 3)", "(3, 3)"]),
        (ValueError, lambda: ag.dot(a, a), "dot", ["use matmul"]),
        (ValueError, lambda: a.permute(0, 0), "permute", ["not a permutation"]),
        (ValueError, lambda: ag.split(a, [1, 2], dim=0), "split", ["add up"]),
        (ValueError, lambda: ag.cat([leaf(1.0), leaf(2.0)]), "cat", ["ag.stack"]),
        (IndexError, lambda: a.sum(axis=2), "sum", ["axis 2", "2 dimensions"]),
        (IndexError, lambda: a.mean(dim=-3), "mean", ["axis -3"]),
        (IndexError, lambda: ag.logsumexp(a, axis=5), "logsumexp", ["axis 5"]),
        (IndexError, lambda: ag.softmax(a, axis=2), "softmax", ["axis 2"]),
        (IndexError, lambda: ag.cat([a, a], axis=2), "cat", ["axis 2"]),
        (IndexError, lambda: a.max(axis=3), "max", ["axis 3"]),
        (IndexError, lambda: ag.stack([a, a], axis=4), "stack", ["axis 4"]),
        (ValueError, lambda: a.sum(axis=(0, 0)), "sum", ["repeated axis"]),
        (IndexError, lambda: a[5], "index", ["(2, 3)"]),
        (IndexError, lambda: a[ag.tensor([0.5])], "", ["integer or bool"]),
        (ValueError, lambda: ag.clip(a), "clip", ["min and max"]),
        (ValueError, lambda: ag.tensor([]).max(), "max", ["empty"]),
        (ValueError, lambda: a.item(), "item", ["(2, 3)", ".tolist()"]),
    ]
    for exc, fn, op, parts in cases:
        msg = message(exc, fn)
        assert op in msg.split(":")[0] or msg.startswith(op), (op, msg)
        for p in parts:
            assert p in msg, (op, p, msg)


def test_setitem_on_tensor_requiring_grad():
    a = leaf([1.0, 2.0])
    msg = message(RuntimeError, lambda: a.__setitem__(0, 5.0))
    assert "in-place" in msg and "ag.no_grad()" in msg and "detach" in msg
    with ag.no_grad():
        a[0] = 5.0
    assert a.array[0] == 5.0
    b = ag.tensor([1.0, 2.0])
    b[1] = 3.0
    assert b.tolist() == [1.0, 3.0]


def test_grad_input_errors():
    x = leaf(1.0)
    y = x * 2
    msg = message(RuntimeError, lambda: ag.grad(y, ag.tensor(1.0)))
    assert msg.startswith("grad:") and "requires_grad=True" in msg
    msg = message(TypeError, lambda: ag.grad(y, [np.ones(1)]))
    assert msg.startswith("grad:") and "not a Tensor" in msg


def test_gradcheck_errors_name_the_worst_entry():
    x = leaf([1.0, 2.0, 3.0])
    msg = message(ValueError, lambda: ag.gradcheck(ag.exp, ag.tensor([1.0], requires_grad=True)))
    assert "gradcheck" in msg and "float64" in msg and "x.double()" in msg

    def wrong(t):  # a function whose gradient is wrong on purpose: detach hides one term
        return t * t.detach()

    msg = message(ag.GradcheckError, lambda: ag.gradcheck(wrong, x))
    assert "worst entry is input 0 at index (2,)" in msg
    assert "numerical 6" in msg and "analytical 3" in msg and "relative error" in msg
    assert ag.gradcheck(wrong, x, raise_exception=False) is False


def test_deepcopy_and_pickle_of_non_leaf():
    import copy
    import pickle

    y = leaf([1.0]) * 2
    assert "detach" in message(RuntimeError, lambda: copy.deepcopy(y))
    assert "detach" in message(RuntimeError, lambda: pickle.dumps(y))
    x = leaf([1.0, 2.0])
    x2 = copy.deepcopy(x)
    assert x2.requires_grad and x2.tolist() == [1.0, 2.0] and not np.shares_memory(x2.array, x.array)
    x3 = pickle.loads(pickle.dumps(x))
    assert x3.requires_grad and x3.dtype == np.float64


def test_tensor_from_bad_data():
    msg = message(TypeError, lambda: ag.tensor("abc"))
    assert "Tensor" in msg and "numbers" in msg


def test_comparisons_with_none_do_not_raise():
    x = ag.tensor([1.0])
    assert (x == None) is False and (x != None) is True  # noqa: E711


def test_prod_second_derivative_through_zeros_is_computed_not_refused():
    # issue 9: once refused with NotImplementedError; now exact (tests/autograd/test_finite.py)
    x = leaf([0.0, 2.0, 3.0])
    (g,) = ag.grad(x.prod(), x, create_graph=True)
    np.testing.assert_array_equal(g.numpy(), [6.0, 0.0, 0.0])
    (h,) = ag.grad(g[0], x)
    np.testing.assert_array_equal(h.numpy(), [0.0, 3.0, 2.0])

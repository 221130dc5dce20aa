"""Drawings of the graph and of the grad table (autograd.viz)."""
import os
import re
import shutil
import sys
import time

import numpy as np
import pytest

import autograd as ag
import autograd.viz  # noqa: F401,E402  (drawing asked for: modules stamp their ops from here on)

graphviz = pytest.importorskip("graphviz")
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="the Graphviz `dot` program is not installed")


def notes_example():
    """The notes' worked example: z = sin(x1) + x1 * x2 at x1 = 2, x2 = 3."""
    x1 = ag.tensor(2.0, requires_grad=True, name="x1")
    x2 = ag.tensor(3.0, requires_grad=True, name="x2")
    z = ag.sin(x1) + x1 * x2
    return x1, x2, z


def node_label(source, name):
    """The label of the DOT node whose title is ``name``."""
    for line in source.splitlines():
        if f"<B>{name}</B>" in line:
            return line
    raise AssertionError(f"no node titled {name!r} in the DOT source")


def count_nodes(source):
    """Nodes of a DOT source (statements ``id [...]`` that are not edges or attributes)."""
    n = 0
    for line in source.splitlines():
        s = line.strip()
        if re.match(r'^"?[\w.]+"?\s*\[', s) and "->" not in s and not re.match(r"^(graph|node|edge)\b", s):
            n += 1
    return n


def plain(label):
    return label.replace("&#160;", " ")


# ---------------------------------------------------------------- the notes' example
def test_notes_example_shows_gradients_on_the_leaves():
    x1, x2, z = notes_example()
    z.backward()
    src = ag.viz.draw(z).source
    lx1, lx2 = plain(node_label(src, "x1")), plain(node_label(src, "x2"))
    assert "grad 2.584" in lx1 and "value 2<" in lx1
    assert "grad 2<" in lx2 and "value 3<" in lx2
    assert np.isclose(x1.grad.item(), np.cos(2.0) + 3.0, rtol=1e-6)
    # one node per tensor and per op, and the op names
    for op in ("sin", "mul", "add"):
        assert f"<B>{op}" in src
    assert "Legend" in src and "operation" in src


def test_before_backward_grads_are_not_computed_yet():
    _, _, z = notes_example()
    src = plain(ag.viz.draw(z).source)
    assert "grad: not computed yet" in node_label(src, "x1")
    assert "scalar float32" in src


def test_show_flags_and_options():
    _, _, z = notes_example()
    z.backward()
    src = plain(ag.viz.draw(z, show_grad=False, show_data=False, legend=False).source)
    assert "grad 2.584" not in src and "value 2<" not in src and "Legend" not in src
    assert "rankdir=TB" in ag.viz.draw(z, rankdir="TB").source
    named = ag.viz.draw({"z": z}).source
    assert "<B>z</B>" in named
    with pytest.raises(ValueError):
        ag.viz.draw(z, rankdir="sideways")


def test_parameters_constants_and_lists():
    w = ag.tensor([1.0, -2.0], requires_grad=True)
    x = ag.tensor([0.5, 0.25])
    y = (w * x * 2.0).sum()
    y.backward()
    src = ag.viz.draw([y], params={"w": w}).source
    assert "<B>w</B>" in src and "#f8cbc6" in src          # named, in the parameter colour
    assert "parameter" in src and "constant" in src
    hidden = ag.viz.draw(y, params={"w": w}, hide_constants=True)
    assert "constant" not in hidden.source and "with 2" in hidden.source
    assert hidden.nodes_drawn == ag.viz.draw(y, params={"w": w}).nodes_drawn - 1


@needs_dot
def test_png_is_produced(tmp_path):
    _, _, z = notes_example()
    z.backward()
    path = ag.viz.draw(z).render(str(tmp_path / "notes"), format="png")
    assert os.path.getsize(path) > 1000
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert ag.viz.draw(z)._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")


# ---------------------------------------------------------------- without Graphviz
@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """Hide the `dot` program: graphviz finds executables through PATH."""
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def test_draw_works_without_dot(no_dot):
    x1, _, z = notes_example()
    z.backward()
    g = ag.viz.draw(z)
    assert "digraph" in g.source and "2.584" in g.source
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "x1" in bundle["text/plain"] and "apt-get install graphviz" in bundle["text/plain"]
    assert g._repr_svg_() is None


def test_render_without_dot_explains_how_to_install(no_dot):
    _, _, z = notes_example()
    g = ag.viz.draw(z)
    with pytest.raises(RuntimeError) as err:
        g.render(str(no_dot / "out"), format="png")
    msg = str(err.value)
    for cmd in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
        assert cmd in msg
    assert isinstance(err.value, ag.viz.GraphvizNotFoundError)


def test_missing_graphviz_package_names_the_extra(monkeypatch):
    _, _, z = notes_example()
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match=r'pip install "gradtable\[viz\]"'):
        ag.viz.draw(z)


# ---------------------------------------------------------------- large graphs
def test_100k_node_graph_is_capped_and_fast():
    x = ag.tensor(1.0, requires_grad=True, name="x")
    y = x
    with np.errstate(all="ignore"):
        for _ in range(50_000):
            y = ag.sin(y)              # 50,000 ops + 50,001 tensors: 100,001 nodes
    start = time.perf_counter()
    g = ag.viz.draw(y, max_nodes=200)
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, f"drawing took {elapsed:.2f} s"
    assert g.nodes_drawn <= 200 and g.nodes_not_drawn == 100_001 - g.nodes_drawn
    assert "more nodes not drawn" in g.source and f"{g.nodes_not_drawn:,}" in g.source
    assert count_nodes(g.source) <= 201  # the note node included


# ---------------------------------------------------------------- models
def _mlp(n_linear=12):
    nn = pytest.importorskip("nn")
    if not hasattr(nn, "Sequential") or not hasattr(nn, "Linear"):
        pytest.skip("nn.Sequential / nn.Linear not available yet")
    layers = []
    sizes = [4] + [8] * (n_linear - 1) + [3]
    for i in range(n_linear):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < n_linear - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def test_mlp_at_depth_1_is_one_box_per_layer():
    model = _mlp(12)
    out = model(ag.randn(5, 4))
    g = ag.viz.draw(out, model=model, depth=1)
    assert count_nodes(g.source) <= 15
    # one box per Linear, each with the ReLU that follows it folded in ("0: Linear + 1: ReLU")
    assert len(re.findall(r"\d+: Linear( \+ \d+: ReLU)?</B>", g.source)) == 12
    assert g.source.count("ReLU</B>") == 11
    whole = ag.viz.draw(out, model=model, depth=0)
    assert count_nodes(whole.source) == 3       # input -> model -> output


def test_model_clusters_name_parameters():
    model = _mlp(2)
    loss = (model(ag.randn(3, 4)) ** 2).mean()
    loss.backward()
    src = ag.viz.draw(loss, model=model).source
    assert "<B>0.weight</B>" in src and "<B>2.bias</B>" in src
    assert "cluster_0" in src and "cluster_2" in src and "Sequential (model)" in src
    # the loss after the model stays outside the model's box (top-level nodes come first)
    assert src.index("pow_scalar") < src.index("subgraph cluster_root")
    # the ReLU, which owns no parameter, is drawn with the layer that feeds it
    layer0 = src[src.index("subgraph cluster_0"):src.index("subgraph cluster_2")]
    assert "<B>relu</B>" in layer0


# ---------------------------------------------------------------- the grad table, drawn
def test_draw_grad_table_annotates_steps_and_gradients():
    _, _, z = notes_example()
    table = ag.grad_table(z)
    src = plain(ag.viz.draw_grad_table(table).source)
    for k in range(1, len(table) + 1):
        assert f"step {k}" in src
    assert "grad 2.584" in node_label(src, "x1") and "grad 2<" in node_label(src, "x2")
    assert "grad table" in src


def test_backward_steps_one_frame_per_row():
    _, _, z = notes_example()
    table = ag.grad_table(z)
    frames = list(ag.viz.backward_steps(z))
    assert len(frames) == len(table) == 5
    names = [table.name_of(t) for t in table]
    for k, g in enumerate(frames, 1):
        src = plain(g.source)
        assert f"step {k} of 5" in src
        assert f"grad_table[{names[k - 1]}]" in src
    last = plain(frames[-1].source)
    assert "grad 2.584" in node_label(last, "x1")
    first = plain(frames[0].source)
    assert "grad ?" in node_label(first, "x1")


@needs_dot
def test_gif_has_one_frame_per_step(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    _, _, z = notes_example()
    path = ag.viz.save_backward_gif(z, str(tmp_path / "backward.gif"))
    with Image.open(path) as im:
        assert im.n_frames == 5
    pngs = ag.viz.save_backward_pngs(z, str(tmp_path / "frames"))
    assert len(pngs) == 5 and all(os.path.getsize(p) > 1000 for p in pngs)


def test_animate_without_dot_falls_back_to_frames(no_dot):
    _, _, z = notes_example()
    frames = ag.viz.animate_backward(z)
    assert isinstance(frames, list) and len(frames) == 5


@needs_dot
def test_animate_gives_a_slider_over_the_steps():
    pytest.importorskip("ipywidgets")
    _, _, z = notes_example()
    box = ag.viz.animate_backward(z)
    controls, view = box.children
    play, slider = controls.children
    assert (slider.min, slider.max) == (1, 5)
    assert view.value.startswith("<svg") and "step 1 of 5" in view.value
    slider.value = 5
    assert "step 5 of 5" in view.value


def test_text_description_lists_layers_without_dot(no_dot):
    model = _mlp(3)
    out = model(ag.randn(2, 4))
    g = ag.viz.draw(out, model=model, depth=1)
    text = g._repr_mimebundle_()["text/plain"]
    assert len(re.findall(r": Linear( \+ \d+: ReLU)?\]", text)) == 3 and "install graphviz" in text


def test_ops_are_boxed_in_the_module_whose_forward_made_them():
    nn = pytest.importorskip("nn")
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    out = model(ag.randn(5, 4, requires_grad=True)).sum()
    src = ag.viz.draw(out, model=model).source
    clusters = re.findall(r"subgraph cluster_(\w+) \{(.*?)\n\t+\}", src, flags=re.S)
    bodies = {name: body for name, body in clusters}
    relu = [n for n, b in bodies.items() if "1: ReLU" in b]
    assert relu and ">relu<" in bodies[relu[0]]
    # the loss's sum stays outside every module box
    assert not any(">sum<" in b for b in bodies.values())
    layers = ag.viz.draw(out, model=model, depth=1).source
    assert "0: Linear + 1: ReLU" in layers and "2: Linear" in layers

"""The layering of ARCHITECTURE.md, checked on the source: autograd imports only numpy
at module level; nn imports autograd (never optim); optim imports autograd (never nn).
Imports inside functions (lazy ones: graphviz for drawing, optim in the command-line
program) are allowed; module-level ones are what every user pays for."""
import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)

ALLOWED = {
    "autograd": {"numpy", "autograd"},
    "nn": {"numpy", "autograd", "nn"},
    "optim": {"numpy", "autograd", "optim"},
}


def _module_level_imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    body = list(tree.body)
    while body:
        node = body.pop(0)
        if isinstance(node, (ast.If, ast.Try)):
            # `try: import x except ImportError` at module level still runs on import
            body[:0] = node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", [])
            for h in getattr(node, "handlers", []):
                body[:0] = h.body
            continue
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_module_level_imports_follow_the_layers(package):
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name, line in _module_level_imports(path):
            if name in STDLIB or name == "__future__":
                continue
            if name not in ALLOWED[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "imports that break the layering:\n" + "\n".join(bad)


def test_importing_the_packages_pulls_in_no_heavy_dependency():
    code = ("import sys, autograd, nn, optim; "
            "print(sorted(m for m in ('torch', 'matplotlib', 'graphviz', 'tqdm', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_importing_the_packages_leaves_rarely_used_standard_modules_for_later():
    # NOTE: each costs every program memory (issue 14: MLP peak RSS <= 1.1x the numpy
    # floor): concurrent.futures and logging 0.6 MB (the conv thread pool, only at more
    # than one thread), html 0.4 MB (the grad table's notebook view)
    code = ("import sys, autograd, nn, optim; print(sorted(m for m in "
            "('concurrent.futures', 'logging', 'html') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    code = "import autograd as ag; x = ag.tensor([1.0], requires_grad=True); (2 * x).sum().backward(); " \
           "print('<table>' in ag.grad_table((3 * x).sum())._repr_html_())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True", out.stdout


# The main jobs (command line, language model) live in the application package
# ``gradtable``, which may import all three; nn and optim never import each other.


def _all_imports(path):
    """Every package imported anywhere in the file, module level or inside functions."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package,other", [("nn", "optim"), ("optim", "nn")])
def test_nn_and_optim_never_import_each_other_even_inside_functions(package, other):
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for name, line in _all_imports(path):
            if name == other:
                bad.append(f"{rel}:{line} imports {other}")
    assert not bad, f"{package} must not import {other} (not even lazily):\n" + "\n".join(bad)


def test_nn_and_optim_never_import_the_application():
    bad = []
    for package in ("autograd", "nn", "optim"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel == "nn/__main__.py":  # runs the application by name, imports nothing of it
                continue
            bad += [f"{rel}:{line}" for name, line in _all_imports(path) if name == "gradtable"]
    assert not bad, "the libraries must not import the application:\n" + "\n".join(bad)

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

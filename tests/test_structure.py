"""The house rules of STYLE.md, measured on the source with ast: no function over 80
lines, no file over 500 and no import cycle (counting imports inside functions)
between the modules of autograd, nn, optim and the application package gradtable."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "optim", "gradtable")
FN_MAX, FILE_MAX = 80, 500
# The application package ``gradtable`` (the main jobs) is measured too; nothing is exempt.
APPLICATION = set()


def _sources():
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            yield path, str(path.relative_to(ROOT))


def _module_name(rel):
    mod = rel[:-3].replace("/", ".")
    return mod[: -len(".__init__")] if mod.endswith(".__init__") else mod


@pytest.mark.parametrize("kind", ["functions", "files"])
def test_functions_and_files_fit_on_a_screen(kind):
    long = []
    for path, rel in _sources():
        if rel in APPLICATION:
            continue
        src = path.read_text()
        if kind == "files":
            n = src.count("\n") + 1
            if n > FILE_MAX:
                long.append(f"{rel} {n} lines")
            continue
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > FN_MAX:
                    long.append(f"{rel}:{node.lineno} {node.name} {n} lines")
    assert not long, f"over {FN_MAX if kind == 'functions' else FILE_MAX} lines:\n" + "\n".join(long)


def _import_graph():
    mods = {_module_name(rel): path for path, rel in _sources() if rel not in APPLICATION}
    edges = {}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = mod.split(".") if is_pkg else mod.split(".")[:-1]
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base
                           for a in node.names]
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != mod:
                    edges.setdefault(mod, set()).add(t)
    return mods, edges


def test_no_import_cycles():
    mods, edges = _import_graph()
    # a cycle exists iff some module reaches itself; report one per module found
    cycles = []
    for start in sorted(mods):
        stack, seen = [(start, (start,))], set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(edges.get(node, ())):
                if nxt == start:
                    cycles.append(" -> ".join(path + (start,)))
                    stack = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + (nxt,)))
    assert not cycles, "import cycles (module or function level):\n" + "\n".join(cycles)

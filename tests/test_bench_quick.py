"""The benchmark suite still runs: ``python -m bench --quick`` end to end, every
workload and every available side, at one thread. It asserts that the suite ran
and produced numbers, never how fast anything was."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_bench_quick_runs_every_workload(tmp_path):
    from bench.workloads import NAMES

    out = tmp_path / "quick.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--threads", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    doc = json.loads(out.read_text())
    (run,) = doc["runs"]
    assert run["threads"] == 1
    assert [r["workload"] for r in run["results"]] == NAMES
    for res in run["results"]:
        assert res["error"] is None, res["error"]
        assert res["rows"], res["workload"]
        for row in res["rows"]:
            assert row["values"], row["name"]
            for value in row["values"].values():
                assert value == value, row["name"]  # a number, not NaN
        assert any("gradtable" in row["values"] for row in res["rows"]), res["workload"]
    assert "benchmark" in proc.stdout and "gt/numpy" in proc.stdout


def test_bench_lists_workloads():
    proc = subprocess.run([sys.executable, "-m", "bench", "--list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "mlp" in proc.stdout and "depth" in proc.stdout


def test_bench_runs_without_jax_and_names_the_kernels(tmp_path):
    """JAX is optional: with ``import jax`` failing, its column is empty and a note says
    why; the header names each side's BLAS library, kernel and threads."""
    fake = tmp_path / "nojax" / "jax"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('jax hidden by the test')\n")
    out = tmp_path / "quick.json"
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "nojax"))
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--threads", "1", "--only", "mlp",
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    doc = json.loads(out.read_text())
    (row,) = doc["runs"][0]["results"][0]["rows"]
    assert "jax" not in row["values"] and "jax: not installed" in row["note"]
    assert "gradtable" in row["values"] and "numpy" in row["values"]
    assert "numpy and gradtable:" in proc.stdout and "kernel" in proc.stdout
    assert doc["blas_env"]["in_workers"] == "removed"

"""One thread count's run: ``python -m bench.worker CONFIG_JSON OUT_PATH``.

The parent (``python -m bench``) starts this process with OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS and MKL_NUM_THREADS already set, so BLAS reads them when
numpy is first imported, here; torch is pinned with torch.set_num_threads.
"""
import json
import sys
import time
import traceback

from .common import Config, set_clock
from .workloads import load


def main():
    cfg_d, out_path = json.loads(sys.argv[1]), sys.argv[2]
    only = cfg_d.pop("only")
    cfg_d["sides"] = tuple(cfg_d["sides"])
    cfg = Config(**cfg_d)
    set_clock(cfg.clock)
    results = []
    for name in only:
        mod = load(name)
        t0 = time.perf_counter()
        try:
            rows = [r.to_json() for r in mod.run(cfg)]
            err = None
        except Exception:
            rows, err = [], traceback.format_exc()
        dt = time.perf_counter() - t0
        results.append({"workload": name, "title": mod.TITLE, "rows": rows, "error": err,
                        "seconds": dt})
        status = "FAILED" if err else "ok"
        who = cfg.sides[0] if len(cfg.sides) == 1 else "all sides"
        print(f"  [{cfg.threads} thread{'s' if cfg.threads > 1 else ''}] {name:7s} {who:10s} {status} "
              f"({dt:.1f} s)", file=sys.stderr, flush=True)
        if err:
            print(err, file=sys.stderr, flush=True)
    with open(out_path, "w") as f:
        json.dump({"threads": cfg.threads, "results": results, "versions": versions()}, f)


def versions():
    import numpy as np

    v = {"numpy": np.__version__, "kernels": kernels()}  # before torch is imported below
    try:
        cfg = np.show_config(mode="dicts")
        v["numpy_blas"] = cfg.get("Build Dependencies", {}).get("blas", {}).get("name")
    except Exception:
        pass
    try:
        import torch

        v["torch"] = torch.__version__
        v["torch_threads"] = torch.get_num_threads()
    except Exception:
        v["torch"] = None
    try:
        import micrograd  # noqa: F401

        v["micrograd"] = "micrograd (PyPI)"
    except Exception:
        v["micrograd"] = "micrograd-style (bench/scalar_ref.py)"
    v["gradtable_models"] = {"mlp": "nn+optim", "cnn": "nn+optim"}
    return v



def _blas_pools():
    """threadpoolctl's view of the BLAS and OpenMP libraries loaded in this process."""
    try:
        from threadpoolctl import threadpool_info
    except Exception:
        return None
    return threadpool_info()


def kernels():
    """Per side that ran here: its BLAS library, kernel and thread count.

    numpy (and gradtable, which computes with numpy): OpenBLAS's version, the kernel it
    chose for this CPU (threadpoolctl's ``architecture``), its threads, and the
    OPENBLAS_CORETYPE this process saw. torch: its BLAS (from its build configuration),
    the CPU capability its kernels use, its intra-op threads. jax: see bench/jaxside.py.
    """
    import os

    out = {}
    pools = _blas_pools()
    if pools is None:
        blas = {"note": "threadpoolctl not installed (pip install gradtable[bench])"}
    else:
        np_blas = [p for p in pools if p.get("user_api") == "blas" and "numpy" in p.get("filepath", "")]
        p = (np_blas or [p for p in pools if p.get("user_api") == "blas"] or [{}])[0]
        blas = {"library": f"{p.get('internal_api')} {p.get('version')}", "kernel": p.get("architecture"),
                "threads": p.get("num_threads")}
    blas["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE", "unset")
    out["numpy"] = blas
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        cfg = torch.__config__.show()
        info = [x.split("=", 1)[1] for x in cfg.replace("\n", ",").split(",") if "BLAS_INFO=" in x]
        out["torch"] = {"library": info[0].strip() if info else "?",
                        "kernel": torch.backends.cpu.get_cpu_capability(),
                        "threads": torch.get_num_threads()}
    if "jax" in sys.modules:
        from .jaxside import describe

        d = describe()
        if d:
            out["jax"] = {"library": f"jax {d['version']} (XLA {d['backend']})",
                          "kernel": "XLA codegen for the host CPU", "threads": d["cores"]}
    return out


if __name__ == "__main__":
    main()

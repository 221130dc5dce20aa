#!/usr/bin/env bash
# The GPU check of issue 11, in one run (about 5 minutes on an H100/H200):
#   1. CuPy: use the one installed, else install the gpu extra (pip install ".[gpu]":
#      cupy-cuda12x), else wheels carried in .whl/ (no network on the device machine);
#   2. the device tests on cuda, in float32 and float64 (GRADTABLE_TEST_DEVICE=cuda):
#      the op table's parity and gradcheck rows, nn layers, optimizers, a CNN step;
#   3. the GPU benchmark against PyTorch CUDA (bench/gpu/bench_gpu.py).
# Usage, from the repository root:  bash bench/gpu/run_gpu.sh [OUTDIR]
# Writes OUTDIR/gpu_tests.log, OUTDIR/gpu_bench.md and OUTDIR/gpu_bench.md.json.
set -uo pipefail
OUTDIR=${1:-${OUT:-gpu_out}}
mkdir -p "$OUTDIR"
PY=${PYTHON:-python3}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 OPENBLAS_NUM_THREADS=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
if ! $PY -c "import cupy" 2>/dev/null; then
    echo "CuPy missing: installing the gpu extra"
    $PY -m pip install -q ".[gpu]" \
        || $PY -m pip install -q --no-index --find-links .whl cupy-cuda12x \
        || { echo "cannot install CuPy (no network and no wheels in .whl/)"; exit 2; }
fi
$PY - <<'PY' || exit 3
import cupy, numpy
import autograd as ag
print("cupy", cupy.__version__, "numpy", numpy.__version__, "GPUs", ag.cuda.device_count())
x = ag.randn(3, 3, device="cuda", requires_grad=True)
(x @ x).sum().backward()
print("smoke:", x.device, x.grad.device)
PY
GRADTABLE_TEST_DEVICE=cuda timeout 300 $PY -m pytest -q -p no:cacheprovider \
    tests/test_devices.py tests/autograd/test_device_optable.py 2>&1 | tee "$OUTDIR/gpu_tests.log" | tail -25
timeout 240 $PY -m bench.gpu.bench_gpu --device cuda --out "$OUTDIR/gpu_bench.md"

#!/usr/bin/env bash
# gradtable's two entry points. Each one sets up what it needs on a fresh machine:
# a virtual environment in .venv, the package with the extras for the job, and
# Graphviz's `dot` program (from Debian's packages) for the drawings; the tests also
# try to install Chromium for the browser test of the HTML step-through.
#
#   bash run.sh main [--help | options]   train a network from the notes end to end
#   bash run.sh test [pytest options]     run the whole test suite (and the notebooks)
set -euo pipefail
cd "$(dirname "$0")"

VENV="${GRADTABLE_VENV:-.venv}"
PY="$VENV/bin/python"

ensure_graphviz() {
  command -v dot >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
      echo "run.sh: installing Graphviz (apt-get) for the graph images..."
      { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq graphviz; } \
        >/dev/null 2>&1 || echo "run.sh: could not install graphviz; graph images will be skipped"
      return 0
    fi
  fi
  echo "run.sh: Graphviz's 'dot' is missing (install it: apt-get install graphviz / brew install graphviz);"
  echo "        everything works without it except writing graph images."
}

# Chromium and its driver, for the one test that opens the HTML step-through in a real
# browser; best effort: without them that test is skipped with the reason.
ensure_chromium() {
  command -v chromedriver >/dev/null 2>&1 && { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } && return 0
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
      echo "run.sh: installing Chromium (apt-get) for the browser test of the HTML step-through..."
      { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver; } \
        >/dev/null 2>&1 || echo "run.sh: could not install chromium; its browser test will be skipped"
      return 0
    fi
  fi
  echo "run.sh: Chromium is missing (apt-get install chromium chromium-driver); the browser test will be skipped."
}

ensure_venv() {  # $1: the extras to install
  local extras="$1" stamp="$VENV/.installed-$1"
  [ -x "$PY" ] || python3 -m venv "$VENV"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "run.sh: installing gradtable[$extras] into $VENV ..."
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
    "$PY" -m pip install -q --disable-pip-version-check -e ".[$extras]"
    touch "$stamp"
  fi
}

ensure_mpi() {  # best effort: without MPI the 2-rank tests skip, naming the reason
  local stamp="$VENV/.installed-mpi"
  [ -f "$stamp" ] && [ ! pyproject.toml -nt "$stamp" ] && return 0
  if "$PY" -m pip install -q --disable-pip-version-check --only-binary=:all: \
      "mpi4py>=4.0" "mpich>=4" >/dev/null 2>&1; then
    touch "$stamp"
  else
    echo "run.sh: could not install mpi4py and MPICH (gradtable[mpi]); the MPI tests will be skipped"
  fi
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  main)
    ensure_graphviz
    ensure_venv "train,data"
    exec "$PY" -m gradtable "$@"
    ;;
  test)
    ensure_graphviz
    ensure_chromium
    ensure_venv "all,ref"
    ensure_mpi
    # one BLAS thread per test worker: two workers on two cores, no oversubscription
    export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
    exec "$PY" -m pytest -n 2 --nbmake tests notebooks "$@"
    ;;
  *)
    echo "usage: bash run.sh main [options]   # train a network from the notes (see --help)"
    echo "       bash run.sh test [pytest options]"
    exit 2
    ;;
esac

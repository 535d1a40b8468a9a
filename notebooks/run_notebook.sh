#!/usr/bin/env bash
# Executes a notebook headless, as a person's "Run all" would, and fails on any error in any cell.
# The executed copy (with its outputs) goes to OUT_DIR; the notebook in the repo stays without.
# Exits 77 (ctest's skip) when Debian's jupyter packages are not installed.
# Usage: notebooks/run_notebook.sh NOTEBOOK.ipynb OUT_DIR
set -euo pipefail
nb="$1"
out="$2"
if ! command -v jupyter >/dev/null || ! jupyter nbconvert --version >/dev/null 2>&1; then
  echo "SKIP: jupyter nbconvert is not installed (apt-get install jupyter-nbconvert" \
       "python3-nbclient python3-ipykernel python3-matplotlib, or scripts/setup.sh deps)"
  exit 77
fi
# The kernel is Debian's python3 (/usr/share/jupyter/kernels/python3), whatever python3 is first
# on PATH.
if ! /usr/bin/python3 -c 'import ipykernel, matplotlib, nbclient' 2>/dev/null; then
  echo "SKIP: Debian's python3 lacks ipykernel, matplotlib or nbclient" \
       "(apt-get install python3-ipykernel python3-matplotlib python3-nbclient)"
  exit 77
fi
mkdir -p "$out"
export MPLBACKEND=module://matplotlib_inline.backend_inline
exec jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 \
  --output-dir "$out" "$nb"

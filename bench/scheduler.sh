#!/usr/bin/env bash
# Scheduler benchmark (see bench/scheduler.py): exact MILP optimum via HiGHS (highspy
# from PyPI, installed into bench/out/venv) on small instances, first-fit greedy on large
# ones. Results: bench/out/scheduler.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p chainatlas >/dev/null 2>&1
if [ ! -x bench/out/venv/bin/python ]; then
  python3 -m venv bench/out/venv
  bench/out/venv/bin/pip install --quiet highspy
fi
exec bench/out/venv/bin/python bench/scheduler.py

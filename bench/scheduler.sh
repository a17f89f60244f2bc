#!/usr/bin/env bash
# Scheduler benchmark (see bench/scheduler.py): exact MILP optimum via HiGHS (highspy
# from PyPI, installed into target/bench-venv-highs) on small instances, first-fit greedy
# on large ones. Results: bench/out/scheduler.txt. SMOKE=1: two small instances and one
# large one.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh scheduler
venv=target/bench-venv-highs
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import highspy' 2>/dev/null || "$venv/bin/pip" install -q 'highspy==1.16.0'
CHAINATLAS=$bin exec "$venv/bin/python" bench/scheduler.py

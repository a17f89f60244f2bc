#!/usr/bin/env bash
# Regenerates the networkx cross-check fixture of crates/analysis/tests/crosscheck.rs:
# a fresh `chainatlas demo --seed 2024` database, analysed by bench/crosscheck.py.
#   bench/crosscheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/python-env.sh
db=$(mktemp -d)/demo.db
cargo run -q -p chainatlas -- --db "$db" demo --seed 2024 >/dev/null
"$PYTHON" bench/crosscheck.py fixture "$db" crates/analysis/tests/fixtures/networkx-demo-2024.json
echo "wrote crates/analysis/tests/fixtures/networkx-demo-2024.json"

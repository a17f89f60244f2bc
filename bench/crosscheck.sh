#!/usr/bin/env bash
# Regenerates the networkx cross-check fixture of crates/analysis/tests/crosscheck.rs:
# a fresh `chainatlas demo --seed 2024` database, analysed by bench/crosscheck.py.
#   bench/crosscheck.sh
# SMOKE=1 writes the fixture to bench/out/smoke instead and fails unless it equals the
# committed one (the demo and networkx's answers have not drifted).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh crosscheck
source bench/python-env.sh
fixture=crates/analysis/tests/fixtures/networkx-demo-2024.json
target=$fixture
[ -n "${SMOKE:-}" ] && target="$out/networkx-demo-2024.json"
db=$(mktemp -d)/demo.db
trap 'rm -rf "$(dirname "$db")"' EXIT
$bin --db "$db" demo --seed 2024 >/dev/null
"$PYTHON" bench/crosscheck.py fixture "$db" "$target"
say "wrote $target"
if [ -n "${SMOKE:-}" ]; then
  cmp "$target" "$fixture" && say "equal to the committed $fixture"
fi

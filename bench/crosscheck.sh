#!/usr/bin/env bash
# Regenerates the networkx cross-check fixture of crates/analysis/tests/crosscheck.rs:
# a fresh `chainatlas demo --seed 2024` database, analysed by bench/crosscheck.py.
#   bench/crosscheck.sh
# SMOKE=1 writes the fixture to bench/out/smoke instead and fails unless its answers are
# the committed one's (the demo and networkx's answers have not drifted).
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
  # The same answers; which networkx wrote them may differ.
  "$PYTHON" - "$target" "$fixture" <<'PY'
import json, sys
made, kept = (json.load(open(p)) for p in sys.argv[1:])
for f in (made, kept):
    f.pop("generated_by", None)
sys.exit(0 if made == kept else "the regenerated fixture's answers differ from the committed one's")
PY
  say "the same answers as the committed $fixture"
fi

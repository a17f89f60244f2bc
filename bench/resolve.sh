#!/usr/bin/env bash
# Entity resolution at province scale and beside Splink.
#   bench/resolve.sh [N]        (N enterprises and N list rows, default 1000000; SMOKE=1 for 2000)
#   SHORT_NAMES=FILE.csv        also the real short-name task (e.g. the SZSE A股列表 as CSV),
#                               by the resolver and by `chainatlas match`
# 1. quality: `evaluate-resolve --demo` (variants of 20,000 demo firms, weights learned on
#    one half, judged on the other) and, with SHORT_NAMES, the real short-name task;
# 2. Splink 4 (DuckDB, from PyPI into target/bench-venv-splink) and Chain Atlas on the
#    same 20,000-row list against the same targets: F1, recall@1, time;
# 3. scale: an N-row list against N demo firms (names repeating as the demo model's do),
#    `chainatlas resolve --against`, wall time and peak RSS, scored against the truth.
# Results: bench/out/resolve.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
small=20000
[ -n "${SMOKE:-}" ] && n=2000 && small=2000
source bench/common.sh resolve
work="$out/resolve"
rm -rf "$work" && mkdir -p "$work"

say "## quality: chainatlas evaluate-resolve --demo --scale $small --inputs $small"
$bin evaluate-resolve --demo --scale "$small" --inputs "$small" | tee -a "$log"
if [ -n "${SHORT_NAMES:-}" ]; then
  say "## quality on real names: evaluate-resolve --short-names $SHORT_NAMES"
  $bin evaluate-resolve --short-names "$SHORT_NAMES" --column id=A股代码 \
    --column region=省份 --column region=城市 | tee -a "$log"
  say "## chainatlas match on the same names (short name as demand, legal names as supplies)"
  python3 bench/match_short_names.py "$bin" "$SHORT_NAMES" "$work/short-names" | tee -a "$log"
fi

say "## beside Splink: one $small-row list against its targets"
$bin evaluate-resolve --demo --scale "$small" --inputs "$small" --write "$work/small" 2>&1 | tee -a "$log"
start=$(date +%s.%N)
$bin --db "$work/unused.db" resolve --input "$work/small/inputs.csv" \
  --against "$work/small/targets.csv" --format csv >"$work/small/chainatlas-decisions.csv"
secs=$(echo "$(date +%s.%N) - $start" | bc)
say "chainatlas ($secs s wall): $(python3 bench/score_resolve.py "$work/small" "$work/small/chainatlas-decisions.csv")"
venv=target/bench-venv-splink
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import splink' 2>/dev/null || "$venv/bin/pip" install -q 'splink==4.0.17'
say "$(cd bench && ../$venv/bin/python splink_resolve.py "../$work/small" 2>/dev/null | tail -1)"

say "## scale: an $n-row list against $n demo firms"
$bin evaluate-resolve --demo --scale "$n" --inputs "$n" --repeated-names --held-out 0 \
  --write "$work/large" 2>&1 | tee -a "$log"
timed $bin --db "$work/unused.db" resolve --input "$work/large/inputs.csv" \
  --against "$work/large/targets.csv" --format csv --out "$work/large/decisions.csv"
say "scored: $(python3 bench/score_resolve.py "$work/large" "$work/large/decisions.csv")"

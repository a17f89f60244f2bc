#!/usr/bin/env bash
# Economic complexity at county scale, beside py-ecomplexity.
#   bench/complexity.sh [LOCATIONS] [PRODUCTS]   (default 3000 × 1400; SMOKE=1 for 60 × 40)
# 1. a seeded table of LOCATIONS counties × PRODUCTS industries (bench/complexity_peer.py);
# 2. `chainatlas complexity` with Stata's conventions and with py-ecomplexity's: wall time,
#    peak RSS, and its own phases (read, computed, written);
# 3. py-ecomplexity 0.5.2 (PyPI, into target/bench-venv-ecomplexity) on the same table:
#    wall time, the time ratio, and the largest difference of every column from each of ours.
# Results: bench/out/complexity.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
n_loc=${1:-3000}
n_prod=${2:-1400}
[ -n "${SMOKE:-}" ] && n_loc=60 && n_prod=40
source bench/common.sh complexity
work="$out/complexity"
rm -rf "$work" && mkdir -p "$work"
venv=target/bench-venv-ecomplexity
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import ecomplexity' 2>/dev/null || "$venv/bin/pip" install -q 'ecomplexity==0.5.2'

say "## table: $n_loc locations × $n_prod products"
"$venv/bin/python" bench/complexity_peer.py make "$n_loc" "$n_prod" "$work/table.csv"
say "$(($(wc -l <"$work/table.csv") - 1)) rows with a value, $(du -h "$work/table.csv" | cut -f1)"
for conventions in stata py-ecomplexity; do
  say "## chainatlas complexity --conventions $conventions"
  start=$(date +%s.%N)
  timed $bin complexity --input "$work/table.csv" --year year --format csv \
    --conventions "$conventions" --lang en --out "$work/ours-$conventions.csv"
  echo "$(date +%s.%N) - $start" | bc >"$work/wall-$conventions"
done
for conventions in stata py-ecomplexity; do
  say "## py-ecomplexity against chainatlas --conventions $conventions"
  "$venv/bin/python" bench/complexity_peer.py peer "$work/table.csv" "$work/ours-$conventions.csv" 2>/dev/null | tee "$work/peer-$conventions" | tee -a "$log"
  peer=$(sed -n 's/^py-ecomplexity: \([0-9.]*\) s wall.*/\1/p' "$work/peer-$conventions")
  ours=$(cat "$work/wall-$conventions")
  say "time ratio (py-ecomplexity wall / chainatlas wall, CSV output included): $(echo "scale=1; $peer / $ours" | bc)×"
done

#!/usr/bin/env bash
# Province-scale benchmark of the chain diagnostics, and the same region disruption in
# networkx side by side. Run on the database bench/scale.sh makes (or pass another):
#   bench/diagnostics.sh [DB] [CHAIN] [PROVINCE] [CITY]   (defaults: bench/out/scale.db rail 430000 430200;
#                                                          SMOKE=1: a 2,000-enterprise demo)
# Results: bench/out/diagnostics.txt. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-bench/out/scale.db}
chain=${2:-rail}
province=${3:-430000}
city=${4:-430200}
source bench/common.sh diagnostics
source bench/python-env.sh
if [ -n "${SMOKE:-}" ]; then
  db="$out/diagnostics.db"
  rm -rf "$db" "$db"-wal "$db"-shm
  $bin --db "$db" demo --scale 2000 >/dev/null
fi
run() { # label, args...
  local label=$1; shift
  say "## $label: chainatlas $*"
  /usr/bin/time -f "process: %e s wall, peak RSS %M KiB" $bin --db "$db" "$@" --format json 2>&1 >/dev/null | tee -a "$log"
}
say "database: $db ($(du -h "$db" | cut -f1))"
run "diagnosis, $chain x $province" diagnose --chain "$chain" --region "$province" --repeat 5
run "diagnosis, $chain x $city" diagnose --chain "$chain" --region "$city" --repeat 5
run "disruption of $province" disrupt --chain "$chain" --region "$province" --repeat 5
run "disruption of $city" disrupt --chain "$chain" --region "$city" --repeat 5
run "top-100 chokepoints, 1 thread" chokepoints --chain "$chain" --top 100 --threads 1
run "top-100 chokepoints, default threads" chokepoints --chain "$chain" --top 100
run "attraction targets, $chain x $province" attract --chain "$chain" --region "$province" --repeat 3
say "## networkx: the disruption of $province in $chain"
"$PYTHON" bench/crosscheck.py bench "$db" "$chain" "$province" | tee -a "$log"

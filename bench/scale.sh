#!/usr/bin/env bash
# Province-scale benchmark of the foundation: demo generation, export, import and server
# start-up on 1,000,000 enterprises and ~10,000,000 supply relations.
#   bench/scale.sh [N]        (default N = 1000000; SMOKE=1: 2000; results in bench/out/scale.txt)
# Needs GNU time (/usr/bin/time, Debian package `time`) for peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
[ -n "${SMOKE:-}" ] && n=2000
source bench/common.sh scale
rm -rf "$out/scale.db"* "$out/imported.db"* "$out/bundle"
say "## demo --scale $n"
timed_quiet $bin --db "$out/scale.db" demo --scale "$n"
say "database size: $(du -h "$out/scale.db" | cut -f1)"
$bin --db "$out/scale.db" stats | tee -a "$log"
say "## export to a CSV folder"
timed_quiet $bin --db "$out/scale.db" export "$out/bundle"
say "bundle size: $(du -sh "$out/bundle" | cut -f1)"
say "## import of the CSV folder"
timed_quiet $bin --db "$out/imported.db" import "$out/bundle"
say "imported database size: $(du -h "$out/imported.db" | cut -f1)"
bench/serve.sh "$out/scale.db" | tee -a "$log"

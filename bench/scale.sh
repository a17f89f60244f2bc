#!/usr/bin/env bash
# Province-scale benchmark of the foundation: demo generation, export, import and server
# start-up on 1,000,000 enterprises and ~10,000,000 supply relations.
#   bench/scale.sh [N]        (default N = 1000000; results in bench/out/)
# Needs GNU time (/usr/bin/time, Debian package `time`) for peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=bench/out
mkdir -p "$out"
rm -rf "$out/scale.db"* "$out/imported.db"* "$out/bundle"
cargo build --release -p chainatlas >/dev/null 2>&1
bin=target/release/chainatlas
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %U s user, peak RSS %M KiB" "$@" 2>&1 >/dev/null | grep -E "^$label:|^error" | tee -a "$out/results.txt"
}
: > "$out/results.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" | tee -a "$out/results.txt"
measure "demo --scale $n" $bin --db "$out/scale.db" demo --scale "$n"
echo "database size: $(du -h "$out/scale.db" | cut -f1)" | tee -a "$out/results.txt"
$bin --db "$out/scale.db" stats | tee -a "$out/results.txt"
measure "export to CSV folder" $bin --db "$out/scale.db" export "$out/bundle"
echo "bundle size: $(du -sh "$out/bundle" | cut -f1)" | tee -a "$out/results.txt"
measure "import of the CSV folder" $bin --db "$out/imported.db" import "$out/bundle"
echo "imported database size: $(du -h "$out/imported.db" | cut -f1)" | tee -a "$out/results.txt"

bench/serve.sh "$out/scale.db" | tee -a "$out/results.txt"

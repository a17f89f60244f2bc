#!/usr/bin/env bash
# Opportunities at province scale, on the command line and through the real server:
# the landscape and a region's new boards (by chain node and by industry class), the
# analysts' pages and their API, first and again. Wall time of each, the server's peak RSS.
#   bench/opportunities.sh [N]   (default 1000000 enterprises; SMOKE=1: 2000)
# The generated atlas is kept between runs (bench/out/opportunities-N.db).
# Results: bench/out/opportunities.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
[ -n "${SMOKE:-}" ] && n=2000
source bench/common.sh opportunities
db="$out/opportunities-$n.db"
if [ ! -f "$db" ]; then
  say "## generating: chainatlas demo --scale $n"
  timed_quiet $bin --db "$db" demo --scale "$n"
fi
say "## $n enterprises; Zhuzhou (430200) among the cities"
say "## command line, 3 runs each (graph load first)"
timed_quiet $bin --db "$db" opportunities --region 430200 --repeat 3 --format json
timed_quiet $bin --db "$db" opportunities --region 430200 --by industry --repeat 3 --format json
port=18093
$bin --db "$db" serve --addr 127.0.0.1:$port >"$out/opportunities-serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_ready "http://127.0.0.1:$port"
token=$(token analyst)
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status"; }
request() {
  local path=$1
  local stats
  stats=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path")
  say "GET $path: HTTP ${stats%% *}, $(echo "$stats" | cut -d' ' -f2) s, $(echo "$stats" | cut -d' ' -f3) bytes, server peak RSS $(hwm)"
}
for round in first again; do
  say "## $round"
  request "/opportunities?region=430200"
  request "/opportunities/industries?region=430200"
  request "/api/v1/regions/430200/opportunities"
  request "/api/v1/regions/430200/industry-opportunities"
  request "/opportunities?region=430200&format=xlsx"
done
say "## five other cities"
for city in 430100 420100 140100 440100 440300; do
  request "/opportunities?region=$city"
done
request "/api/v1/regions/430200/opportunities?level=county"

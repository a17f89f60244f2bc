#!/usr/bin/env bash
# Enterprise services at province scale: the demo's year of appeals, visits and
# assessments over N enterprises (one appeal per five firms, visits to a third, an
# assessment by one in six), then the blocking-point report and the assessment roll-up on
# the command line, and the pages and API through the real server (first and again).
# Wall time of each, the server's peak RSS.
#   bench/services.sh [N]   (default 1000000 enterprises; SMOKE=1: 2000)
# The generated atlas is kept between runs (bench/out/services-N.db).
# Results: bench/out/services.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
[ -n "${SMOKE:-}" ] && n=2000
source bench/common.sh services
db="$out/services-$n.db"
if [ ! -f "$db" ]; then
  say "## generating: chainatlas demo --scale $n (with its services)"
  timed_quiet $bin --db "$db" demo --scale "$n"
fi
counts=$(sqlite3 "$db" "select (select count(*) from appeals) || ' appeals, ' || (select count(*) from appeal_steps) || ' steps, ' || (select count(*) from visits) || ' visits, ' || (select count(*) from assessments) || ' assessments'")
say "## $n enterprises: $counts"
today=2026-11-01
say "## command line"
for by in category node region month; do
  say "appeals report --by $by (all regions)"
  timed_quiet $bin --db "$db" appeals report --by "$by" --today $today --format json
done
say "appeals report --by node --chain rail --region 430000"
timed_quiet $bin --db "$db" appeals report --by node --chain rail --region 430000 --today $today --format json
say "appeals report --out xlsx"
timed_quiet $bin --db "$db" appeals report --today $today --out "$out/services-blocking.xlsx"
say "assessments report (all)"
timed_quiet $bin --db "$db" assessments report --format json
say "assessments report --region 430000 --chain rail"
timed_quiet $bin --db "$db" assessments report --region 430000 --chain rail --format json
say "appeals escalate"
timed_quiet $bin --db "$db" appeals escalate
port=18094
$bin --db "$db" serve --addr 127.0.0.1:$port >"$out/services-serve.log" 2>&1 &
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
appeal=$(sqlite3 "$db" "select max(id) from appeals")
say "## the chain diagnosis with its blocking points; the first waits for the server's warm-up (graph load)"
request "/api/v1/chains/rail/diagnosis?region=430200"
request "/api/v1/chains/rail/diagnosis?region=430200"
for round in first again; do
  say "## $round"
  request "/api/v1/blocking-points?by=category"
  request "/api/v1/blocking-points?by=node&chain=rail&region=430000"
  request "/services/blocking?by=region"
  request "/services/appeals?state=open"
  request "/api/v1/appeals?state=open&region=430200"
  request "/services/appeals/$appeal"
  request "/api/v1/assessments/rollup?region=430000"
  request "/services/visits"
  request "/api/v1/visits/unvisited?region=430200"
done

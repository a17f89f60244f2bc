#!/usr/bin/env bash
# Province-scale benchmark of matchmaking: 1,000,000 enterprises, 10M supply relations and
# 2.3M listings, of which about 1.04M are supplies.
#   bench/matching.sh [DB]   (default bench/out/match.db, generated when missing;
#                            SMOKE=1: a 2,000-enterprise demo, 1 s under wrk)
# Measures: index build time and size; single-demand top-20 latency (p50/p95/p99);
# `match --all` for 10,000 demands; HTTP throughput of the match endpoint under wrk.
# Results: bench/out/matching.txt. Run it on an otherwise idle machine; needs wrk
# (Debian: apt-get install wrk) and python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-bench/out/match.db}
source bench/common.sh matching
scale=1000000 listings=2300000 demands=10000 warmup=${WARMUP_SECONDS:-100} short=10s long=30s
if [ -n "${SMOKE:-}" ]; then
  db="$out/match.db" scale=2000 listings=4000 demands=100 warmup=0 short=1s long=1s
  rm -rf "$db" "$db"-wal "$db"-shm "$db".index*
fi
if [ ! -f "$db" ]; then
  say "## generating: chainatlas demo --scale $scale --listings $listings"
  timed_quiet $bin --db "$db" demo --scale $scale --listings $listings
fi
say "database: $db ($(du -h "$db" | cut -f1)); listings by side and status:"
python3 - "$db" <<'PY' | tee -a "$log"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for side, status, n in c.execute("SELECT side, status, COUNT(*) FROM listings GROUP BY side, status"):
    print(f"  {side:7} {status:7} {n:>9}")
PY
say "## index build: chainatlas index rebuild"
timed $bin --db "$db" index rebuild
say "  index size: $(du -sh "$db.index" | cut -f1)"
today=2026-11-01
say "## single-demand ranking, top 20, one thread: chainatlas match --latency 1000 --top 20"
$bin --db "$db" match --latency 1000 --top 20 --today $today | tee -a "$log"
say "## match --all for $demands demands, top 20, all cores"
timed $bin --db "$db" match --all --max-demands $demands --top 20 --today $today --out "$out/matches-$demands.csv"
say "## HTTP: GET /api/v1/listings/{id}/matches?top=20 under wrk, 1,000 demand ids in rotation"
port=8199
token=$(token analyst)
$bin --db "$db" serve --addr 127.0.0.1:$port >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/listings?limit=1" >/dev/null && break
  sleep 1
done
python3 - "$db" "$token" > "$out/matches.lua" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
ids = [r[0] for r in c.execute("SELECT id FROM listings WHERE side='demand' AND status='open' ORDER BY id")]
step = max(1, len(ids) // 1000)
chosen = ids[::step][:1000]
print("local ids = {" + ",".join(map(str, chosen)) + "}")
print("local n = 0")
print("request = function()")
print("  n = n + 1")
print("  local id = ids[(n % #ids) + 1]")
print("  return wrk.format('GET', '/api/v1/listings/' .. id .. '/matches?top=20', {['Authorization'] = 'Bearer %s'})" % sys.argv[2])
print("end")
PY
# The server warms its caches in the background after start-up (at this scale the supply
# graph of 10M relations takes over a minute of one core); measuring during it halves the
# throughput. Wait it out, then warm the atlas facts and the OS page cache of the index.
sleep "$warmup"
# Warm the caches (the atlas facts, the OS page cache of the index) before measuring.
wrk -t2 -c8 -d$short -s "$out/matches.lua" "http://127.0.0.1:$port" >/dev/null
wrk -t2 -c16 -d$long --latency -s "$out/matches.lua" "http://127.0.0.1:$port" | tee -a "$log"

#!/usr/bin/env bash
# Mixed load on the demo database: 200 connections on loopback for 60 s (wrk, 2 threads),
# each request drawn at random: 5 % listing creates (POST /api/v1/listings), 30 % match
# queries, 20 % event pages, 20 % listing searches, 25 % chain pages and API reads.
# Every create the server acknowledged (201) is read back afterwards: lost or changed
# ones are counted (must be 0).
#   bench/load.sh [CONNECTIONS] [SECONDS]      (default 200 60)
#   BACKEND=postgres bench/load.sh ...         the same on PostgreSQL (a temporary server,
#                                              bench/on-postgres.sh), results in load-postgres.txt
#   SMOKE=1 bench/load.sh                      (4 connections, 3 s: checks the script runs)
# The server starts on a new database, fills it with the demo atlas, and the script signs
# in with API tokens and reads the ids it draws from through the API. Needs wrk (Debian:
# apt-get install wrk) and python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BACKEND:-sqlite}" = postgres ]; then source bench/on-postgres.sh "$0" "$@"; fi
connections=${1:-200}
seconds=${2:-60}
[ "${1:-}" = "--smoke" ] && SMOKE=1
[ -n "${SMOKE:-}" ] && connections=4 && seconds=3
source bench/common.sh "load${BACKEND:+-$BACKEND}"
if [ "${BACKEND:-sqlite}" = postgres ]; then
  db=$CHAINATLAS_TEST_POSTGRES
else
  db="$out/load.db"
  rm -rf "$db" "$db-wal" "$db-shm" "$db.index"*
fi
rm -f "$out"/load-created-*.jsonl
port=${PORT:-8196}
base="http://127.0.0.1:$port"
$bin --db "$db" serve --addr 127.0.0.1:$port >"$out/load-serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_ready "$base"
firm=$(token enterprise)
analyst=$(token analyst)
# Let the server's background warm-up (caches, listing index) finish first.
for _ in $(seq 1 600); do
  curl -sf -o /dev/null -H "Authorization: Bearer $analyst" "$base/api/v1/listings?limit=1" && break
  sleep 0.2
done
python3 - "$base" "$firm" "$analyst" "$out" > "$out/load.lua" <<'PY'
import json, sys, urllib.request
base, firm, analyst, out = sys.argv[1:]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + analyst})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())
def items(page):
    return page["items"] if isinstance(page, dict) else page
demands = []
for offset in range(0, 500, 100):
    demands += [l["id"] for l in items(get(f"/api/v1/listings?side=demand&status=open&limit=100&offset={offset}"))]
events = [e["id"] for e in items(get("/api/v1/events"))]
chains = [c["chain"]["code"] for c in items(get("/api/v1/chains"))]
assert demands and events and chains, (len(demands), len(events), len(chains))
lua = lambda xs: "{" + ",".join(repr(x) if isinstance(x, str) else str(x) for x in xs) + "}"
print(f"""
local demands = {lua(demands)}
local events = {lua(events)}
local chains = {lua(chains)}
local words = {{"激光切割机", "轴承", "动力电池", "变频器", "igbt", "数控机床", "齿轮箱"}}
local out = "{out}"
local n = 0
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end
function init(args)
  math.randomseed(id * 7919)
  created = io.open(out .. "/load-created-" .. id .. ".jsonl", "w")
end
local function pick(t) return t[math.random(#t)] end
local read = {{["Authorization"] = "Bearer {analyst}"}}
local write = {{["Authorization"] = "Bearer {firm}", ["Content-Type"] = "application/json"}}
function request()
  n = n + 1
  local r = math.random(100)
  if r <= 5 then
    local body = '{{"side":"supply","kind":"product","title":"负载测试 t' .. id .. ' #' .. n .. '","description":"混合负载","region_code":"430200"}}'
    return wrk.format("POST", "/api/v1/listings", write, body)
  elseif r <= 35 then
    return wrk.format("GET", "/api/v1/listings/" .. pick(demands) .. "/matches?top=20", read)
  elseif r <= 55 then
    return wrk.format("GET", "/events/" .. pick(events), read)
  elseif r <= 75 then
    return wrk.format("GET", "/api/v1/listings?q=" .. pick(words) .. "&limit=20", read)
  elseif r <= 90 then
    return wrk.format("GET", "/chains/" .. pick(chains) .. "?region=430000", read)
  else
    return wrk.format("GET", "/api/v1/chains", read)
  end
end
function response(status, headers, body)
  if status == 201 then created:write(body, "\\n") end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests: %d in %.1f s = %.0f/s; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors: connect %d, read %d, write %d, timeout %d, non-2xx/3xx %d\\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
""")
PY
say "## wrk -t2 -c$connections -d${seconds}s --timeout 10s: 5 % creates, 30 % matches, 20 % event pages, 20 % searches, 25 % chain pages and API"
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$out/load.lua" "$base" | tee -a "$log"
say "## acknowledged creates read back"
cat "$out"/load-created-*.jsonl > "$out/load-created.jsonl"
python3 - "$base" "$analyst" "$out/load-created.jsonl" <<'PY' | tee -a "$log"
import json, sys, urllib.error, urllib.request
base, token, path = sys.argv[1:]
lost = changed = n = 0
for line in open(path):
    if not line.strip():
        continue
    n += 1
    w = json.loads(line)
    req = urllib.request.Request(f"{base}/api/v1/listings/{w['id']}", headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            stored = json.loads(r.read())
        if stored["title"] != w["title"] or stored["enterprise_id"] != w["enterprise_id"]:
            changed += 1
    except urllib.error.HTTPError:
        lost += 1
ids = len({json.loads(l)["id"] for l in open(path) if l.strip()})
print(f"acknowledged creates: {n}, distinct ids: {ids}; lost: {lost}; changed: {changed}")
sys.exit(1 if lost or changed or ids != n else 0)
PY
# The index is built once at start-up (it is missing in a new database); any rebuild after
# that ("behind the database") would mean writes were not replayed.
say "full listing-index rebuilds after start-up: $(grep -c 'behind the database' "$out/load-serve.log" || true)"

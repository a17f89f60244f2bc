#!/usr/bin/env bash
# A server on an existing database, signed in with an analyst's API token:
#   - start to /healthz answering, and start to the first chain diagnosis answered (the
#     supply graph ready);
#   - pages and API, first and again;
#   - a write followed by a diagnosis: one supply relation's annual value changed through
#     PUT /api/v1/records/supply_relations/ID, then the chain's diagnosis asked for again
#     (the graph must follow the write), three times;
#   - a change of the chain structure (a node and an input link added, then taken off),
#     each followed by the diagnosis.
#   bench/serve.sh [DB] [CHAIN] [REGION]   (defaults bench/out/scale.db from bench/scale.sh,
#                                          nev, 430000; SMOKE=1: a 2,000-enterprise demo)
# Results: bench/out/serve.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-bench/out/scale.db}
chain=${2:-nev}
region=${3:-430000}
source bench/common.sh serve
if [ -n "${SMOKE:-}" ]; then
  db="$out/serve.db"
  rm -rf "$db" "$db"-wal "$db"-shm "$db".index*
  $bin --db "$db" demo --scale 2000 >/dev/null
fi
port=${PORT:-18080}
base="http://127.0.0.1:$port"
analyst=$(token analyst)
get() { # PATH: HTTP status and seconds
  curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $analyst" "$base$1"
}
say "database: $db ($(du -h "$db" | cut -f1)); chain $chain, region $region"
start=$(date +%s.%N)
$bin --db "$db" serve --addr 127.0.0.1:$port >"$out/serve-serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_ready "$base"
say "server start to /healthz answering: $(echo "$(date +%s.%N) - $start" | bc) s"
diagnosis="/api/v1/chains/$chain/diagnosis?region=$region"
status=$(get "$diagnosis")
[ "${status%% *}" = 200 ] || { say "GET $diagnosis: HTTP ${status%% *}"; exit 1; }
say "server start to the first diagnosis answered: $(echo "$(date +%s.%N) - $start" | bc) s"
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status"; }
# The rest is measured once the server's warm-up is over (its log says how it got the
# supply graph when it is), so that it does not share the cores with the measurements.
for _ in $(seq 1 6000); do grep -q "supply graph" "$out/serve-serve.log" && break; sleep 0.1; done
say "warm-up: $(grep -m1 "supply graph" "$out/serve-serve.log" || echo "not over after 10 minutes")"
for round in first again; do
  for path in "/" "/chains" "/chains?region=$region" "/chains/$chain?region=$region" \
    "/api/v1/chains/$chain/map?region=$region" "/enterprises/1" "$diagnosis"; do
    status=$(get "$path")
    [ "${status%% *}" = 200 ] || { say "GET $path: HTTP ${status%% *}"; exit 1; }
    say "GET $path ($round): ${status#* } s"
  done
done
say "## a write, then the diagnosis (the graph follows the write)"
admin=$(token admin)
# The first supply relation of the first enterprise that has suppliers.
relation=$(python3 - "$base" "$analyst" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1:]
for e in range(1, 200):
    req = urllib.request.Request(f"{base}/api/v1/enterprises/{e}/suppliers?limit=1",
                                 headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            items = json.loads(r.read())["items"]
    except Exception:
        continue
    if items:
        print(items[0]["relation_id"])
        break
PY
)
[ -n "$relation" ] || { say "no enterprise among the first 200 has a supplier"; exit 1; }
for round in 1 2 3; do
  record=$(curl -sf -H "Authorization: Bearer $admin" "$base/api/v1/records/supply_relations/$relation")
  body=$(python3 -c 'import json,sys; f=json.loads(sys.argv[1])["fields"]; f["annual_value"]=str(int(float(f["annual_value"]))+int(sys.argv[2])*10000); print(json.dumps(f))' "$record" "$round")
  t0=$(date +%s.%N)
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' -d "$body" "$base/api/v1/records/supply_relations/$relation")
  [ "$code" = 200 ] || { say "PUT supply relation $relation: HTTP $code"; exit 1; }
  t1=$(date +%s.%N)
  status=$(get "$diagnosis")
  [ "${status%% *}" = 200 ] || { say "GET $diagnosis: HTTP ${status%% *}"; exit 1; }
  t2=$(date +%s.%N)
  say "write $round (relation $relation): PUT $(echo "$t1 - $t0" | bc) s, then the diagnosis $(echo "$t2 - $t1" | bc) s, in all $(echo "$t2 - $t0" | bc) s"
  status=$(get "/chains?region=$region")
  [ "${status%% *}" = 200 ] || { say "GET /chains?region=$region: HTTP ${status%% *}"; exit 1; }
  say "  then the chain list /chains?region=$region: ${status#* } s"
done
say "## a change of the chain structure, then the diagnosis (the graph takes it on in place)"
# A node added to the chain with an input link into its first node, then both taken off.
read -r chain_id first_node < <(python3 - "$base" "$analyst" "$chain" "$region" <<'PY'
import json, sys, urllib.request
base, token, chain, region = sys.argv[1:]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())
chains = get("/api/v1/chains")
chain_id = next(c["chain"]["id"] for c in chains if c["chain"]["code"] == chain)
nodes = get(f"/api/v1/chains/{chain}/map?region={region}")["nodes"]
print(chain_id, nodes[0]["node"]["id"])
PY
)
send() { # METHOD PATH [BODY]: the response body; fails on an unexpected status
  curl -sf -X "$1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$base$2"
}
t0=$(date +%s.%N)
node=$(send POST /api/v1/records/chain_nodes \
  "{\"chain_id\":$chain_id,\"code\":\"bench-structure-$$\",\"name_zh\":\"基准测试环节\",\"segment\":\"upstream\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
send POST /api/v1/records/node_inputs "{\"input_node_id\":$node,\"output_node_id\":$first_node}" >/dev/null
t1=$(date +%s.%N)
status=$(get "$diagnosis")
[ "${status%% *}" = 200 ] || { say "GET $diagnosis: HTTP ${status%% *}"; exit 1; }
t2=$(date +%s.%N)
say "a node and an input link added: POST ×2 $(echo "$t1 - $t0" | bc) s, then the diagnosis $(echo "$t2 - $t1" | bc) s"
t0=$(date +%s.%N)
send DELETE "/api/v1/records/node_inputs/$node-$first_node" >/dev/null
send DELETE "/api/v1/records/chain_nodes/$node" >/dev/null
t1=$(date +%s.%N)
status=$(get "$diagnosis")
[ "${status%% *}" = 200 ] || { say "GET $diagnosis: HTTP ${status%% *}"; exit 1; }
t2=$(date +%s.%N)
say "both taken off again: DELETE ×2 $(echo "$t1 - $t0" | bc) s, then the diagnosis $(echo "$t2 - $t1" | bc) s"
say "server peak RSS: $(hwm)"

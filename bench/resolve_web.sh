#!/usr/bin/env bash
# Entity resolution in the office at province scale, through the real server: a 20,000-row
# list uploaded, mapped and resolved against N enterprises, its first review page, the
# commit and its undo; the duplicates within the atlas; a merge and its undo. Wall time
# of each request and the server's peak RSS.
#   bench/resolve_web.sh [N] [ROWS]   (default 1000000 enterprises, 20000 rows; SMOKE=1: 2000, 200)
# Results: bench/out/resolve-web.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
rows=${2:-20000}
[ -n "${SMOKE:-}" ] && n=2000 && rows=200
source bench/common.sh resolve-web
work="$out/resolve-web"
rm -rf "$work" && mkdir -p "$work"
# The generated atlas is kept between runs (bench/out/resolve-web-N.db); its copy is used.
base_db="$out/resolve-web-$n.db"
[ -f "$base_db" ] || $bin --db "$base_db" demo --scale "$n" >/dev/null
db="$work/atlas.db"
cp "$base_db" "$db"
say "## $n enterprises, a $rows-row list"
python3 bench/list_from_db.py "$db" "$rows" "$work/list.csv"
port=18091
$bin --db "$db" serve --addr 127.0.0.1:$port >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_ready "http://127.0.0.1:$port"
token=$(token admin)
auth="Authorization: Bearer $token"
api="http://127.0.0.1:$port/api/v1"
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status"; }
# request LABEL CURL-ARGS...: times one request, keeps its answer in $work/LABEL.json and
# its HTTP status in $status
request() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  status=$(curl -s -o "$work/$label.json" -w '%{http_code}' -H "$auth" "$@")
  t1=$(date +%s.%N)
  say "$label: HTTP $status, $(echo "$t1 - $t0" | bc) s, server peak RSS $(hwm)"
}
say "server ready, peak RSS $(hwm)"
request upload -H 'Content-Type: application/octet-stream' --data-binary "@$work/list.csv" "$api/resolutions?name=list.csv"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")
request mapping-and-resolve -H 'Content-Type: application/json' -d '{}' "$api/resolutions/$id/mapping"
say "  counts: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"])' "$work/mapping-and-resolve.json")"
request review-page "http://127.0.0.1:$port/resolutions/$id?decision=review"
request commit -X POST "$api/resolutions/$id/commit"
if [ "$status" = 409 ]; then
  # Refused, every row named: rows proposed as new without a credit code cannot be added.
  say "  $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["error"]["message"]; print(m[:160])' "$work/commit.json")"
  request skip-new -H 'Content-Type: application/json' -d '{"decision": "new", "choice": "skip"}' "$api/resolutions/$id/rows"
  request skip-review -H 'Content-Type: application/json' -d '{"decision": "review", "choice": "skip"}' "$api/resolutions/$id/rows"
  request commit-again -X POST "$api/resolutions/$id/commit"
  say "  counts: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"])' "$work/commit-again.json")"
fi
request undo -X POST "$api/resolutions/$id/undo"
request duplicates "$api/duplicates"
say "  pairs: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/duplicates.json")"
request duplicates-cached "$api/duplicates"
request merge -H 'Content-Type: application/json' -d '{"survivor": 2, "merged": 3}' "$api/merges"
merge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/merge.json")
request merge-undo -X POST "$api/merges/$merge/undo"

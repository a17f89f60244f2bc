#!/usr/bin/env bash
# A 100,000-enterprise workbook through the web: upload and preview, then commit the
# preview, against `serve` on the demo database; wall time and the server's peak RSS.
#   bench/import_web.sh [N]      (N enterprises, default 100000; SMOKE=1 for 200)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
[ -n "${SMOKE:-}" ] && n=200
source bench/common.sh import-web
out="$out/import-web"
rm -rf "$out" && mkdir -p "$out"
venv=target/bench-venv-xlsx
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import xlsxwriter' 2>/dev/null || "$venv/bin/pip" install -q 'XlsxWriter==3.2.0'
"$venv/bin/python" bench/enterprise_workbook.py "$n" "$out/enterprises.xlsx"
say "workbook: $n enterprises, $(du -h "$out/enterprises.xlsx" | cut -f1)"
db="$out/atlas.db"
port=18090
$bin --db "$db" serve --addr 127.0.0.1:$port >"$out/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_ready "http://127.0.0.1:$port"
token=$(token admin)
auth="Authorization: Bearer $token"
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status"; }
say "server ready, peak RSS so far $(hwm)"
t0=$(date +%s.%N)
curl -sf -H "$auth" -H 'Content-Type: application/octet-stream' --data-binary "@$out/enterprises.xlsx" \
  "http://127.0.0.1:$port/api/v1/imports?mode=preview&name=enterprises.xlsx" >"$out/preview.json"
t1=$(date +%s.%N)
id=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["id"]); assert r["state"]=="done", r["state"]' "$out/preview.json")
say "preview (upload, read, check, compare, roll back): $(echo "$t1 - $t0" | bc) s, peak RSS $(hwm)"
curl -sf -X POST -H "$auth" "http://127.0.0.1:$port/api/v1/imports/$id/commit" >"$out/commit.json"
commit=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$out/commit.json")
until python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["state"]!="running" else 1)' \
  < <(curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/imports/$commit"); do sleep 0.2; done
t2=$(date +%s.%N)
state=$(curl -sf -H "$auth" "http://127.0.0.1:$port/api/v1/imports/$commit" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["state"], r["changes"][0]["added"])')
say "commit of the preview: $(echo "$t2 - $t1" | bc) s ($state added), peak RSS $(hwm)"

#!/usr/bin/env bash
# Crash test: kills the server with SIGKILL in the middle of a stream of API writes,
# restarts it, and counts acknowledged writes that are gone or changed (must be 0).
#   bench/crash.sh [ROUNDS] [SECONDS]      (default 5 rounds of 4 s of writing; SMOKE=1: 1 round of 2 s)
# Each round: 8 clients create listings and agreements and update listings as fast as the
# server answers; every write answered 201/200 is recorded with what it wrote; after
# SECONDS the server is killed with SIGKILL (no shutdown, no flush), restarted on the same
# database, and every acknowledged write is read back. Results: bench/out/crash.txt.
# SQLite runs in WAL mode with synchronous=NORMAL: a committed write survives the process
# being killed (this test); surviving a power cut would need synchronous=FULL.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
seconds=${2:-4}
[ -n "${SMOKE:-}" ] && rounds=1 && seconds=2
source bench/common.sh crash
db="$out/crash.db"
rm -rf "$db" "$db-wal" "$db-shm" "$db.index"
port=8197
base="http://127.0.0.1:$port"

start_server() {
  $bin --db "$db" serve --addr 127.0.0.1:$port >>"$out/crash-serve.log" 2>&1 &
  server=$!
  wait_ready "$base"
}

start_server # creates the demo database
trap 'kill -9 $server 2>/dev/null || true' EXIT
firm=$(token enterprise)
admin=$(token admin)
say "## $rounds rounds: 8 clients write for $seconds s, then SIGKILL, restart, read back"
acked="$out/crash-acked.jsonl"
: > "$acked"
for round in $(seq 1 "$rounds"); do
  python3 - "$base" "$firm" "$acked" "$round" "$seconds" <<'PY' &
import json, sys, threading, time, urllib.error, urllib.request
base, token, acked, round_no, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
lock = threading.Lock()
out = open(acked, "a")
def call(method, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read())
def record(kind, id_, fields, state="acked"):
    with lock:
        out.write(json.dumps({"state": state, "kind": kind, "id": id_, **fields}, ensure_ascii=False) + "\n")
        out.flush()
def client(n):
    deadline = time.time() + seconds + 30
    k = 0
    mine = []
    while time.time() < deadline:
        k += 1
        title = f"崩溃测试 r{round_no} c{n} #{k}"
        try:
            if k % 5 == 0 and mine:
                lid = mine[-1]
                record("listing", lid, {"title": title}, state="sent")
                status, l = call("PUT", f"/api/v1/listings/{lid}", {"side": "supply", "kind": "product",
                    "title": title, "region_code": "430200"})
                if status == 200:
                    record("listing", lid, {"title": title})
            elif k % 7 == 0:
                status, a = call("POST", "/api/v1/agreements", {"title": title, "buyer_id": "1", "supplier_id": "2",
                    "value_yuan": str(k), "status": "intended", "intended_on": "2099-01-01"})
                if status == 201:
                    record("agreement", a["id"], {"title": title})
            else:
                status, l = call("POST", "/api/v1/listings", {"side": "supply", "kind": "product",
                    "title": title, "region_code": "430200"})
                if status == 201:
                    mine.append(l["id"])
                    record("listing", l["id"], {"title": title})
        except urllib.error.HTTPError:
            continue  # refused (a rule, a limit): not acknowledged, nothing to check
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            return  # the server went away: stop, as a client would
threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join()
PY
  writers=$!
  sleep "$seconds"
  kill -9 $server
  wait $server 2>/dev/null || true
  wait $writers || true
  start_server
done
python3 - "$base" "$admin" "$acked" <<'PY' | tee -a "$log"
import json, sys, urllib.error, urllib.request
base, token, acked = sys.argv[1], sys.argv[2], sys.argv[3]
last = {}   # the last acknowledged title of each record
later = {}  # titles sent to it after that, whose answer never came
for line in open(acked):
    w = json.loads(line)
    key = (w["kind"], w["id"])
    if w["state"] == "acked":
        last[key] = w["title"]
        later[key] = set()
    else:
        later.setdefault(key, set()).add(w["title"])
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())
agreements = {a["id"]: a["title"] for a in get("/api/v1/agreements")}
lost = changed = unacknowledged = 0
for (kind, id_), title in last.items():
    if kind == "agreement":
        found = agreements.get(id_)
    else:
        try:
            found = get(f"/api/v1/listings/{id_}")["title"]
        except urllib.error.HTTPError:
            found = None
    if found is None:
        lost += 1
    elif found != title and found in later.get((kind, id_), ()):
        unacknowledged += 1  # a later update committed as the server died, its answer lost
    elif found != title:
        changed += 1
writes = sum(1 for line in open(acked) if '"acked"' in line)
print(f"acknowledged writes: {writes} ({len(last)} records); lost: {lost}; changed: {changed}; "
      f"committed but not acknowledged (killed before it answered): {unacknowledged}")
sys.exit(1 if lost or changed else 0)
PY

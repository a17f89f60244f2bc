#!/usr/bin/env bash
# Server start-up and first requests on an existing database.
#   bench/serve.sh DB        (e.g. bench/out/scale.db from bench/scale.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1
cargo build --release -p chainatlas >/dev/null 2>&1
bin=target/release/chainatlas
port=18080
start=$(date +%s.%N)
$bin --db "$db" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/regions"; do sleep 0.02; done
ready=$(date +%s.%N)
echo "server start-up to first answered request: $(echo "$ready - $start" | bc) s"
for round in first again; do
  for path in "/" "/chains" "/chains?region=430000" "/chains/nev?region=430000" "/api/v1/chains/nev/map?region=430100" "/enterprises/1" "/api/v1/nodes/60/enterprises?region=430000"; do
    t=$(curl -s -o /dev/null -w "%{time_total}" "http://127.0.0.1:$port$path")
    echo "GET $path ($round): $t s"
  done
done

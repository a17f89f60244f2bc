#!/usr/bin/env bash
# SQLite and PostgreSQL side by side at province scale (issue 20), on this machine:
#   - the demo atlas written to each, one transaction (prepared inserts on SQLite, COPY
#     on PostgreSQL), wall time and peak RSS of chainatlas;
#   - the SQLite database moved whole into a new PostgreSQL database (chainatlas migrate:
#     COPY, streamed reads, counts and checksums);
#   - a server on each: start to the first chain diagnosis (the supply graph's load),
#     a chain map for a province and a city, first and again;
#   - two servers on one PostgreSQL database: a chain written through one, then read
#     through the other.
#   bench/postgres.sh [N]   (default 1000000 enterprises; SMOKE=1: 2000)
# PostgreSQL is a temporary cluster (scripts/with-postgres, pg_virtualenv) with the
# settings below; it is removed afterwards. Results: bench/out/postgres.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/on-postgres.sh "$0" "$@"
n=${1:-1000000}
[ -n "${SMOKE:-}" ] && n=2000
source bench/common.sh postgres
url=$CHAINATLAS_TEST_POSTGRES
moved=${url%/*}/moved
psql "$url" -q -c "CREATE DATABASE moved"
sqlite="$out/postgres-sqlite-$n.db"
rm -f "$sqlite" "$sqlite"-wal "$sqlite"-shm
rm -rf "$sqlite.index"*
say "PostgreSQL: $(psql "$url" -Atc 'SHOW server_version'), settings: $CHAINATLAS_PG_SETTINGS"
say "## demo --scale $n"
say "SQLite:"
timed_quiet $bin --db "$sqlite" demo --scale "$n"
say "PostgreSQL:"
timed_quiet $bin --db "$url" demo --scale "$n"
say "PostgreSQL database size: $(psql "$url" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))"), SQLite file: $(du -h "$sqlite" | cut -f1)"
say "## migrate: the SQLite database into a new PostgreSQL database"
timed $bin migrate --from "$sqlite" --to "$moved" | grep -v '^  [a-z_]* ' || true

port=18120
serve() { # serve DB PORT LOG: start a server, print its pid
  $bin --db "$1" serve --addr "127.0.0.1:$2" >"$3" 2>&1 &
  echo $!
}
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
request() { # request PORT TOKEN PATH
  curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $2" "http://127.0.0.1:$1$3"
}
for backend in sqlite postgres; do
  if [ $backend = sqlite ]; then db=$sqlite; else db=$url; fi
  say "## $backend: serve"
  token=$($bin --db "$db" token create analyst --name "bench-$(date +%s%N)" | grep '^ca_token_')
  started=$(date +%s.%N)
  pid=$(serve "$db" $port "$out/postgres-serve-$backend.log")
  until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
  listening=$(date +%s.%N)
  stats=$(request $port "$token" "/api/v1/chains/rail/diagnosis?region=430200")
  ready=$(date +%s.%N)
  say "listening after $(echo "$listening - $started" | bc) s; first diagnosis (graph loaded) after $(echo "$ready - $started" | bc) s (HTTP ${stats%% *})"
  for path in "/api/v1/chains/rail/diagnosis?region=430200" "/api/v1/chains/nev/map?region=430000" "/api/v1/chains/nev/map?region=430100" "/api/v1/chains/nev/map?region=430000"; do
    stats=$(request $port "$token" "$path")
    say "GET $path: HTTP ${stats%% *}, ${stats##* } s"
  done
  say "server peak RSS $(hwm "$pid")"
  if [ $backend = postgres ]; then
    say "## two servers on one PostgreSQL database"
    pid2=$(serve "$db" $((port + 1)) "$out/postgres-serve-2.log")
    until curl -s -o /dev/null "http://127.0.0.1:$((port + 1))/healthz"; do sleep 0.05; done
    request $((port + 1)) "$token" "/api/v1/chains" >/dev/null
    admin=$($bin --db "$db" token create admin --name "bench-$(date +%s%N)" | grep '^ca_token_')
    curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d '{"code":"bench-two","name_zh":"基准测试链","name_en":"Benchmark chain"}' \
      "http://127.0.0.1:$port/api/v1/records/chains"
    written=$(date +%s.%N)
    until curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$((port + 1))/api/v1/chains" | grep -q bench-two; do sleep 0.01; done
    seen=$(date +%s.%N)
    say "a chain written through the first server is in the second's chain list $(echo "$seen - $written" | bc) s later"
    stats=$(request $((port + 1)) "$token" "/api/v1/chains/rail/diagnosis?region=430200")
    say "the second server's first diagnosis: ${stats##* } s; its peak RSS $(hwm "$pid2")"
    kill "$pid2"
  fi
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
say "PostgreSQL server processes, peak RSS (largest): $(for p in $(pgrep -u postgres postgres); do awk '/VmHWM/ {print $2}' /proc/$p/status 2>/dev/null; done | sort -n | tail -1) KiB"

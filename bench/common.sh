# Shared by the benchmark scripts: `source bench/common.sh NAME` from the repository root
# builds the binary and sets
#   out  bench/out            bin  the binary               log  $out/NAME.txt (emptied)
# and defines
#   say TEXT...        print and append to the log
#   timed CMD...       run CMD; its output and GNU time's wall time and peak RSS, logged
#   timed_quiet CMD... the same without CMD's standard output
#   token ROLE         an API token of ROLE for the database in $db (signs the script in)
#   wait_ready URL     wait until the server at URL answers /healthz (at most 5 minutes)
# With SMOKE=1 (bench/smoke, which CI runs) the scripts run at tiny scale to prove they
# still work: then the binary is the debug build the tests already made, and everything
# goes to bench/out/smoke, so a smoke run never overwrites a real result.
# The log starts with the machine's cores, memory and CPU.
if [ -n "${SMOKE:-}" ]; then
  out=bench/out/smoke
  profile=debug
  cargo build -q -p chainatlas >/dev/null 2>&1
else
  out=bench/out
  profile=release
  cargo build -q --release -p chainatlas >/dev/null 2>&1
fi
mkdir -p "$out"
bin=${CARGO_TARGET_DIR:-target}/$profile/chainatlas
log="$out/$1.txt"
: > "$log"
say() { echo "$*" | tee -a "$log"; }
timed() { /usr/bin/time -f "  %e s wall, peak RSS %M KiB" "$@" 2>&1 | tee -a "$log"; }
timed_quiet() { /usr/bin/time -f "  %e s wall, peak RSS %M KiB" "$@" 2>&1 >/dev/null | tee -a "$log"; }
token() { $bin --db "$db" token create "$1" --name "bench-$1-$(date +%s%N)" | grep '^ca_token_'; }
wait_ready() {
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "$1/healthz" && return 0
    sleep 0.1
  done
  echo "the server at $1 did not answer /healthz" >&2
  return 1
}
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

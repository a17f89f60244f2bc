# Shared by the benchmark scripts: `source bench/common.sh NAME` from the repository root
# builds the release binary and sets
#   out  bench/out            bin  the release binary      log  bench/out/NAME.txt (emptied)
# and defines
#   say TEXT...        print and append to the log
#   timed CMD...       run CMD; its output and GNU time's wall time and peak RSS, logged
#   timed_quiet CMD... the same without CMD's standard output
# The log starts with the machine's cores, memory and CPU.
out=bench/out
mkdir -p "$out"
cargo build --release -p chainatlas >/dev/null 2>&1
bin=target/release/chainatlas
log="$out/$1.txt"
: > "$log"
say() { echo "$*" | tee -a "$log"; }
timed() { /usr/bin/time -f "  %e s wall, peak RSS %M KiB" "$@" 2>&1 | tee -a "$log"; }
timed_quiet() { /usr/bin/time -f "  %e s wall, peak RSS %M KiB" "$@" 2>&1 >/dev/null | tee -a "$log"; }
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

#!/usr/bin/env bash
# CPU model benchmark: a CPU-bound C workload (bench/cpu/workload.c, musl-gcc -static -O2) run
# natively, under qemu-x86_64 (Debian qemu-user) and on the model (bench runner in the
# cpu-x86_64 test classes). Prints the model's instructions per second and the time ratios, by
# wall time and by CPU time (user + system: the steadier figure on a shared machine), the
# share of each tier (traces, compiled blocks, interpreter) and the JIT's compile time per 1,000
# guest instructions it compiled (traces; hidden class definition included). The model's runs
# share one CPU factory, as a machine's CPUs do: the first compiles every trace and starts cold
# in the JVM, later ones reuse its compiled traces (TraceCache); both figures are printed.
# Usage: bench/cpu.sh [iterations, default 400] [model runs, default 3] [C file [compiler flags...]]
# Another C file (e.g. bench/cpu/strings-sse42.c -march=x86-64-v2) is built the same way, with its
# flags after -O2; ITERATIONS is still defined for it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
iterations="${1:-400}"
runs="${2:-3}"
source="${3:-$root/bench/cpu/workload.c}"
extra_flags=("${@:4}")
work="$root/bundles/cpu-x86_64/target/cpu-bench"
mkdir -p "$work"
musl-gcc -static -O2 "${extra_flags[@]}" -DITERATIONS="$iterations" -o "$work/workload" "$source"
(cd "$root" && mvn -o -q -B test-compile -pl bundles/cpu-x86_64 && mvn -o -q -B dependency:build-classpath -pl bundles/cpu-x86_64 \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt") >/dev/null
cp="$root/bundles/cpu-x86_64/target/classes:$root/bundles/cpu-x86_64/target/test-classes:$(cat "$work/classpath.txt")"

# Prints "wall cpu" seconds of a command (cpu = user + system), its output discarded.
measure() { local TIMEFORMAT='%3R %3U %3S' t; t=$( { time "$@" >/dev/null; } 2>&1 ); echo "$t" | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'; }
expected=$("$work/workload")
read -r native native_cpu < <(measure "$work/workload")
echo "native:        $expected in $native s (CPU $native_cpu s)"
if command -v qemu-x86_64 >/dev/null; then
  [ "$(qemu-x86_64 "$work/workload")" = "$expected" ] || { echo "qemu-x86_64 disagrees" >&2; exit 1; }
  read -r qemu qemu_cpu < <(measure qemu-x86_64 "$work/workload")
  echo "qemu-x86_64:   $qemu s (CPU $qemu_cpu s)"
fi
# The alos script's JVM flags (keep in step with it, as bench/boot.sh does): the model measured
# as ALOS/J runs it. Its Tier4 thresholds leave C2 to what stays hot, the traces, sooner: first
# runs are faster with them (README, Benchmarks, CPU row).
flags=(-XX:Tier4InvocationThreshold=30000 -XX:Tier4MinInvocationThreshold=3600 -XX:Tier4CompileThreshold=90000
  -XX:Tier4BackEdgeThreshold=240000 ${ALOS_JAVA_OPTS:--XX:+UseSerialGC -Xms512m} --enable-native-access=ALL-UNNAMED)
out=$(java -Xss4m "${flags[@]}" -cp "$cp" org.alosj.cpu.x86_64.CpuBench "$work/workload" "$runs")
echo "$out"
echo "$out" | grep -q "$expected" || { echo "the model's output differs from native" >&2; exit 1; }
best=$(echo "$out" | grep -o 'instructions in [0-9.]* s' | grep -o '[0-9.]*' | sort -g | head -1)
best_cpu=$(echo "$out" | grep -o 'CPU time [0-9.]* s' | grep -o '[0-9.]*' | sort -g | head -1)
insns=$(echo "$out" | head -1 | grep -o '[0-9]* instructions' | grep -o '[0-9]*')
echo "best model run: wall $best s = $(echo "scale=1; $insns / $best / 1000000" | bc) million instructions/s;" \
     "CPU $best_cpu s = $(echo "scale=1; $insns / $best_cpu / 1000000" | bc) million instructions/s"
first_cpu=$(echo "$out" | grep -o 'CPU time [0-9.]* s' | grep -o '[0-9.]*' | head -1)
echo "first model run (every trace compiled, cold in the JVM): CPU $first_cpu s = $(echo "scale=1; $insns / $first_cpu / 1000000" | bc) million instructions/s"
echo "model / native: wall $(echo "scale=1; $best / $native" | bc)x, CPU $(echo "scale=1; $best_cpu / $native_cpu" | bc)x"
compile=$(echo "$out" | grep -o 'compiled in [0-9.]* ms = [0-9.]* ms per 1,000 guest instructions' | head -1)
echo "JIT compile time per 1,000 guest instructions (first run): $(echo "$compile" | grep -o '= [0-9.]* ms' | grep -o '[0-9.]*') ms"
if [ -n "${qemu:-}" ]; then
  echo "model / qemu-x86_64: wall $(echo "scale=1; $best / $qemu" | bc)x, CPU $(echo "scale=1; $best_cpu / $qemu_cpu" | bc)x;" \
       "first run CPU $(echo "scale=1; $first_cpu / $qemu_cpu" | bc)x"
fi
exit 0

#!/usr/bin/env bash
# Lukewarm code without booting: bench/userland.sh's busybox loop (`sh -c` of a 1,000-round
# while loop, ~12.9 M guest instructions of a shell interpreting its script: short-lived,
# branchy code) run on the model by the cpu-x86_64 test classes' bench runner, beside
# qemu-x86_64 and native in the same run. The model's runs share one CPU factory (as a
# machine's CPUs do): the first is a fresh JVM's, the later ones find the JVM and the caches warm.
# Usage: bench/loop.sh [rounds, default 1000] [model runs, default 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-1000}"
runs="${2:-3}"
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "bench/loop.sh: no $busybox (Debian's busybox-static)" >&2; exit 1; }
loop="i=0; while [ \$i -lt $rounds ]; do i=\$((i+1)); done; echo \$i"
work="$root/bundles/cpu-x86_64/target/cpu-bench"
mkdir -p "$work"
(cd "$root" && mvn -o -q -B test-compile -pl bundles/cpu-x86_64 && mvn -o -q -B dependency:build-classpath -pl bundles/cpu-x86_64 \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt") >/dev/null
cp="$root/bundles/cpu-x86_64/target/classes:$root/bundles/cpu-x86_64/target/test-classes:$(cat "$work/classpath.txt")"

# Prints "wall cpu" seconds of a command (cpu = user + system), its output discarded.
measure() { local TIMEFORMAT='%3R %3U %3S' t; t=$( { time "$@" >/dev/null; } 2>&1 ); echo "$t" | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'; }
read -r native native_cpu < <(measure "$busybox" sh -c "$loop")
echo "native:      $native s (CPU $native_cpu s)"
if command -v qemu-x86_64 >/dev/null; then
  read -r qemu qemu_cpu < <(measure qemu-x86_64 "$busybox" sh -c "$loop")
  echo "qemu-x86_64: $qemu s (CPU $qemu_cpu s)"
fi
# The alos script's JVM flags, as bench/cpu.sh (keep in step with it).
flags=(-XX:Tier4InvocationThreshold=30000 -XX:Tier4MinInvocationThreshold=3600 -XX:Tier4CompileThreshold=90000
  -XX:Tier4BackEdgeThreshold=240000 ${ALOS_JAVA_OPTS:--XX:+UseSerialGC -Xms512m} --enable-native-access=ALL-UNNAMED)
out=$(java -Xss4m "${flags[@]}" -cp "$cp" org.alosj.cpu.x86_64.CpuBench "$busybox" "$runs" sh -c "$loop")
echo "$out"
echo "$out" | head -1 | grep -q "run 1: $rounds " || { echo "the model's output differs from native" >&2; exit 1; }
first=$(echo "$out" | grep -o 'in [0-9.]* s =' | grep -o '[0-9.]*' | head -1)
best=$(echo "$out" | grep -o 'in [0-9.]* s =' | grep -o '[0-9.]*' | sort -g | head -1)
# CPU time (the guest thread's, from the scheduler's nanosecond count): the steadier figure on a shared machine.
first_cpu=$(echo "$out" | grep -o 'CPU time [0-9.]* s' | grep -o '[0-9.]*' | head -1)
best_cpu=$(echo "$out" | grep -o 'CPU time [0-9.]* s' | grep -o '[0-9.]*' | sort -g | head -1)
if [ -n "${qemu:-}" ]; then
  echo "model / qemu-x86_64 by wall time: first run $(echo "scale=1; $first / $qemu" | bc)x, best $(echo "scale=1; $best / $qemu" | bc)x;" \
       "by CPU time: first run $(echo "scale=1; $first_cpu / $qemu_cpu" | bc)x, best $(echo "scale=1; $best_cpu / $qemu_cpu" | bc)x"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

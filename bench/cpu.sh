#!/usr/bin/env bash
# CPU model benchmark: a CPU-bound C workload (bench/cpu/workload.c, musl-gcc -static -O2) run
# natively, under qemu-x86_64 (Debian qemu-user) and on the model (bench runner in the
# hal-x86_64 test classes). Prints the model's instructions per second and the time ratios.
# Usage: bench/cpu.sh [iterations, default 400] [model runs, default 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
iterations="${1:-400}"
runs="${2:-3}"
work="$root/hal-x86_64/target/cpu-bench"
mkdir -p "$work"
musl-gcc -static -O2 -DITERATIONS="$iterations" -o "$work/workload" "$root/bench/cpu/workload.c"
(cd "$root" && mvn -o -q -B test-compile -pl hal-x86_64 && mvn -o -q -B dependency:build-classpath -pl hal-x86_64 \
    -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt") >/dev/null
cp="$root/hal-x86_64/target/classes:$root/hal-x86_64/target/test-classes:$(cat "$work/classpath.txt")"

seconds() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo "scale=3; ($e - $s) / 1000000000" | bc; }
expected=$("$work/workload")
native=$(seconds "$work/workload")
echo "native:        $expected in $native s"
if command -v qemu-x86_64 >/dev/null; then
  [ "$(qemu-x86_64 "$work/workload")" = "$expected" ] || { echo "qemu-x86_64 disagrees" >&2; exit 1; }
  qemu=$(seconds qemu-x86_64 "$work/workload")
  echo "qemu-x86_64:   $qemu s"
fi
out=$(java -Xss4m -cp "$cp" org.alosj.hal.cpu.CpuBench "$work/workload" "$runs")
echo "$out"
echo "$out" | grep -q "$expected" || { echo "the model's output differs from native" >&2; exit 1; }
best=$(echo "$out" | grep -o 'in [0-9.]* s' | grep -o '[0-9.]*' | sort -g | head -1)
mips=$(echo "$out" | grep -o '= [0-9.]* million' | grep -o '[0-9.]*' | sort -g | tail -1)
echo "best model run: $best s, $mips million instructions/s"
echo "model / native: $(echo "scale=1; $best / $native" | bc)x"
[ -n "${qemu:-}" ] && echo "model / qemu-x86_64: $(echo "scale=1; $best / $qemu" | bc)x"
exit 0

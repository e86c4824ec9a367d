#!/usr/bin/env bash
# Boot-to-prompt benchmark: boots the default machine N times (default 10) with a no-op script
# and prints the launcher's own figure (JVM start to shell ready) and the whole process's wall
# time (JVM start to exit, including framework shutdown), as medians.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
"$root/alos" -c 'echo' >/dev/null 2>&1 || { echo "boot failed; run ./alos -c echo to see why" >&2; exit 1; }
boot=(); wall=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  line=$("$root/alos" -c 'echo' 2>&1 >/dev/null | grep -o 'booted in [0-9]* ms' | grep -o '[0-9]*')
  end=$(date +%s%N)
  boot+=("$line"); wall+=($(( (end - start) / 1000000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
echo "boot to prompt (JVM start to shell ready), median of $runs: $(median "${boot[@]}") ms"
echo "whole run of 'alos -c echo' (start to exit), median of $runs: $(median "${wall[@]}") ms"

#!/usr/bin/env bash
# Driver hot-swap benchmark: 'update' of the pcnet32 bundle (stop, quiesce the NIC, free its DMA
# memory, load the new bundle, probe) until the device is bound again, timed inside the machine
# by the shell's 'time' command, repeated N times (default 20); prints every figure and the median.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-20}"
# The bundle id follows conf/bundles.list; ask the machine rather than hard-code it.
id=$("$root/alos" -c 'lb -s' 2>/dev/null | awk -F'|' '/org.alosj.drivers.pcnet /{gsub(/ /, "", $1); print $1}')
[ -n "$id" ] || { echo "drivers-pcnet is not installed" >&2; exit 1; }
script="lspci -k -s 02.0"
for _ in $(seq "$runs"); do script="$script; time -until-bound 00:02.0 { update $id }"; done
script="$script; lspci -k -s 02.0"
out=$("$root/alos" -c "$script" 2>&1)
echo "$out" | grep -q 'Kernel driver in use: pcnet32' || { echo "$out"; echo "the driver did not come back" >&2; exit 1; }
times=$(echo "$out" | grep -o 'elapsed [0-9.]* ms' | grep -o '[0-9.]*')
echo "update to rebound, ms: $(echo $times)"
echo "median of $runs: $(printf '%s\n' $times | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}') ms"

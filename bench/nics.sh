#!/usr/bin/env bash
# NIC models side by side, measured in one run: for each model in NICS (default: pcnet e1000
# e1000e), one ALOS/J with two such NICs on the in-JVM hub, eth0 10.0.0.1 and eth1 10.0.0.2;
# ping RTT and two HTTP GETs of a 20 MB file (cold, then warm) from eth1's httpd to eth0.
# Usage: NICS="pcnet e1000e" bench/nics.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
nics="${NICS:-pcnet e1000 e1000e}"
www="$(mktemp -d)"; trap 'rm -rf "$www"' EXIT
head -c 20000000 /dev/urandom > "$www/blob.bin"
echo "expected sha256 $(sha256sum "$www/blob.bin" | cut -d' ' -f1)"
for nic in $nics; do
  echo "== two ${nic} NICs on the in-JVM hub =="
  "$root/alos" -nodefaults -netdev hub,id=n0 -device "$nic,netdev=n0,mac=52:54:00:00:00:01,addr=2" \
    -device "$nic,netdev=n0,mac=52:54:00:00:00:02,addr=3" \
    -c "ifconfig eth0 10.0.0.1/24 >/dev/null; ifconfig eth1 10.0.0.2/24 > /dev/null; ping -c 11 10.0.0.2; httpd start 80 host:$www; http get -sha256 http://10.0.0.2/blob.bin; http get -sha256 http://10.0.0.2/blob.bin" 2>&1 \
    | grep -E 'time=|Mbit/s|sha256' || { echo "the $nic run failed" >&2; exit 1; }
done

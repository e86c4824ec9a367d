#!/usr/bin/env bash
# Whole-machine TCP against real peers (needs root, passt, python3):
#  1. the guest fetches a file from python3 http.server through passt, in a namespace this
#     script creates (tcpb-<pid>);
#  2. two ALOS/J machines on a UDP LAN, each behind a fault filter with drop=DROP, reorder 2 %;
#     the sender's TCP recovery counters (netstat -s) are printed at the end.
# Usage: bench/tcp-peers.sh [PASST_MB] [LAN_MIB] [DROP]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mb="${1:-3}"; mib="${2:-10}"; drop="${3:-0.05}"
ns="tcpb$$"; tmp="$(mktemp -d)"
cleanup() { for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done; ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
            ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp" "/etc/netns/$ns"; }
trap cleanup EXIT
head -c "$((mb * 1000000))" /dev/urandom > "$tmp/file.bin"
echo "== guest <- python http.server through passt, $mb MB =="
ip netns add "$ns"; ip -n "$ns" link set lo up
ip -n "$ns" link add v0 type veth peer name v1
ip -n "$ns" addr add 192.0.2.2/24 dev v0; ip -n "$ns" link set v0 up; ip -n "$ns" link set v1 up
ip -n "$ns" route add default via 192.0.2.1 dev v0
ip netns exec "$ns" python3 -m http.server --bind 127.0.0.1 --directory "$tmp" 8000 >/dev/null 2>&1 &
ip netns exec "$ns" passt -f --runas 0 -m 1500 -s "$tmp/passt.sock" >/dev/null 2>&1 &
for i in $(seq 50); do [ -S "$tmp/passt.sock" ] && break; sleep 0.1; done; sleep 0.5
"$root/alos" -nodefaults -device pcnet,netdev=n0 -netdev "passt,id=n0,socket=$tmp/passt.sock" \
  -c "dhcp >/dev/null; http get -sha256 http://192.0.2.1:8000/file.bin; http get -sha256 http://192.0.2.1:8000/file.bin; netstat -s" 2>&1 \
  | grep -Ei 'Mbit/s|sha256|retrans|dup|timeout|out.of.order|drop' || true
echo "expected sha256 $(sha256sum "$tmp/file.bin" | cut -d' ' -f1)"
echo "== two machines on a UDP LAN, drop=$drop reorder=0.02 each way, $mib MiB =="
head -c "$((mib * 1048576))" /dev/urandom > "$tmp/big.bin"
pa=$((20000 + $$ % 20000)); pb=$((pa + 1))
"$root/alos" -nodefaults -netdev "udp,id=u0,local=127.0.0.1:$pa,remote=127.0.0.1:$pb" \
  -netdev "fault,id=f0,netdev=u0,drop=$drop,reorder=0.02,seed=1" -device pcnet,netdev=f0,mac=52:54:00:00:00:01 \
  -c "ifconfig eth0 10.0.0.1/24; httpd start 80 host:$tmp; each [$(seq -s ' ' 720)] { sleep 5; netstat -s }" \
  >"$tmp/server.out" 2>&1 &
sleep 4
"$root/alos" -nodefaults -netdev "udp,id=u0,local=127.0.0.1:$pb,remote=127.0.0.1:$pa" \
  -netdev "fault,id=f0,netdev=u0,drop=$drop,reorder=0.02,seed=2" -device pcnet,netdev=f0,mac=52:54:00:00:00:02 \
  -c "ifconfig eth0 10.0.0.2/24; http get -sha256 http://10.0.0.1/big.bin; netstat -s" 2>&1 \
  | grep -Ei 'Mbit/s|sha256|retrans|dup|timeout|out.of.order|drop' || true
echo "expected sha256 $(sha256sum "$tmp/big.bin" | cut -d' ' -f1)"
sleep 6   # the server (the sender) prints netstat -s every 5 s: its TCP recovery counters
echo "server (sender): $(grep '^tcp:' "$tmp/server.out" | tail -1)"

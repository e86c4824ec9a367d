#!/usr/bin/env bash
# The default machine (ext2 disk on /, PCnet) behind passt, in a network namespace this script
# creates (needs root, passt, wrk, curl):
#  1. median ping RTT from the guest to the gateway (passt answers through a ping socket);
#  2. HTTP requests per second from wrk on the host side, through passt's port forward to the
#     guest's httpd serving /www/index.html from the disk (keep-alive).
# Usage: bench/http-peers.sh [PINGS] [WRK_SECONDS] [WRK_CONNECTIONS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pings="${1:-21}"; seconds="${2:-10}"; conns="${3:-8}"
ns="httpb$$"; tmp="$(mktemp -d)"
cleanup() { for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
            ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
            ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$ns"; ip -n "$ns" link set lo up
ip -n "$ns" link add v0 type veth peer name v1
ip -n "$ns" addr add 192.0.2.2/24 dev v0; ip -n "$ns" link set v0 up; ip -n "$ns" link set v1 up
ip -n "$ns" route add default via 192.0.2.1 dev v0
# passt sends the guest's echo requests to the real gateway through a ping socket
ip -n "$ns" addr add 192.0.2.1/32 dev v1
ip netns exec "$ns" sh -c 'echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range'
"$root/alos" -device pcnet,netdev=n0 -netdev "passt,id=n0,netns=$ns,hostfwd=tcp::8080-:80" \
  -c "dhcp >/dev/null; ping -c $pings 192.0.2.1; httpd start 80; sleep 3600" >"$tmp/guest.out" 2>&1 &
for i in $(seq 600); do grep -q "httpd listening" "$tmp/guest.out" 2>/dev/null && break; sleep 0.1; done
grep -q "httpd listening" "$tmp/guest.out" || { cat "$tmp/guest.out"; echo "the guest did not start httpd" >&2; exit 1; }
echo "== ping the gateway, $pings requests =="
grep -o 'time=[0-9.]*' "$tmp/guest.out" | cut -d= -f2 | sort -n \
  | awk '{ v[NR] = $1 } END { if (NR == 0) { print "no replies"; exit 1 }
         printf "%d replies, min %.3f ms, median %.3f ms, max %.3f ms\n", NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
echo "== wrk through passt's forward, $seconds s, $conns connections =="
ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:8080/index.html
ip netns exec "$ns" wrk -t 2 -c "$conns" -d "${seconds}s" http://127.0.0.1:8080/index.html \
  | grep -E 'Requests/sec|requests in|Socket errors|Non-2xx|Latency'

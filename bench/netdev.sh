#!/usr/bin/env bash
# Frame-level throughput of the network backends (no NIC, no stack): frames/s and Mbit/s through
# the udp backend (one backend to another over loopback) and the passt backend (passt started in
# a network namespace made here: ARP answered by passt, ICMP echo answered by the namespace's
# kernel). A sender keeps 64 frames unanswered. Usage: bench/netdev.sh [SECONDS per figure, default 3]
# passt needs root (the namespace) and the passt package; without them only udp runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-3}"
"$root/alos" --help >/dev/null   # builds the distribution if needed
lib="$root/distribution/target/alosj"
cp="$lib/bundles/hal-x86_64.jar:$lib/bundles/hw-netdev.jar:$(ls "$lib"/lib/slf4j-api*.jar | head -1)"
run() { java -XX:+UseSerialGC -cp "$cp" "$root/bench/NetdevBench.java" "$@" 2>&1 | grep -v SLF4J; }

run udp "$seconds"
if [ "$(id -u)" = 0 ] && command -v passt >/dev/null; then
  ns="alosndbench$$"
  trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add v0 type veth peer name v1
  ip -n "$ns" addr add 192.0.2.2/24 dev v0
  ip -n "$ns" link set v0 up
  ip -n "$ns" link set v1 up
  ip -n "$ns" route add default via 192.0.2.1 dev v0
  # passt sends ICMP echo to the real gateway address (after the route: passt copies v0's)
  ip -n "$ns" addr add 192.0.2.1/32 dev v1
  ip netns exec "$ns" sh -c "echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range"
  run passt "$seconds" "$ns"
else
  echo "passt: skipped (needs root and the passt package)"
fi

#!/usr/bin/env bash
# Network benchmark. Two parts:
#  1. the whole machine: one ALOS/J with two PCnet NICs on the in-JVM hub, eth0 10.0.0.1 and
#     eth1 10.0.0.2; ping RTT, HTTP GET of a 20 MB file from eth1's httpd to eth0 (TCP bulk
#     throughput through the emulated PCnets, their DMA rings and the hub) and HTTP keep-alive
#     requests per second (http bench);
#  2. the stack alone: two stacks on an in-JVM link with no NIC model (NetBench): TCP and HTTP.
# Usage: bench/net.sh [MEGABYTES_FOR_PART_2] [REQUESTS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mb="${1:-200}"; requests="${2:-20000}"
www="$(mktemp -d)"; trap 'rm -rf "$www"' EXIT
head -c 20000000 /dev/urandom > "$www/blob.bin"
echo '<h1>ALOS/J</h1>' > "$www/index.html"
echo "== the machine: two PCnets on the in-JVM hub =="
"$root/alos" -nodefaults -netdev hub,id=n0 -device pcnet,netdev=n0,mac=52:54:00:00:00:01,addr=2 \
  -device pcnet,netdev=n0,mac=52:54:00:00:00:02,addr=3 \
  -c "ifconfig eth0 10.0.0.1/24 >/dev/null; ifconfig eth1 10.0.0.2/24 > /dev/null; ping -c 5 10.0.0.2; httpd start 80 host:$www; http get -sha256 http://10.0.0.2/blob.bin; http get -sha256 http://10.0.0.2/blob.bin; http bench http://10.0.0.2/index.html 2000; http bench http://10.0.0.2/index.html 5000" 2>&1 \
  | grep -E 'time=|Mbit/s|requests/s|sha256' || { echo "the machine run failed" >&2; exit 1; }
echo "expected sha256 $(sha256sum "$www/blob.bin" | cut -d' ' -f1)"
echo "== the stack alone: two stacks on an in-JVM link =="
cd "$root"
mvn -o -q -B test-compile -pl net-stack -am >/dev/null
cp="net-stack/target/classes:net-stack/target/test-classes:distribution/target/alosj/bundles/kernel-core.jar:distribution/target/alosj/lib/*"
java -cp "$cp" org.alosj.net.impl.NetBench "$mb" "$requests" 2>&1 | grep '^in-JVM'

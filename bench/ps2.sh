#!/usr/bin/env bash
# PS/2 input latency: a key from the host (HostInput) through the i8042 model, IRQ 1, the 8259
# and the i8042 driver to the keyboard InputDevice's listener, one key in flight at a time; and a
# pointer move to the mouse's, each after the mouse's 10 ms sample period has passed (moves closer
# together are summed into one packet a period). The real board and kernel interrupt code, no framework.
# Usage: bench/ps2.sh [EVENTS, default 2000]. Needs the modules built (mvn install -DskipTests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
events="${1:-2000}"
lib="$root/distribution/target/alosj"
[ -d "$lib/bundles" ] || "$root/alos" --help >/dev/null
cp="$root/drivers-ps2/target/test-classes:$root/drivers-ps2/target/classes"
for b in hal-x86_64 kernel-core hw-i8042; do cp="$cp:$lib/bundles/$b.jar"; done
cp="$cp:$lib/lib/slf4j-api.jar:$lib/lib/org.apache.felix.framework.jar:$lib/bundles/org.osgi.service.device.jar"
java -XX:+UseSerialGC -cp "$cp" org.alosj.drivers.ps2.Ps2Latency "$events" 2>&1 | grep -v SLF4J

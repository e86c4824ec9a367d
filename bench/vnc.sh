#!/usr/bin/env bash
# VNC frames per second to a client on loopback at 1024x768x32, every frame changing the whole
# screen (console-like cells), in Raw and ZRLE, beside a bare loopback socket carrying Raw's
# bytes (the peer, measured in the same run). The client is the tests' RFB client (it decodes
# every frame). Usage: bench/vnc.sh [SECONDS per figure, default 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-3}"
m2="${ALOS_M2:+-Dmaven.repo.local=$ALOS_M2}"
(cd "$root" && mvn -o -q $m2 test-compile -pl hal-x86_64,bundles/ui-vnc) >&2
[ -d "$root/distribution/target/alosj/lib" ] || "$root/alos" --help >/dev/null   # the distribution's jars are the class path
lib="$root/distribution/target/alosj"
cp="$root/bundles/ui-vnc/target/classes:$root/bundles/ui-vnc/target/test-classes:$root/hal-x86_64/target/test-classes:$lib/bundles/hal-x86_64.jar"
cp="$cp:$(ls "$lib"/lib/slf4j-api*.jar | head -1)"
java -XX:+UseSerialGC -cp "$cp" org.alosj.ui.vnc.impl.VncBench "$seconds" 2>&1 | grep -v SLF4J

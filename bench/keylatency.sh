#!/usr/bin/env bash
# Keystroke to pixel: a VNC client types into the shell on tty1 of ./alos -vga std -vnc and times
# each key until the update showing its character arrives; beside it, the same run's VNC round
# trip alone. Usage: bench/keylatency.sh [KEYS, default 40]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
m2="${ALOS_M2:+-Dmaven.repo.local=$ALOS_M2}"
(cd "$root" && mvn -o -q $m2 test-compile -pl bundles/ui-vnc) >&2
[ -d "$root/distribution/target/alosj/lib" ] || "$root/alos" --help >/dev/null   # the distribution's jars are the class path
lib="$root/distribution/target/alosj"
cp="$root/bundles/ui-vnc/target/classes:$root/bundles/ui-vnc/target/test-classes:$lib/bundles/hal-x86_64.jar"
cp="$cp:$(ls "$lib"/lib/slf4j-api*.jar | head -1)"
java -XX:+UseSerialGC -cp "$cp" org.alosj.ui.vnc.impl.KeyLatencyBench "$root/alos" "${1:-40}" 2>&1 | grep -v SLF4J

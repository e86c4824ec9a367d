#!/usr/bin/env bash
# The desktop's compositor at 1024x768 with N windows moving every frame (default 10), each
# frame composed and shown into memory, beside the peer figure from the same run: a plain copy of
# a whole 1024x768 int[] screen. What showing a frame costs on the real frame buffer is
# bench/display.sh's full-screen redraw. Usage: bench/gui.sh [FRAMES, default 600] [WINDOWS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -o -q test-compile -pl gui/desktop ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO}
mvn -o -q dependency:build-classpath -pl gui/desktop -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/gui/desktop/target/bench.classpath" ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} >/dev/null
cp="gui/desktop/target/test-classes:gui/desktop/target/classes:$(cat gui/desktop/target/bench.classpath)"
java -XX:+UseSerialGC -cp "$cp" org.alosj.gui.impl.DesktopBench "${1:-600}" "${2:-10}" 2>&1 | grep -v -E '^[0-9:.]+ \[|SLF4J'

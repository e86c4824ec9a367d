#!/usr/bin/env bash
# Display figures on the real board (std VGA model, bochs driver, fbcon) at 1024x768x32: a
# full-screen redraw through the driver, the same with one MMIO store a pixel, a full screen of
# text, scrolling; and the peer figure measured in the same run, a plain Java int[] copy of the
# same size. Usage: bench/display.sh [ROUNDS, default 50]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-50}"
cd "$root"
mvn -o -q test-compile -pl drivers-fb ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO}
mvn -o -q dependency:build-classpath -pl drivers-fb -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/drivers-fb/target/bench.classpath" ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} >/dev/null
cp="drivers-fb/target/test-classes:drivers-fb/target/classes:$(cat drivers-fb/target/bench.classpath)"
java -XX:+UseSerialGC -Dlogback.configurationFile=drivers-fb/src/test/resources/logback-test.xml \
  -cp "$cp" org.alosj.drivers.fb.DisplayBench "$rounds" 2>&1 | grep -v -E '^[0-9:.]+ \[|SLF4J'

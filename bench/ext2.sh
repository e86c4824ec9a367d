#!/usr/bin/env bash
# ext2 benchmark: through fs-ext2 over a file-backed BlockDevice (an image file in $TMPDIR),
# sequential write and read of a 256 MiB file in 1 MiB calls and creation of 10,000 1 KiB files.
# Each round uses a fresh image; prints every round and the medians.
# Usage: bench/ext2.sh [BLOCK_SIZE (4096)] [FILE_MIB (256)] [SMALL_FILES (10000)] [ROUNDS (5)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -o -q -B test-compile -pl fs-ext2 -am >/dev/null
m2="${HOME}/.m2/repository"
cp="fs-ext2/target/classes:fs-ext2/target/test-classes:kernel-core/target/classes"
cp="$cp:$m2/org/slf4j/slf4j-api/2.0.16/slf4j-api-2.0.16.jar"
cp="$cp:$m2/ch/qos/logback/logback-classic/1.5.12/logback-classic-1.5.12.jar"
cp="$cp:$m2/ch/qos/logback/logback-core/1.5.12/logback-core-1.5.12.jar"
exec java -cp "$cp" org.alosj.fs.ext2.Ext2Bench "$@"

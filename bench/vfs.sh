#!/usr/bin/env bash
# VFS benchmark, the whole path a user's command takes: shell command → VFS (descriptors, path
# walk) → ext2 → block layer request queue → ata_piix driver → emulated PIIX3 IDE → image file.
# A disk made by the real mkfs.ext2 -d holds a FILE_MIB file of random bytes; one ./alos run
# reads it (sha256sum), copies it (cp: read + write) and reads the copy, each inside `time`.
# Usage: bench/vfs.sh [FILE_MIB (32)]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mib="${1:-32}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/tree"
head -c "$((mib << 20))" /dev/urandom > "$work/tree/big"
mkfs.ext2 -q -F -b 4096 -d "$work/tree" "$work/disk.img" "$((mib * 3 + 16))M" >/dev/null 2>&1
out="$("$root/alos" -drive "file=$work/disk.img" -c "mount /dev/hda /mnt; \
  time { sha256sum /mnt/big }; time { cp /mnt/big /mnt/copy }; time { sync }; time { sha256sum /mnt/copy }" 2>/dev/null)"
echo "$out" | grep -v "^elapsed" | sed 's/  .*//' | sort | uniq -c | awk '{print "sha256:", $2, ($1 == 2 ? "(copy identical)" : "(copy DIFFERS)")}'
sha256sum "$work/tree/big" | sed 's/  .*/ (host)/'
ms=($(echo "$out" | sed -n 's/^elapsed \([0-9.]*\) ms$/\1/p'))
awk -v mib="$mib" -v r="${ms[0]}" -v c="${ms[1]}" -v s="${ms[2]}" -v r2="${ms[3]}" 'BEGIN {
  printf "read  %d MiB (sha256sum): %8.1f ms  %6.1f MB/s\n", mib, r, mib * 1.048576 / (r / 1000)
  printf "copy  %d MiB (cp):        %8.1f ms  %6.1f MB/s\n", mib, c, mib * 1.048576 / (c / 1000)
  printf "sync after the copy:      %8.1f ms\n", s
  printf "read  the copy:           %8.1f ms  %6.1f MB/s\n", r2, mib * 1.048576 / (r2 / 1000)
}'

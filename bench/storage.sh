#!/usr/bin/env bash
# Sequential write and read of a SIZE MiB file (default 256) through the whole storage path:
# shell command → VFS → ext2 → block layer → ata_piix → emulated PIIX3 IDE → image file, once
# with bus-master DMA and once with the driver forced to PIO.
# The source file is random bytes put on the disk by the real mkfs.ext2 -d; inside the machine it
# is first copied to /tmp (ramfs, in memory), so the timed write reads from memory:
#   write: time { cp /tmp/src /mnt/dst; sync }      (ext2 allocation, data and metadata to disk)
#   read:  time { cp /mnt/dst /dev/null }           (after umount and mount: nothing cached)
# and sha256sum checks the copy against the host's. Usage: bench/storage.sh [SIZE_MIB]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mib="${1:-256}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/tree"
head -c "$((mib << 20))" /dev/urandom > "$work/tree/src"
want=$(sha256sum "$work/tree/src" | cut -d' ' -f1)

"$root/alos" -c 'lb -s' >/dev/null 2>&1 # builds the distribution if needed
cp -r "$root/distribution/target/alosj/conf" "$work/conf-pio"
echo 'pio=true' > "$work/conf-pio/org.alosj.drivers.ata.cfg"

run() { # MODE [--conf DIR]
  local mode="$1"; shift
  mkfs.ext2 -q -F -b 4096 -d "$work/tree" "$work/disk-$mode.img" "$((mib * 2 + 64))M" >/dev/null 2>&1
  local out
  out=$("$root/alos" "$@" -m $((mib * 2 + 256)) -drive "file=$work/disk-$mode.img" -c "mount /dev/hda /mnt; \
    cp /mnt/src /tmp/src; time { cp /tmp/src /mnt/dst; sync }; umount /mnt; mount /dev/hda /mnt; \
    time { cp /mnt/dst /dev/null }; sha256sum /mnt/dst" 2>&1) || { echo "$out"; exit 1; }
  local ms=($(echo "$out" | sed -n 's/^elapsed \([0-9.]*\) ms$/\1/p'))
  echo "$out" | grep -q "^$want" || { echo "$out"; echo "$mode: the copy differs" >&2; exit 1; }
  awk -v mode="$mode" -v mib="$mib" -v w="${ms[0]}" -v r="${ms[1]}" 'BEGIN {
    printf "%-4s write %d MiB: %8.1f ms %7.1f MB/s   read: %8.1f ms %7.1f MB/s   (copy identical)\n",
      mode, mib, w, mib * 1.048576 / (w / 1000), r, mib * 1.048576 / (r / 1000) }'
}
run DMA
run PIO --conf "$work/conf-pio"

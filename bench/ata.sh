#!/usr/bin/env bash
# Raw block speed of an ATA disk on the PIIX3 IDE controller, through the BlockDevice the
# ata_piix driver registers (no filesystem): sequential writes then reads of SIZE MiB (default
# 256) in 1 MiB requests ('blkbench'), once with bus-master DMA and once with the driver forced
# to PIO (64 MiB: PIO is slow), plus hdparm -t (3 s of sequential reads) on DMA.
# The disk is a scratch raw image in a temporary directory, deleted afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size="${1:-256}"
pio_size=$(( size < 64 ? size : 64 ))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
truncate -s "$(( size + 16 ))M" "$work/disk.img"

"$root/alos" -c 'lb -s' >/dev/null 2>&1 # builds the distribution if needed
cp -r "$root/distribution/target/alosj/conf" "$work/conf-pio"
echo 'pio=true' > "$work/conf-pio/org.alosj.drivers.ata.cfg"

dma=$("$root/alos" -m 512 -drive "file=$work/disk.img" -c "blkbench hda $size; hdparm -t hda" 2>&1) \
  || { echo "$dma"; exit 1; }
pio=$("$root/alos" --conf "$work/conf-pio" -m 512 -drive "file=$work/disk.img" -c "blkbench hda $pio_size" 2>&1) \
  || { echo "$pio"; exit 1; }

echo "DMA: $(echo "$dma" | grep '^hda:')"
echo "DMA: hdparm -t:$(echo "$dma" | grep 'Timing buffered' | sed 's/.*reads://')"
echo "PIO: $(echo "$pio" | grep '^hda:')"

package org.alosj.kernel.impl.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.alosj.kernel.device.BlockDevice;

/**
 * The MBR partition table: four primary entries at offset 446 of sector 0 (signature 0x55 0xAA
 * at 510), an extended partition (type 0x05, 0x0F or 0x85) holding a chain of EBRs, each with a
 * logical partition (relative to that EBR) and the link to the next (relative to the extended
 * partition's start). Logical partitions are numbered from 5, as Linux numbers them. Nothing on
 * the disk is trusted: an entry past the end of the disk is skipped with a problem, a looping
 * chain stops.
 */
final class MbrPartitionTable {
    static final int SIGNATURE_OFFSET = 510;
    static final int TABLE_OFFSET = 446;
    static final int ENTRY_SIZE = 16;
    static final int MAX_LOGICAL = 60;
    static final int TYPE_GPT_PROTECTIVE = 0xEE;

    /** One partition: its number and extent, in sectors. */
    record Partition(int number, int type, long start, long sectors) {
    }

    /** What the table holds and what was wrong with it (each one log line). */
    record Result(List<Partition> partitions, List<String> problems) {
    }

    private MbrPartitionTable() {
    }

    static boolean isExtended(int type) {
        return type == 0x05 || type == 0x0F || type == 0x85;
    }

    static Result read(BlockDevice disk) throws IOException {
        List<Partition> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long diskSectors = disk.sectorCount();
        ByteBuffer mbr = sector(disk, 0);
        if (mbr == null || (mbr.get(SIGNATURE_OFFSET) & 0xFF) != 0x55 || (mbr.get(SIGNATURE_OFFSET + 1) & 0xFF) != 0xAA) {
            return new Result(found, problems); // no table: the whole disk is one filesystem, or empty
        }
        for (int i = 0; i < 4; i++) {
            int status = mbr.get(TABLE_OFFSET + i * ENTRY_SIZE) & 0xFF;
            if (status != 0x00 && status != 0x80) {
                // Linux's test too: a FAT boot sector also ends in 55 AA, a partition table has these.
                problems.add("no partition table: entry " + (i + 1) + " has boot indicator 0x"
                        + Integer.toHexString(status) + " (expected 0x00 or 0x80)");
                return new Result(List.of(), problems);
            }
        }
        long extendedStart = -1;
        long extendedSectors = 0;
        for (int i = 0; i < 4; i++) {
            int at = TABLE_OFFSET + i * ENTRY_SIZE;
            int type = mbr.get(at + 4) & 0xFF;
            long start = Integer.toUnsignedLong(mbr.getInt(at + 8));
            long sectors = Integer.toUnsignedLong(mbr.getInt(at + 12));
            if (type == 0 || sectors == 0) {
                continue;
            }
            if (type == TYPE_GPT_PROTECTIVE) {
                problems.add("GPT protective entry " + (i + 1) + ": GUID partition tables are not supported");
                continue;
            }
            if (!fits(start, sectors, diskSectors)) {
                problems.add("partition " + (i + 1) + " (start " + start + ", " + sectors
                        + " sectors) goes beyond the end of the disk (" + diskSectors + " sectors): skipped");
                continue;
            }
            if (isExtended(type)) {
                if (extendedStart >= 0) {
                    problems.add("partition " + (i + 1) + ": a second extended partition: skipped");
                    continue;
                }
                extendedStart = start;
                extendedSectors = sectors;
            }
            found.add(new Partition(i + 1, type, start, sectors));
        }
        if (extendedStart >= 0) {
            readLogical(disk, extendedStart, extendedSectors, found, problems);
        }
        return new Result(found, problems);
    }

    private static boolean fits(long start, long sectors, long limit) {
        return start > 0 && start < limit && sectors <= limit - start;
    }

    private static void readLogical(BlockDevice disk, long extStart, long extSectors, List<Partition> found,
                                    List<String> problems) throws IOException {
        long ebr = extStart;
        Set<Long> seen = new HashSet<>();
        int number = 5;
        while (true) {
            if (!seen.add(ebr)) {
                problems.add("extended partition: the EBR chain loops back to sector " + ebr + ": stopped");
                return;
            }
            if (number - 4 > MAX_LOGICAL) {
                problems.add("extended partition: more than " + MAX_LOGICAL + " logical partitions: stopped");
                return;
            }
            ByteBuffer b = sector(disk, ebr);
            if (b == null || (b.get(SIGNATURE_OFFSET) & 0xFF) != 0x55 || (b.get(SIGNATURE_OFFSET + 1) & 0xFF) != 0xAA) {
                problems.add("extended partition: no EBR signature at sector " + ebr + ": stopped");
                return;
            }
            int type = b.get(TABLE_OFFSET + 4) & 0xFF;
            long start = Integer.toUnsignedLong(b.getInt(TABLE_OFFSET + 8));
            long sectors = Integer.toUnsignedLong(b.getInt(TABLE_OFFSET + 12));
            if (type != 0 && sectors != 0) {
                long absolute = ebr + start;
                if (start == 0 || !fits(absolute - extStart, sectors, extSectors)) {
                    problems.add("logical partition " + number + " (start " + absolute + ", " + sectors
                            + " sectors) lies outside its extended partition (" + extStart + "+" + extSectors
                            + "): skipped");
                } else {
                    found.add(new Partition(number, type, absolute, sectors));
                }
                number++;
            }
            int linkAt = TABLE_OFFSET + ENTRY_SIZE;
            int linkType = b.get(linkAt + 4) & 0xFF;
            long next = Integer.toUnsignedLong(b.getInt(linkAt + 8));
            if (linkType == 0 || next == 0) {
                return;
            }
            if (!isExtended(linkType) || next >= extSectors) {
                problems.add("extended partition: bad link to the next EBR (type 0x" + Integer.toHexString(linkType)
                        + ", offset " + next + "): stopped");
                return;
            }
            ebr = extStart + next;
        }
    }

    private static ByteBuffer sector(BlockDevice disk, long lba) throws IOException {
        int size = disk.sectorSize();
        if (size < 512 || lba >= disk.sectorCount()) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        disk.read(lba, b);
        b.clear();
        return b;
    }
}

package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disks end to end, as a user runs them: {@code ./alos -drive file=IMG}, the PIIX3 IDE function
 * at 00:01.1 bound by ata_piix, the disk as a BlockDevice, and the real lspci decoding our
 * configuration space like QEMU's.
 */
class AtaDistributionTest {
    /** The real lspci -F -vvv decoding of QEMU 7.2's 00:01.1 after Linux's ata_piix bound it. */
    static final List<String> QEMU_VVV = List.of(
            "00:01.1 IDE interface: Intel Corporation 82371SB PIIX3 IDE [Natoma/Triton II] (prog-if 80 "
                    + "[ISA Compatibility mode-only controller, supports bus mastering])",
            "\tSubsystem: Red Hat, Inc. Qemu virtual machine",
            "\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR+ FastB2B- DisINTx-",
            "\tStatus: Cap- 66MHz- UDF- FastB2B+ ParErr- DEVSEL=medium >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-",
            "\tLatency: 0",
            "\tRegion 4: I/O ports at c0e0");

    @TempDir
    Path tmp;
    final DistributionTest launcher = new DistributionTest();

    @BeforeAll
    static void findDistribution() {
        DistributionTest.findDistribution();
    }

    @BeforeEach
    void share() {
        launcher.tmp = tmp;
    }

    private Path image(String name, int mib) throws Exception {
        Path p = tmp.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength((long) mib << 20);
            f.write("ALOS/J sector zero".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return p;
    }

    @Test
    void a_drive_on_the_command_line_is_bound_by_ata_piix_and_identifies_itself() throws Exception {
        Path img = image("hda.img", 32);
        AlosProcess.Result r = launcher.alos("-drive", "file=" + img, "-c", "lspci -k -s 01.1; hdparm -I hda");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("00:01.1 IDE interface: Intel Corporation 82371SB PIIX3 IDE [Natoma/Triton II]"),
                r.out());
        assertTrue(r.out().contains("Kernel driver in use: ata_piix"), r.out());
        assertTrue(r.out().contains("Model Number:       ALOSJ HARDDISK"), r.out());
        assertTrue(r.out().contains("LBA48  user addressable sectors: 65536"), r.out());
        assertTrue(r.out().contains("Transfer: bus-master DMA"), r.out());
    }

    @Test
    void the_ide_function_is_there_without_disks_too() throws Exception {
        // -nodefaults: without it the machine gets its default disk as hda.
        AlosProcess.Result r = launcher.alos("-nodefaults", "-c", "lspci -k -s 01.1; hdparm -I hda");
        assertEquals(1, r.status(), "hdparm finds no disk");
        assertTrue(r.out().contains("Kernel driver in use: ata_piix"), r.out());
        assertTrue(r.err().contains("no ATA disk named 'hda'"), r.err());
    }

    @Test
    void real_lspci_decodes_the_ide_function_like_qemus() throws Exception {
        Path img = image("hda.img", 8);
        AlosProcess.Result r = launcher.alos("-drive", "file=" + img, "-c", "lspci -xxx -s 01.1");
        assertEquals(0, r.status(), r.err());
        Path dump = tmp.resolve("dump.txt");
        Files.writeString(dump, r.out());
        String decoded = DistributionTest.run("lspci", "-F", dump.toString(), "-vvv");
        // (lspci -vvv also looks for kernel modules, and may say on stderr that it cannot.)
        List<String> lines = decoded.strip().lines().filter(l -> !l.startsWith("lspci:")).toList();
        assertEquals(QEMU_VVV.size(), lines.size(), decoded);
        for (int i = 0; i < QEMU_VVV.size() - 1; i++) {
            assertEquals(QEMU_VVV.get(i), lines.get(i));
        }
        // BAR addresses are whoever placed them: only the kind of region has to match.
        assertTrue(lines.get(lines.size() - 1).matches("\tRegion 4: I/O ports at c[0-9a-f]{3}"), decoded);
    }

    @Test
    void blkbench_writes_and_reads_the_image_through_the_block_device_with_dma() throws Exception {
        Path img = image("hdb.img", 16);
        AlosProcess.Result r = launcher.alos("-drive", "file=" + img + ",index=1", "-c", "blkbench hdb 4");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*hdb: write 4 MiB in .* MB/s; read 4 MiB in .* MB/s\\s*"), r.out());
        byte[] start = new byte[16];
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.readFully(start);
        }
        assertFalse(new String(start, java.nio.charset.StandardCharsets.US_ASCII).startsWith("ALOS/J"),
                "the image holds what the guest wrote");
    }

    @Test
    void a_read_only_drive_refuses_writes_and_keeps_its_bytes() throws Exception {
        Path img = image("ro.img", 8);
        byte[] before = Files.readAllBytes(img);
        AlosProcess.Result r = launcher.alos("-drive", "file=" + img + ",readonly=on", "-c", "blkbench hda 1");
        assertEquals(1, r.status(), r.out() + r.err());
        // The medium says it is write-protected (GET MEDIA STATUS): the OS refuses before the disk
        // has to (the model's ABRT for writes is ModelTest's).
        assertTrue(r.err().contains("blkbench: hda is read-only"), r.err());
        assertArrayEquals(before, Files.readAllBytes(img));
    }

    @Test
    void a_bad_drive_flag_gets_one_line_and_status_2() throws Exception {
        AlosProcess.Result missing = launcher.alos("-drive", "file=" + tmp.resolve("nope.img"));
        assertEquals(2, missing.status());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.img does not exist"), missing.err());
        Path img = image("a.img", 1);
        AlosProcess.Result twice = launcher.alos("-drive", "file=" + img + ",index=0", "-drive",
                "file=" + img + ",index=0");
        assertEquals(2, twice.status());
        assertTrue(twice.err().contains("index=0 is already used"), twice.err());
    }
}

package org.alosj.kernel.impl.proc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Broken copies of a real static executable, for the ELF loader's bad-input tests: named mutants
 * that each break one rule the loader must enforce (truncated headers, wrong class or machine,
 * bad phnum or phentsize, segments past the file end, huge, unaligned, overlapping or in the
 * kernel half, the entry point outside any executable segment, a bad PT_TLS …), and a corpus
 * drawn with a fixed seed that overwrites header fields with edge values, flips bits and cuts
 * the file short. The same seed and program give the same corpus, so a failure names a mutant
 * that can be made again.
 *
 * <p>Used by the loader's unit test and, through kernel-core's test jar, by the end-to-end test
 * that execs the mutants on the machine.
 */
public final class ElfMutants {
    /** One mutant: a name saying what was done, its bytes, and whether the loader must refuse it. */
    public record Mutant(String name, byte[] file, boolean mustBeRefused) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final int PT_LOAD = 1;
    private static final int PT_INTERP = 3;
    private static final int PT_TLS = 7;
    private static final int PF_X = 1;
    private static final int PHENT = 56;

    /** ELF header fields: offset and size. */
    private static final int[][] HEADER_FIELDS = {
        {4, 1}, {5, 1}, {6, 1}, {16, 2}, {18, 2}, {20, 4}, {24, 8}, {32, 8}, {40, 8}, {48, 4}, {52, 2}, {54, 2},
        {56, 2}, {58, 2}, {60, 2}, {62, 2}};
    /** Program header fields: type, flags, offset, vaddr, paddr, filesz, memsz, align. */
    private static final int[][] PHDR_FIELDS = {{0, 4}, {4, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 8}, {40, 8}, {48, 8}};

    private ElfMutants() {
    }

    /** A userland program's bytes, from the userland jar on the test class path; null when it was not built. */
    public static byte[] userlandProgram(String name) throws IOException {
        try (InputStream in = ElfMutants.class.getClassLoader().getResourceAsStream("bin/" + name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** The named mutants of {@code good}: each breaks one rule, and the loader must refuse every one. */
    public static List<Mutant> named(byte[] good) {
        Elf e = new Elf(good);
        int text = e.firstLoad(true);
        int data = e.lastLoad();
        int other = e.firstNonLoad();
        long textVa = e.ph(text, 16);
        long textMem = e.ph(text, 40);
        List<Mutant> m = new ArrayList<>();
        m.add(new Mutant("empty-file", new byte[0], true));
        for (int n : new int[] {4, 16, 52, 63}) {
            m.add(new Mutant("header-cut-to-" + n, Arrays.copyOf(good, n), true));
        }
        m.add(new Mutant("program-headers-cut-short",
            Arrays.copyOf(good, (int) (e.phoff + (long) e.phnum * PHENT - 1)), true));
        m.add(e.mutant("class-elf32", true, b -> b.put(4, (byte) 1)));
        m.add(e.mutant("big-endian", true, b -> b.put(5, (byte) 2)));
        m.add(e.mutant("ident-version-0", true, b -> b.put(6, (byte) 0)));
        m.add(e.mutant("bad-magic", true, b -> b.put(1, (byte) 'X')));
        m.add(e.mutant("machine-i386", true, b -> b.putShort(18, (short) 3)));
        m.add(e.mutant("machine-aarch64", true, b -> b.putShort(18, (short) 183)));
        m.add(e.mutant("type-relocatable", true, b -> b.putShort(16, (short) 1)));
        m.add(e.mutant("type-core", true, b -> b.putShort(16, (short) 4)));
        m.add(e.mutant("phentsize-0", true, b -> b.putShort(54, (short) 0)));
        m.add(e.mutant("phentsize-32", true, b -> b.putShort(54, (short) 32)));
        m.add(e.mutant("phentsize-64", true, b -> b.putShort(54, (short) 64)));
        m.add(e.mutant("phnum-0", true, b -> b.putShort(56, (short) 0)));
        m.add(e.mutant("phnum-65535", true, b -> b.putShort(56, (short) 0xFFFF)));
        m.add(e.mutant("phoff-at-file-end", true, b -> b.putLong(32, good.length)));
        m.add(e.mutant("phoff-negative", true, b -> b.putLong(32, Long.MIN_VALUE)));
        m.add(e.mutant("phoff-wraps-around", true, b -> b.putLong(32, -PHENT)));
        m.add(e.mutant("segment-offset-past-file-end", true, b -> b.putLong(e.at(text, 8), good.length + 0x1000L)));
        m.add(e.mutant("segment-filesz-past-file-end", true, b -> b.putLong(e.at(text, 32), good.length)));
        m.add(e.mutant("segment-filesz-huge", true, b -> b.putLong(e.at(text, 32), Long.MAX_VALUE)));
        m.add(e.mutant("segment-filesz-above-memsz", true, b -> b.putLong(e.at(data, 40), e.ph(data, 32) - 1)));
        m.add(e.mutant("segment-memsz-huge", true, b -> b.putLong(e.at(data, 40), 0x7FFF_FFFF_0000L)));
        m.add(e.mutant("segment-memsz-all-ones", true, b -> b.putLong(e.at(data, 40), -1L)));
        m.add(e.mutant("segment-unaligned", true, b -> b.putLong(e.at(text, 16), textVa + 1)));
        m.add(e.mutant("segment-at-address-0", true, b -> b.putLong(e.at(text, 16), textVa & 0xFFF)));
        m.add(e.mutant("segment-in-kernel-half", true, b -> b.putLong(e.at(text, 16), 0xFFFF_8000_0000_0000L | (textVa & 0xFFF))));
        m.add(e.mutant("segment-non-canonical", true, b -> b.putLong(e.at(text, 16), 0x4000_0000_0000_0000L | (textVa & 0xFFF))));
        m.add(e.mutant("segment-up-to-the-stack", true, b -> b.putLong(e.at(data, 16), 0x7FFF_FFFF_E000L | (e.ph(data, 16) & 0xFFF))));
        m.add(e.mutant("segments-overlap", true, b -> b.putLong(e.at(data, 16), textVa + (e.ph(data, 8) & 0xFFF))));
        m.add(e.mutant("segment-duplicated", true, b -> b.put(e.at(data, 0), Arrays.copyOfRange(good, e.at(text, 0), e.at(text, 0) + PHENT))));
        m.add(e.mutant("entry-at-0", true, b -> b.putLong(24, 0)));
        m.add(e.mutant("entry-in-kernel-half", true, b -> b.putLong(24, 0xFFFF_FFFF_8000_0000L)));
        m.add(e.mutant("entry-past-text", true, b -> b.putLong(24, textVa + textMem)));
        m.add(e.mutant("entry-in-data", true, b -> b.putLong(24, e.ph(data, 16))));
        m.add(e.mutant("text-not-executable", true, b -> b.putInt(e.at(text, 4), 4)));
        m.add(e.mutant("no-load-segment", true, b -> {
            for (int i = 0; i < e.phnum; i++) {
                if (e.type(i) == PT_LOAD) {
                    b.putInt(e.at(i, 0), 0);
                }
            }
        }));
        m.add(e.mutant("every-segment-zero-size", true, b -> {
            for (int i = 0; i < e.phnum; i++) {
                if (e.type(i) == PT_LOAD) {
                    b.putLong(e.at(i, 32), 0).putLong(e.at(i, 40), 0);
                }
            }
        }));
        m.add(e.mutant("interpreter", true, b -> b.putInt(e.at(other, 0), PT_INTERP)));
        m.add(e.mutant("tls-past-file-end", true, b -> tls(b, e.at(other, 0), good.length + 16L, 16, 16, 8)));
        m.add(e.mutant("tls-filesz-past-file-end", true, b -> tls(b, e.at(other, 0), 0x100, good.length, good.length, 8)));
        m.add(e.mutant("tls-filesz-above-memsz", true, b -> tls(b, e.at(other, 0), 0x100, 64, 32, 8)));
        m.add(e.mutant("tls-offset-negative", true, b -> tls(b, e.at(other, 0), Long.MIN_VALUE, 16, 16, 8)));
        m.add(e.mutant("tls-align-3", true, b -> tls(b, e.at(other, 0), 0x100, 16, 16, 3)));
        return m;
    }

    /**
     * Mutants the loader may load, each then either running or dying by a signal in user mode:
     * a zero-size segment at the text segment's address (Linux maps nothing for it), a 16 GiB
     * bss (demand paging: untouched pages cost nothing), a PT_TLS larger than memory (the C
     * library's TLS set-up fails), and a PT_PHDR that points nowhere (AT_PHDR is then wild).
     */
    public static List<Mutant> loadable(byte[] good) {
        Elf e = new Elf(good);
        int text = e.firstLoad(true);
        int data = e.lastLoad();
        int other = e.firstNonLoad();
        List<Mutant> m = new ArrayList<>();
        m.add(e.mutant("zero-size-segment-at-text", false, b -> {
            int ph = e.at(other, 0);
            b.putInt(ph, PT_LOAD).putInt(ph + 4, 4).putLong(ph + 8, e.ph(text, 8)).putLong(ph + 16, e.ph(text, 16))
                .putLong(ph + 32, 0).putLong(ph + 40, 0).putLong(ph + 48, 0x1000);
        }));
        m.add(e.mutant("bss-16-gib", false, b -> b.putLong(e.at(data, 40), 16L << 30)));
        m.add(e.mutant("tls-memsz-huge", false, b -> tls(b, e.at(other, 0), e.ph(data, 8), 0, 1L << 46, 8)));
        m.add(e.mutant("phdr-points-nowhere", false, b -> b.putInt(e.at(other, 0), 6).putLong(e.at(other, 16), 0xDEAD_0000L)));
        return m;
    }

    private static void tls(ByteBuffer b, int ph, long offset, long filesz, long memsz, long align) {
        b.putInt(ph, PT_TLS).putInt(ph + 4, 4).putLong(ph + 8, offset).putLong(ph + 32, filesz)
            .putLong(ph + 40, memsz).putLong(ph + 48, align);
    }

    /**
     * {@code count} mutants of {@code good} drawn with {@code seed}: one to three changes each, a
     * header or program header field set to an edge value, a few bits flipped in the headers, or
     * the file cut short. The loader may refuse them or load them (a harmless change, or one the
     * program itself trips over), never anything else.
     */
    public static List<Mutant> random(byte[] good, long seed, int count) {
        Elf e = new Elf(good);
        Random r = new Random(seed);
        List<Mutant> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            byte[] f = good.clone();
            StringBuilder name = new StringBuilder(String.format("random-%03d", n));
            int changes = 1 + r.nextInt(3);
            for (int c = 0; c < changes; c++) {
                ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
                switch (r.nextInt(6)) {
                    case 0, 1 -> {
                        int[] field = PHDR_FIELDS[r.nextInt(PHDR_FIELDS.length)];
                        int ph = r.nextInt(e.phnum);
                        int at = e.at(ph, field[0]);
                        long v = edgeValue(r, e.get(b, at, field[1]), good.length);
                        put(b, at, field[1], v);
                        name.append(String.format("-ph%d@%d=%#x", ph, field[0], v));
                    }
                    case 2 -> {
                        int[] field = HEADER_FIELDS[r.nextInt(HEADER_FIELDS.length)];
                        long v = edgeValue(r, e.get(b, field[0], field[1]), good.length);
                        put(b, field[0], field[1], v);
                        name.append(String.format("-eh@%d=%#x", field[0], v));
                    }
                    case 3, 4 -> {
                        int headers = (int) Math.min(f.length, e.phoff + (long) e.phnum * PHENT);
                        int at = r.nextInt(headers);
                        f[at] ^= (byte) (1 << r.nextInt(8));
                        name.append("-flip@").append(at);
                    }
                    default -> {
                        int length = r.nextInt(f.length);
                        f = Arrays.copyOf(f, length);
                        name.append("-cut@").append(length);
                    }
                }
                if (f.length < good.length) {
                    break; // a cut file has no room left for the other changes
                }
            }
            out.add(new Mutant(name.toString(), f, false));
        }
        return out;
    }

    private static long edgeValue(Random r, long original, int fileLength) {
        return switch (r.nextInt(14)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> Long.MIN_VALUE;
            case 4 -> Long.MAX_VALUE;
            case 5 -> fileLength;
            case 6 -> fileLength + 1L;
            case 7 -> 0xFFF;
            case 8 -> 1L << 47;
            case 9 -> 0xFFFF_8000_0000_0000L;
            case 10 -> original + 1;
            case 11 -> original - 0x1000;
            case 12 -> original * 2;
            default -> r.nextLong();
        };
    }

    private static void put(ByteBuffer b, int at, int size, long v) {
        switch (size) {
            case 1 -> b.put(at, (byte) v);
            case 2 -> b.putShort(at, (short) v);
            case 4 -> b.putInt(at, (int) v);
            default -> b.putLong(at, v);
        }
    }

    /** Where the good file keeps its program headers, read once (the good file is trusted). */
    private static final class Elf {
        final byte[] good;
        final ByteBuffer b;
        final long phoff;
        final int phnum;

        Elf(byte[] good) {
            this.good = good;
            this.b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
            this.phoff = b.getLong(32);
            this.phnum = Short.toUnsignedInt(b.getShort(56));
            if (b.getInt(0) != 0x464C457F || Short.toUnsignedInt(b.getShort(54)) != PHENT || lastLoad() < 0
                    || firstLoad(true) < 0 || firstNonLoad() < 0) {
                throw new IllegalArgumentException("not a static x86-64 executable with a text segment and a"
                    + " non-load program header to retype");
            }
        }

        int at(int ph, int field) {
            return (int) (phoff + (long) ph * PHENT + field);
        }

        int type(int ph) {
            return b.getInt(at(ph, 0));
        }

        long ph(int ph, int field) {
            return b.getLong(at(ph, field));
        }

        int firstLoad(boolean executable) {
            for (int i = 0; i < phnum; i++) {
                if (type(i) == PT_LOAD && (!executable || (b.getInt(at(i, 4)) & PF_X) != 0)) {
                    return i;
                }
            }
            return -1;
        }

        int lastLoad() {
            int last = -1;
            for (int i = 0; i < phnum; i++) {
                if (type(i) == PT_LOAD) {
                    last = i;
                }
            }
            return last;
        }

        int firstNonLoad() {
            for (int i = 0; i < phnum; i++) {
                if (type(i) != PT_LOAD) {
                    return i;
                }
            }
            return -1;
        }

        long get(ByteBuffer m, int at, int size) {
            return switch (size) {
                case 1 -> m.get(at);
                case 2 -> m.getShort(at);
                case 4 -> m.getInt(at);
                default -> m.getLong(at);
            };
        }

        Mutant mutant(String name, boolean mustBeRefused, Consumer<ByteBuffer> change) {
            byte[] f = good.clone();
            change.accept(ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN));
            return new Mutant(name, f, mustBeRefused);
        }
    }
}

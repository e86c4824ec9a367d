package org.alosj.userland;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Just enough of an ELF64 little-endian file to tell how a program was built: its machine,
 * whether it asks for an interpreter (PT_INTERP: dynamically linked), its section names and the
 * function symbols of .symtab (what gdb needs for {@code break main}).
 */
record Elf(int type, int machine, boolean hasInterpreter, Set<String> sections, Set<String> functionSymbols) {
    static final int EM_X86_64 = 62;
    private static final int PT_INTERP = 3;
    private static final int SHT_SYMTAB = 2;
    private static final int STT_FUNC = 2;

    static Elf read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 64 || b.getInt(0) != 0x464C457F || b.get(4) != 2 || b.get(5) != 1) {
            throw new IOException(file + ": not an ELF64 little-endian file");
        }
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        long phoff = b.getLong(32);
        long shoff = b.getLong(40);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        int shentsize = Short.toUnsignedInt(b.getShort(58));
        int shnum = Short.toUnsignedInt(b.getShort(60));
        int shstrndx = Short.toUnsignedInt(b.getShort(62));

        boolean interpreter = false;
        for (int i = 0; i < phnum; i++) {
            interpreter |= b.getInt((int) (phoff + (long) i * phentsize)) == PT_INTERP;
        }
        Set<String> sections = new TreeSet<>();
        Set<String> functions = new TreeSet<>();
        long names = b.getLong((int) (shoff + (long) shstrndx * shentsize + 24));
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            sections.add(string(b, names + Integer.toUnsignedLong(b.getInt(sh))));
            if (b.getInt(sh + 4) == SHT_SYMTAB) {
                long offset = b.getLong(sh + 24);
                long size = b.getLong(sh + 32);
                long entsize = b.getLong(sh + 56);
                int strtab = (int) (shoff + (long) b.getInt(sh + 40) * shentsize);
                long strings = b.getLong(strtab + 24);
                for (long sym = offset; sym + entsize <= offset + size; sym += entsize) {
                    if ((b.get((int) sym + 4) & 0xF) == STT_FUNC) {
                        functions.add(string(b, strings + Integer.toUnsignedLong(b.getInt((int) sym))));
                    }
                }
            }
        }
        return new Elf(type, machine, interpreter, sections, functions);
    }

    private static String string(ByteBuffer b, long at) {
        int start = (int) at;
        int end = start;
        while (b.get(end) != 0) {
            end++;
        }
        return new String(b.array(), start, end - start, StandardCharsets.ISO_8859_1);
    }
}

package org.alosj.shell.impl;

import java.io.PrintStream;

/**
 * hexdump's two common formats, fed a buffer at a time: {@code -C} (offset, 16 bytes in two
 * groups of 8, the printable ASCII between bars) and the default (offset and eight 16-bit
 * little-endian words). A line equal to the one before prints as a single {@code *}, and the
 * dump ends with the offset past the last byte, as util-linux's hexdump does.
 */
final class HexDump {
    private final PrintStream out;
    private final boolean canonical;
    private final byte[] line = new byte[16];
    private final byte[] previous = new byte[16];
    private int filled;
    private long offset;
    private boolean havePrevious;
    private boolean starred;
    private boolean fed;

    HexDump(PrintStream out, boolean canonical, long start) {
        this.out = out;
        this.canonical = canonical;
        this.offset = start;
    }

    void feed(byte[] data, int length) {
        fed |= length > 0;
        for (int i = 0; i < length; i++) {
            line[filled++] = data[i];
            if (filled == 16) {
                emit(16);
            }
        }
    }

    private void emit(int n) {
        if (n == 16 && havePrevious && java.util.Arrays.equals(line, previous)) {
            if (!starred) {
                out.println("*");
                starred = true;
            }
        } else {
            starred = false;
            out.println(canonical ? canonicalLine(n) : wordLine(n));
        }
        System.arraycopy(line, 0, previous, 0, 16);
        havePrevious = n == 16;
        offset += n;
        filled = 0;
    }

    private String canonicalLine(int n) {
        StringBuilder b = new StringBuilder(String.format("%08x ", offset));
        for (int i = 0; i < 16; i++) {
            if (i == 8) {
                b.append(' ');
            }
            b.append(i < n ? String.format(" %02x", line[i] & 0xFF) : "   ");
        }
        b.append("  |");
        for (int i = 0; i < n; i++) {
            int c = line[i] & 0xFF;
            b.append(c >= 0x20 && c < 0x7F ? (char) c : '.');
        }
        return b.append('|').toString();
    }

    private String wordLine(int n) {
        StringBuilder b = new StringBuilder(String.format("%07x", offset));
        for (int i = 0; i < n; i += 2) {
            int lo = line[i] & 0xFF;
            int hi = i + 1 < n ? line[i + 1] & 0xFF : 0;
            b.append(String.format(" %04x", hi << 8 | lo));
        }
        for (int i = (n + 1) / 2; i < 8; i++) {
            b.append("     "); // a short last line keeps the full width, as util-linux pads it
        }
        return b.toString();
    }

    void end() {
        if (filled > 0) {
            emit(filled);
        }
        if (!fed) {
            return; // nothing at all: hexdump prints nothing, not even the offset
        }
        out.println(canonical ? String.format("%08x", offset) : String.format("%07x", offset));
    }
}

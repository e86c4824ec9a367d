package org.alosj.shell.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our hexdump prints what util-linux's hexdump prints for the same bytes, both formats. */
class HexDumpTest {
    @TempDir
    Path tmp;

    static String real(Path file, String... options) throws Exception {
        String[] cmd = new String[options.length + 2];
        cmd[0] = "hexdump";
        System.arraycopy(options, 0, cmd, 1, options.length);
        cmd[cmd.length - 1] = file.toString();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    static String ours(byte[] data, boolean canonical, int chunk) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(b, true, StandardCharsets.UTF_8);
        HexDump d = new HexDump(out, canonical, 0);
        for (int i = 0; i < data.length; i += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(data, i, Math.min(data.length, i + chunk));
            d.feed(part, part.length);
        }
        d.end();
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void canonical_and_default_formats_match_util_linux_hexdump() throws Exception {
        byte[] data = new byte[1000];
        new Random(5).nextBytes(data);
        java.util.Arrays.fill(data, 100, 200, (byte) 0); // repeated lines: one '*'
        System.arraycopy("Hello, ALOS/J!\n".getBytes(), 0, data, 300, 15);
        Path f = tmp.resolve("data.bin");
        for (int length : new int[] {1000, 999, 17, 1, 0}) {
            byte[] d = java.util.Arrays.copyOf(data, length);
            Files.write(f, d);
            assertEquals(real(f, "-C"), ours(d, true, 7), "-C, " + length + " bytes");
            assertEquals(real(f), ours(d, false, 64), "default, " + length + " bytes");
        }
    }
}

package org.alosj.itests;

import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Real host tools (mkfs.ext2, e2fsck, debugfs …) run from inside the Pax Exam suites. */
final class HostCommands {
    private HostCommands() {
    }

    /** Runs {@code command} to its end (at most 120 s): its exit status, a newline, then its output. */
    static String statusAndOutput(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(String.join(" ", command) + " finishes", p.waitFor(120, TimeUnit.SECONDS));
        return p.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
    }
}

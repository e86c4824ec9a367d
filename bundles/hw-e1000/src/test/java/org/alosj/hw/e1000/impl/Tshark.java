package org.alosj.hw.e1000.impl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tshark on a capture: one line of comma-separated fields per packet. */
final class Tshark {
    private Tshark() {
    }

    static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "tshark");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return Path.of("/usr/bin/tshark");
    }

    /** Skips the test where tshark is missing; with CI=true a missing tshark fails it instead. */
    static void assumeInstalled() {
        boolean installed = Files.isExecutable(binary());
        if (!installed && "true".equals(System.getenv("CI"))) {
            fail("tshark is not installed (CI=true: tests against real tools must run)");
        }
        assumeTrue(installed, "tshark is not installed");
    }

    static List<String> fields(Path capture, String... fields) throws IOException, InterruptedException {
        return fields(capture, List.of(), fields);
    }

    /** The same with tshark options ({@code -o pref:value}) before the fields. */
    static List<String> fields(Path capture, List<String> options, String... fields)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), "-r", capture.toString(), "-T", "fields",
                "-E", "separator=,"));
        cmd.addAll(options);
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("tshark -r " + capture + " failed");
        }
        String text = new String(out, StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}

package org.alosj.hw.pcnet.impl;

import org.alosj.testkit.RealPeers;

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

    static void assumeInstalled() {
        RealPeers.require(Files.isExecutable(binary()), "tshark is not installed");
    }

    static List<String> fields(Path capture, String... fields) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary().toString(), "-r", capture.toString(), "-T", "fields",
                "-E", "separator=,"));
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

package org.alosj.cpu.x86_64;

import org.alosj.testkit.RealPeers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The host's C toolchain, used by tests to build real programs and the native reference helper. */
public final class Toolchain {
    public static final Path WORK = Path.of("target", "cpu-tests");

    private Toolchain() {
    }

    public static boolean available(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    public static void assumeAvailable(String tool) {
        RealPeers.require(available(tool), tool + " is not installed (CI installs build-essential and musl-tools)");
    }

    /** Runs a command; returns stdout; fails with stderr on a non-zero exit. */
    public static byte[] run(List<String> command, byte[] stdin, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Process p = pb.start();
        Thread feeder = new Thread(() -> {
            try (var out = p.getOutputStream()) {
                if (stdin != null) {
                    out.write(stdin);
                }
            } catch (IOException ignored) {
                // the process may exit without reading
            }
        });
        feeder.start();
        byte[][] err = new byte[1][];
        Thread errReader = new Thread(() -> {
            try {
                err[0] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                err[0] = new byte[0];
            }
        });
        errReader.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        feeder.join();
        errReader.join();
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + ": " + command + "\n" + new String(err[0], StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Compiles {@code resource} (under src/test/resources/cpu) with {@code compiler}; cached by name. */
    public static Path compile(String compiler, String resource, String output, String... flags)
            throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        Path src = WORK.resolve(resource);
        try (var in = Toolchain.class.getResourceAsStream("/cpu/" + resource)) {
            if (in == null) {
                throw new IOException("missing test resource cpu/" + resource);
            }
            Files.write(src, in.readAllBytes());
        }
        Path exe = WORK.resolve(output);
        List<String> cmd = new ArrayList<>(List.of(compiler));
        List<String> libraries = new ArrayList<>();
        for (String f : flags) {
            (f.startsWith("-l") ? libraries : cmd).add(f); // libraries go after the source for the linker
        }
        cmd.addAll(List.of("-o", exe.toString(), src.toString()));
        cmd.addAll(libraries);
        run(cmd, null, 120);
        return exe;
    }
}

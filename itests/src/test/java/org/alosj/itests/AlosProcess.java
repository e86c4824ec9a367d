package org.alosj.itests;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ./alos as a user runs it, for the end-to-end suites: the distribution's launcher in a JVM of its
 * own, no terminal (stdin from /dev/null), stdout and stderr gathered, bounded in time. Public for
 * the suites of other packages (org.alosj.userland runs the userland's cases on the machine).
 */
public final class AlosProcess {
    public record Result(int status, String out, String err) {
    }

    private AlosProcess() {
    }

    /** The launcher's command line for the distribution at {@code dist}, its run directory {@code run}. */
    public static List<String> launcher(Path dist, Path run) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dalos.run=" + run, "-cp", dist.resolve("lib") + "/*", "org.alosj.launcher.Main",
                "--home", dist.toString()));
    }

    /** Runs {@code builder} to its end, at most {@code limitSeconds}; {@code what} names it in the failure. */
    public static Result run(ProcessBuilder builder, long limitSeconds, String what) throws Exception {
        return run(builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start(), limitSeconds,
                what);
    }

    /** As {@link #run(ProcessBuilder, long, String)}, with {@code input} written to its stdin, then closed. */
    public static Result run(ProcessBuilder builder, byte[] input, long limitSeconds, String what) throws Exception {
        Process p = builder.redirectInput(ProcessBuilder.Redirect.PIPE).start();
        Thread feeder = new Thread(() -> {
            try (var in = p.getOutputStream()) {
                in.write(input);
            } catch (IOException ignored) {
                // the process went away
            }
        });
        feeder.start();
        return run(p, limitSeconds, what);
    }

    private static Result run(Process p, long limitSeconds, String what) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process went away
            }
        });
        t.start();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish");
        }
        t.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

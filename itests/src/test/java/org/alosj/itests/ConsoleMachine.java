package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * ./alos with its console on a pipe, as {@code printf … | ./alos} feeds it, for suites that
 * type a command, watch the console or the kernel log, and type the next: the machine keeps
 * running between commands (background jobs, transfers). Every wait is bounded.
 */
final class ConsoleMachine implements AutoCloseable {
    private final Path dir;
    private final long stepSeconds;
    private final Process process;

    /** Boots the distribution with {@code args}; console and log go under {@code dir}. */
    ConsoleMachine(Path dir, long stepSeconds, String... args) throws IOException {
        this.dir = dir;
        this.stepSeconds = stepSeconds;
        List<String> cmd = AlosProcess.launcher(DistributionTest.dist, dir.resolve("run"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).directory(Files.createDirectories(dir.resolve("cwd")).toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(dir.resolve("console.out").toFile())
                .redirectError(dir.resolve("console.err").toFile()).start();
    }

    void type(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    String console() throws IOException {
        return Files.readString(dir.resolve("console.out")) + Files.readString(dir.resolve("console.err"));
    }

    String kernelLog() throws IOException {
        Path log = dir.resolve("run/alosj.log");
        return Files.isRegularFile(log) ? Files.readString(log) : "";
    }

    /** Waits (at most a step) until {@code done} holds for the kernel log; fails if the machine stops first. */
    void awaitLog(String what, Predicate<String> done) throws Exception {
        await(what, () -> done.test(kernelLog()));
    }

    void awaitLog(String text) throws Exception {
        awaitLog("'" + text + "' in the log", log -> log.contains(text));
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits (at most a step) until {@code done} holds; fails if the machine stops first. */
    void await(String what, Check done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(stepSeconds);
        while (!done.holds()) {
            if (!process.isAlive()) {
                fail("the machine stopped (status " + process.exitValue() + ") before " + what + ":\n" + console()
                        + "\n--- log ---\n" + kernelLog());
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + stepSeconds + " s:\n" + console() + "\n--- log ---\n" + kernelLog());
            }
            Thread.sleep(20);
        }
    }

    /** Types {@code commands} followed by an echo of a marker, and returns what they printed. */
    String run(String commands) throws Exception {
        String marker = "DONE-" + System.nanoTime();
        int from = Files.readString(dir.resolve("console.out")).length();
        type(commands + "; echo " + marker);
        await("'" + marker + "' on the console", () -> Files.readString(dir.resolve("console.out")).indexOf(
                marker + "\n", from) >= 0);
        String out = Files.readString(dir.resolve("console.out"));
        return out.substring(from, out.indexOf(marker + "\n", from));
    }

    /** poweroff, then the launcher's exit status (the machine must go down within a step). */
    int powerOff() throws Exception {
        type("poweroff");
        if (!process.waitFor(stepSeconds, TimeUnit.SECONDS)) {
            fail("the machine did not go down:\n" + console());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}

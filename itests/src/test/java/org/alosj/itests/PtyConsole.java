package org.alosj.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ./alos on a real pseudo-terminal (script(1) from util-linux), typed at as a person types:
 * one keystroke string at a time, waiting for what the console prints in between. The
 * terminal is given a size (80x24) as a terminal emulator gives one.
 */
final class PtyConsole implements AutoCloseable {
    private final Process process;
    private final OutputStream keys;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final Thread reader;

    PtyConsole(List<String> launcher) throws IOException {
        StringBuilder line = new StringBuilder("stty cols 80 rows 24; exec");
        for (String arg : launcher) {
            line.append(" '").append(arg.replace("'", "'\\''")).append("'");
        }
        process = new ProcessBuilder("script", "-qfec", line.toString(), "/dev/null").redirectErrorStream(true).start();
        keys = process.getOutputStream();
        reader = new Thread(() -> {
            byte[] b = new byte[65536];
            try {
                int n;
                while ((n = process.getInputStream().read(b)) > 0) {
                    synchronized (screen) {
                        screen.write(b, 0, n);
                        screen.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the terminal closed
            }
        }, "pty-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Everything printed so far, NULs (of cat /dev/zero) left out. */
    String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8).replace("\0", "");
        }
    }

    int length() {
        synchronized (screen) {
            return screen.size();
        }
    }

    /** Waits until {@code text} appears after byte {@code from} of the screen; false after {@code seconds}. */
    boolean await(String text, int from, long seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (screen) {
            while (true) {
                byte[] all = screen.toByteArray();
                String after = new String(all, Math.min(from, all.length), all.length - Math.min(from, all.length),
                        StandardCharsets.UTF_8);
                if (after.contains(text)) {
                    return true;
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                screen.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the process to end; its exit status, or -1 if it did not within {@code seconds}. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

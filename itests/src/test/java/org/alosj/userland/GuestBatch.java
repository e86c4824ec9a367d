package org.alosj.userland;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.alosj.itests.AlosProcess;

/**
 * Many command lines run on ALOS/J in one boot, each in a fresh copy of the {@link Fixture} tree,
 * with what each printed and its exit status read back on the host.
 *
 * <p>The host builds an ext2 image with the real {@code mkfs.ext2 -d}: {@code /bin} holds Debian's
 * busybox and a link per applet, {@code /ubin} the userland programs, {@code /jobs/NAME/} a job's
 * tree, standard input and (for scripts) its text, and {@code /run.sh} the driver, which runs the
 * jobs one after another with {@code busybox sh}, each with its output redirected to
 * {@code /jobs/NAME/stdout}, {@code stderr} and {@code status} ({@code /bin} of the guest's ramfs
 * root links to the disk's, so that {@code #!/bin/sh} works). The machine gets the image with
 * {@code -drive} (and so no default disk: its root is a ramfs), mounts it on {@code /mnt}, runs the
 * driver and unmounts; the host then reads {@code /jobs} back with {@code debugfs -R rdump}. The
 * driver also prints {@code job NAME} on the console before each job, so a machine that hangs is
 * reported with the job it hung in.
 */
final class GuestBatch {
    /** Where the image is mounted in the guest. */
    static final String MOUNT = "/mnt";
    /** Every tree's files get this modification time, so that listings with dates agree. */
    static final FileTime TREE_TIME = FileTime.fromMillis(1_700_000_000_000L);

    /** What one job gave: null fields when the driver never got to it. */
    record Outcome(byte[] stdout, byte[] stderr, Integer status) {
        String stdoutText() {
            return stdout == null ? "(none)" : new String(stdout, StandardCharsets.ISO_8859_1);
        }

        String stderrText() {
            return stderr == null ? "(none)" : new String(stderr, StandardCharsets.ISO_8859_1);
        }
    }

    /** The whole boot: the console's output, the launcher's status, and each job's outcome. */
    record Run(int status, String console, boolean finished, Map<String, Outcome> outcomes) {
        Outcome outcome(String job) {
            Outcome o = outcomes.get(job);
            if (o == null || o.status() == null) {
                fail("job " + job + " left no exit status on the disk: " + describe());
            }
            return o;
        }

        String describe() {
            return (finished ? "alos exited with status " + status : "alos did not finish in time and was killed")
                    + "; its console:\n" + console;
        }
    }

    private final Path work;
    private final Path stage;
    private final List<String> jobs = new ArrayList<>();
    private final StringBuilder driver = new StringBuilder();

    /**
     * A batch staged under {@code work} (a fresh directory), with {@code busybox} and its applets in
     * {@code /bin} and the programs of {@code userland} (a directory) in {@code /ubin}.
     */
    GuestBatch(Path work, Path busybox, Path userland) throws IOException {
        this.work = work;
        this.stage = work.resolve("disk");
        Path bin = Files.createDirectories(stage.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String applet : applets(busybox)) {
            if (!applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        Path ubin = Files.createDirectories(stage.resolve("ubin"));
        try (Stream<Path> programs = Files.list(userland)) {
            for (Path p : programs.sorted().toList()) {
                Files.copy(p, ubin.resolve(p.getFileName()));
                Files.setPosixFilePermissions(ubin.resolve(p.getFileName()), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Files.createDirectories(stage.resolve("jobs"));
        driver.append("# ALOS/J's run of the jobs: one line each, its output to files beside its tree.\n")
                .append("# The root is a ramfs: /bin is the disk's, so that #!/bin/sh works as on the host.\n")
                .append(MOUNT).append("/bin/busybox ln -s ").append(MOUNT).append("/bin /bin\n");
    }

    /** The applets of {@code busybox}, by {@code busybox --list}. */
    static List<String> applets(Path busybox) throws IOException {
        Process p = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(busybox + " --list failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return List.of(out.trim().split("\n"));
    }

    /**
     * A fresh {@link Fixture} tree in {@code dir}, every entry's modification time set to
     * {@link #TREE_TIME} (links themselves included), as the host's copy for a comparison gets it too.
     */
    static void tree(Path dir) throws IOException {
        Fixture.create(dir);
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
        }
        for (Path p : all) {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(TREE_TIME, TREE_TIME, null);
        }
    }

    /**
     * Adds a job: {@code command} (a shell command line, run by busybox sh in the job's tree) with
     * {@code stdin} as its standard input; {@code files} are put beside the tree (name to content).
     */
    void add(String name, String command, byte[] stdin, Map<String, byte[]> files) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+") || jobs.contains(name)) {
            throw new IllegalArgumentException("job name " + name + ": not a plain file name, or used twice");
        }
        Path dir = Files.createDirectory(stage.resolve("jobs").resolve(name));
        tree(dir.resolve("tree"));
        Files.write(dir.resolve("stdin"), stdin);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        String jobDir = MOUNT + "/jobs/" + name;
        driver.append("echo 'job ").append(name).append("'\n")
                .append("cd ").append(jobDir).append("/tree && ").append(command)
                .append(" <").append(jobDir).append("/stdin >").append(jobDir).append("/stdout 2>")
                .append(jobDir).append("/stderr\n")
                .append("echo $? >").append(jobDir).append("/status\n");
        jobs.add(name);
    }

    /** {@code word} quoted for sh: in single quotes, a quote inside as {@code '\''}. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * Builds the image, boots ALOS/J from the distribution {@code dist} with it (at most
     * {@code limitSeconds}), and reads every job's outcome back.
     */
    Run run(Path dist, long limitSeconds) throws Exception {
        return run(dist, limitSeconds, List.of());
    }

    /** As {@link #run(Path, long)}, with launcher options for the machine ({@code -smp 2}). */
    Run run(Path dist, long limitSeconds, List<String> machine) throws Exception {
        driver.append("echo 'jobs done'\nexit 0\n");
        Files.writeString(stage.resolve("run.sh"), driver.toString(), StandardCharsets.UTF_8);
        Path image = work.resolve("jobs.img");
        long bytes;
        try (Stream<Path> s = Files.walk(stage)) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long mib = 16 + 2 * bytes / (1024 * 1024);
        host("mkfs.ext2", "-q", "-N", "16384", "-d", stage.toString(), image.toString(), mib + "M");

        List<String> cmd = AlosProcess.launcher(dist, work.resolve("run"));
        cmd.addAll(machine);
        cmd.addAll(List.of("-drive", "file=" + image, "-c",
                "mount /dev/hda " + MOUNT + "; exec " + MOUNT + "/bin/busybox sh " + MOUNT + "/run.sh; umount " + MOUNT));
        Path console = work.resolve("console.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(console.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean finished = p.waitFor(limitSeconds, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
            p.waitFor();
        }
        String log = Files.readString(console, StandardCharsets.ISO_8859_1);

        Path back = work.resolve("back");
        Files.createDirectory(back);
        // After a hang the disk was not unmounted: read what debugfs can, and let each job say what
        // it lacks, with the console (the last "job NAME" on it is the one that hung).
        Process dump = new ProcessBuilder("debugfs", "-R", "rdump /jobs " + back, image.toString())
                .redirectErrorStream(true).start();
        String dumped = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!dump.waitFor(120, TimeUnit.SECONDS) || dump.exitValue() != 0) {
            log += "\n(debugfs rdump /jobs failed: " + dumped + ")";
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (String job : jobs) {
            Path d = back.resolve("jobs").resolve(job);
            Path status = d.resolve("status");
            outcomes.put(job, new Outcome(read(d.resolve("stdout")), read(d.resolve("stderr")),
                    Files.isRegularFile(status) && !Files.readString(status).isBlank()
                            ? Integer.valueOf(Files.readString(status).trim()) : null));
        }
        return new Run(finished ? p.exitValue() : -1, log, finished, outcomes);
    }

    private static byte[] read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    }

    /** Runs a host tool to its end; fails with its output when it fails. */
    static String host(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}

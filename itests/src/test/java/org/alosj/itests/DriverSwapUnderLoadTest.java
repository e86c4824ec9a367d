package org.alosj.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.alosj.testkit.RealPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 4: a driver bundle swapped three ways — {@code update}, {@code stop} then
 * {@code start}, {@code uninstall} then a fresh install of the same jar — while its device is
 * under load, and nothing lost.
 *
 * <p>The NIC: curl in a namespace this test creates downloads 200 MiB from the guest's httpd
 * through passt's port forward, reading at most 16 MiB/s ({@code --limit-rate}), so the transfer
 * lasts about 13 s whatever the machine's speed. The disk: a background job on the machine's
 * console writes a file and appends a line to a log on an ext2 virtio-blk disk, then syncs and
 * counts the write acknowledged, until told to stop. Each swap is typed only once the load is
 * seen running (curl's first byte, the writer's acknowledgements) and the next only once the load
 * is seen moving again after it; afterwards the test checks from the timestamps of curl's trace
 * and of the kernel log that every swap, from "the driver went away" to the new driver taking
 * over, lies between the load's first and last byte. It prints each swap's gap: the time the
 * interface or disk had no driver.
 */
class DriverSwapUnderLoadTest {
    private static final long STEP_SECONDS = 60;
    private static final long FILE_BYTES = 200L << 20;
    private static final String RATE = "16M";

    @TempDir
    Path tmp;
    private NetworkProgramsTest network;

    @BeforeAll
    static void findDistribution() {
        DistributionTest.findDistribution();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (network != null) {
            network.cleanUp();
        }
    }

    /** The three swaps, as typed on the console for the driver bundle {@code id}. */
    static List<String[]> swaps(int id) {
        String jar = DistributionTest.dist.resolve("bundles/drivers-virtio.jar").toUri().toString();
        return List.of(new String[] {"update", "update " + id},
                new String[] {"stop+start", "stop " + id + "; start " + id},
                // Gogo's start with a location installs the jar as a new bundle, then starts it.
                new String[] {"uninstall+install", "uninstall " + id + "; start " + jar});
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void a_200_mib_download_through_virtio_net_survives_update_stop_start_and_reinstall_of_its_driver() throws Exception {
        RealPeers.require(RealPeers.root(), "network namespaces need root (CI runs as root)");
        for (String tool : List.of("passt", "ip", "curl")) {
            RealPeers.require(RealPeers.onPath(tool), tool + " is not installed (.ci/run installs it)");
        }
        network = new NetworkProgramsTest();
        network.tmp = tmp;
        network.createNamespace();
        Path www = Files.createDirectories(tmp.resolve("www"));
        String sha = writeRandomFile(www.resolve("big.bin"), FILE_BYTES, 41);
        int id = VirtioDistributionTest.bundleId("drivers-virtio.jar");
        Path got = tmp.resolve("got.bin");
        try (ConsoleMachine m = new ConsoleMachine(tmp.resolve("nic"), STEP_SECONDS, "-nic", "none",
                "-netdev", "passt,id=n0,netns=" + network.ns + ",hostfwd=tcp::8080-:80",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56")) {
            m.awaitLog("dhcp eth0: bound 192.0.2.2/24");
            m.run("httpd start 80 host:" + www);
            Process curl = network.inNamespace("curl.log", "curl", "-sS", "-v", "--trace-time", "--limit-rate", RATE,
                    "-m", "150", "-o", got.toString(), "http://127.0.0.1:8080/big.bin");
            Path curlLog = tmp.resolve("curl.log");
            m.await("curl's first byte", () -> Files.readString(curlLog).contains("< HTTP/1.1 200 OK"));
            m.await("8 MiB downloaded", () -> size(got) > 8 << 20);
            long dmaBefore = dmaKb(m.run("meminfo"));
            List<String> gaps = new ArrayList<>();
            int swapsDone = 0;
            for (String[] swap : swaps(id)) {
                m.run(swap[1]);
                int n = ++swapsDone;
                m.awaitLog("eth0's driver back after the " + swap[0],
                        log -> count(log, "eth0: the driver went away") >= n && count(log, "eth0: \\S+ in slot") >= n + 1);
                long after = size(got);
                assertTrue(after < FILE_BYTES, "the download ended before the " + swap[0] + " was over");
                // The transfer moves on after the swap before the next is typed.
                m.await("8 MiB more after the " + swap[0], () -> size(got) > after + (8 << 20) || !curl.isAlive());
            }
            assertTrue(curl.waitFor(150, TimeUnit.SECONDS), "curl did not finish");
            String trace = Files.readString(curlLog);
            assertEquals(0, curl.exitValue(), trace);
            assertEquals(sha, sha256(got), "the downloaded file differs");
            // The old drivers gave back every DMA buffer, and only the last one is registered.
            assertEquals(dmaBefore, dmaKb(m.run("meminfo")), "DMA held by the drivers after the swaps");
            assertEquals(1, count(m.run("drivers"), "(?m)^virtio-pci$"), "one virtio-pci driver");
            String tcp = m.run("netstat -s").lines().filter(l -> l.startsWith("tcp:")).findFirst().orElse("no TCP counters");
            String log = m.kernelLog();
            long first = curlStamp(trace, "< HTTP/1.1 200 OK");
            long last = curlStamp(trace, "left intact");
            List<long[]> windows = windows(log, "eth0: the driver went away", "eth0: \\S+ in slot");
            assertEquals(3, windows.size(), log);
            for (int i = 0; i < 3; i++) {
                String what = swaps(id).get(i)[0];
                long[] w = windows.get(i);
                assertTrue(first <= w[0] && w[1] <= last, "the " + what + " (" + w[0] + "–" + w[1]
                        + " ms of the day) lies inside the transfer (" + first + "–" + last + ")");
                gaps.add(what + " " + (w[1] - w[0]) + " ms");
            }
            System.out.println("virtio-net swap gaps during a 200 MiB download at " + RATE + "iB/s (eth0 without a driver): "
                    + String.join(", ", gaps) + "; transfer " + (last - first) + " ms; " + tcp);
            assertEquals(0, m.powerOff(), m.console());
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void ext2_writes_on_virtio_blk_survive_update_stop_start_and_reinstall_of_its_driver_every_acknowledged_one_on_disk()
            throws Exception {
        Path img = tmp.resolve("disk.img");
        DistributionTest.run("mkfs.ext2", "-q", "-F", img.toString(), "64M");
        int id = VirtioDistributionTest.bundleId("drivers-virtio.jar");
        int most = 8000;
        int acked;
        try (ConsoleMachine m = new ConsoleMachine(tmp.resolve("blk"), STEP_SECONDS, "-nic", "none",
                "-netdev", "hub,id=lan0", "-drive", "file=" + img + ",if=virtio")) {
            m.run("mount /dev/vda /mnt; mkdir /mnt/w; halt = ''; acked = 0; finished = ''");
            // The writer: a file and a line of the log each round, then sync; only then is the round
            // acknowledged. It stops when the session variable halt is set.
            String rounds = IntStream.rangeClosed(1, most).mapToObj(Integer::toString).collect(Collectors.joining(" "));
            m.type("(logger ext2 stream: started; each [" + rounds + "] { if { $halt } { break }; "
                    + "write /mnt/w/f$it \"file $it\"; write -a /mnt/w/log \"line $it\"; sync; acked = $it }; "
                    + "logger ext2 stream: ended after $acked acknowledged writes; finished = yes) &");
            m.awaitLog("ext2 stream: started");
            m.await("20 writes acknowledged", () -> acked(m) >= 20);
            List<String> gaps = new ArrayList<>();
            int swapsDone = 0;
            for (String[] swap : swaps(id)) {
                m.run(swap[1]);
                int n = ++swapsDone;
                m.awaitLog("vda's driver back after the " + swap[0],
                        log -> count(log, "vda: the driver went away") >= n && count(log, "vda: driver \\S+ took over") >= n);
                int after = acked(m);
                assertTrue(after < most, "the writer ran out of rounds during the " + swap[0]);
                m.await("20 more writes acknowledged after the " + swap[0], () -> acked(m) >= after + 20);
            }
            m.run("halt = yes");
            m.await("the writer's end", () -> m.run("echo $finished").contains("yes"));
            acked = acked(m);
            assertTrue(acked < most, "the writer ran out of rounds");
            m.run("umount /mnt");
            String log = m.kernelLog();
            assertTrue(log.contains("ext2 stream: ended after " + acked + " acknowledged writes"), log);
            long first = logStamp(log, "ext2 stream: started");
            long last = logStamp(log, "ext2 stream: ended after");
            List<long[]> windows = windows(log, "vda: the driver went away", "vda: driver \\S+ took over");
            assertEquals(3, windows.size(), log);
            List<String> waited = Pattern.compile("vda: driver \\S+ took over the disk \\((\\d+) request")
                    .matcher(log).results().map(r -> r.group(1)).toList();
            for (int i = 0; i < 3; i++) {
                String what = swaps(id).get(i)[0];
                long[] w = windows.get(i);
                assertTrue(first <= w[0] && w[1] <= last, "the " + what + " (" + w[0] + "–" + w[1]
                        + " ms of the day) lies inside the writes (" + first + "–" + last + ")");
                gaps.add(what + " " + (w[1] - w[0]) + " ms (" + waited.get(i) + " requests waited)");
            }
            System.out.println("virtio-blk swap gaps during ext2 writes each followed by sync (vda without a driver): "
                    + String.join(", ", gaps) + "; " + acked + " writes acknowledged in " + (last - first) + " ms");
            assertEquals(0, m.powerOff(), m.console());
        }
        StorageTest.assertClean(img);
        String lines = DistributionTest.run("debugfs", "-R", "cat /w/log", img.toString());
        String expected = IntStream.rangeClosed(1, acked).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
        assertTrue(lines.endsWith(expected) && lines.indexOf("line ") == lines.indexOf(expected),
                "the log holds exactly the acknowledged lines, in order:\n" + lines);
        Path files = Files.createDirectories(tmp.resolve("files"));
        DistributionTest.run("debugfs", "-R", "rdump /w " + files, img.toString());
        for (int i = 1; i <= acked; i++) {
            Path f = files.resolve("w/f" + i);
            assertTrue(Files.isRegularFile(f), "acknowledged write " + i + " is not on the disk");
            assertEquals("file " + i + "\n", Files.readString(f), "file " + i);
        }
    }

    /** The writer's count of acknowledged writes, as its session variable holds it. */
    private static int acked(ConsoleMachine m) throws Exception {
        Matcher a = Pattern.compile("ACKED (\\d+)").matcher(m.run("echo ACKED $acked"));
        assertTrue(a.find(), "no count of acknowledged writes");
        return Integer.parseInt(a.group(1));
    }

    /** The DMA the drivers hold, as meminfo prints it. */
    private static long dmaKb(String meminfo) {
        Matcher m = Pattern.compile("DMA:\\s+(\\d+) kB").matcher(meminfo);
        assertTrue(m.find(), meminfo);
        return Long.parseLong(m.group(1));
    }

    private static long size(Path f) throws java.io.IOException {
        return Files.isRegularFile(f) ? Files.size(f) : 0;
    }

    private static int count(String text, String regex) {
        return (int) Pattern.compile(regex).matcher(text).results().count();
    }

    /**
     * Each [went away, came back] pair of the log, in milliseconds of the day: from a line
     * matching {@code away} to the next matching {@code back} (the log's HH:mm:ss.SSS stamps).
     */
    static List<long[]> windows(String log, String away, String back) {
        Pattern a = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*" + away);
        Pattern b = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*" + back);
        List<long[]> out = new ArrayList<>();
        Matcher ma = a.matcher(log);
        int from = 0;
        while (ma.find(from)) {
            Matcher mb = b.matcher(log);
            assertTrue(mb.find(ma.end()), "no '" + back + "' after the line " + ma.group());
            out.add(new long[] {millisOfDay(ma.group(1)), millisOfDay(mb.group(1))});
            from = mb.end();
        }
        return out;
    }

    private static long logStamp(String log, String text) {
        Matcher m = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*" + Pattern.quote(text)).matcher(log);
        assertTrue(m.find(), "no '" + text + "' in the log");
        return millisOfDay(m.group(1));
    }

    /** The time curl's {@code --trace-time} put on its line containing {@code text} (HH:MM:SS.micros), ms of the day. */
    private static long curlStamp(String trace, String text) {
        Matcher m = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3})\\d* .*" + Pattern.quote(text)).matcher(trace);
        assertTrue(m.find(), "no '" + text + "' in curl's trace:\n" + trace);
        return millisOfDay(m.group(1));
    }

    private static long millisOfDay(String hhmmss) {
        return LocalTime.parse(hhmmss).toNanoOfDay() / 1_000_000;
    }

    private static String writeRandomFile(Path f, long bytes, long seed) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Random r = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(f)) {
            for (long n = 0; n < bytes; n += chunk.length) {
                r.nextBytes(chunk);
                md.update(chunk);
                out.write(chunk);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(f)) {
            byte[] b = new byte[1 << 20];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

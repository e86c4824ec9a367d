package org.alosj.shell.pci;

import org.alosj.testkit.RealPeers;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.alosj.kernel.pci.PciAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our lspci against pciutils' own: the same configuration space (QEMU's devices as a Linux guest
 * read them, before and after its drivers bound, plus variants that reach the corner cases) is
 * written in our {@code -xxx} format, decoded by the real {@code lspci -F}, and the two outputs
 * must be identical. Skipped where pciutils or pci.ids is not installed (CI installs both).
 */
class LspciVsRealLspciTest {
    static final Path PCI_IDS = PciIds.systemFile().orElse(null);
    static List<PciFunctionView> functions;
    static Path dump;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void writeDump() throws IOException {
        functions = fixtures();
        // Our own -xxx output is the dump: that also proves lspci -F accepts its format.
        LspciOptions xxx = LspciOptions.parse(List.of("-xxx"));
        dump = tmp.resolve("qemu.xxx");
        Files.writeString(dump, new Lspci(PciIds.EMPTY, xxx).format(functions));
    }

    static Stream<String> flags() {
        return Stream.of("", "-n", "-nn", "-v", "-nv", "-nnv", "-k", "-nnk", "-x", "-xxx", "-vx", "-nnvxxx", "-kx",
                "-s 02.0", "-s 1:", "-s .1", "-s 0:3", "-v -s 00:04.0", "-d 8086:", "-d :1000", "-d ::0200",
                "-d 1af4::0100");
    }

    @ParameterizedTest(name = "lspci {0}")
    @MethodSource("flags")
    void sameOutputAsRealLspci(String flags) throws Exception {
        RealPeers.require(PCI_IDS != null, "no pci.ids installed");
        List<String> args = flags.isEmpty() ? List.of() : Arrays.asList(flags.split(" "));
        String real = realLspci(args, PCI_IDS.toString());
        String ours = new Lspci(PciIds.load(PCI_IDS), LspciOptions.parse(args)).format(functions);
        keepForDiff("names" + flags, real, ours);
        assertEquals(real, ours);
    }

    @ParameterizedTest(name = "lspci {0} with no names")
    @MethodSource("flags")
    void sameOutputAsRealLspciWithoutDatabase(String flags) throws Exception {
        List<String> args = flags.isEmpty() ? List.of() : Arrays.asList(flags.split(" "));
        // lspci quietly falls back to numbers when its database is missing.
        String real = realLspci(args, tmp.resolve("no-such.ids").toString());
        String ours = new Lspci(PciIds.EMPTY, LspciOptions.parse(args)).format(functions);
        keepForDiff("numbers" + flags, real, ours);
        assertEquals(real, ours);
    }

    /** On a mismatch, leaves both outputs in target/lspci-diff for diff(1). */
    static void keepForDiff(String name, String real, String ours) throws IOException {
        if (!real.equals(ours)) {
            Path dir = Path.of("target", "lspci-diff");
            Files.createDirectories(dir);
            String file = name.replaceAll("[^A-Za-z0-9.]+", "_");
            Files.writeString(dir.resolve(file + ".real"), real);
            Files.writeString(dir.resolve(file + ".ours"), ours);
        }
    }

    static String realLspci(List<String> args, String ids) throws Exception {
        RealPeers.require(Stream.of("/usr/bin/lspci", "/usr/sbin/lspci", "/bin/lspci", "/sbin/lspci")
                .anyMatch(p -> Files.isExecutable(Path.of(p))), "lspci (pciutils) is not installed");
        List<String> cmd = new ArrayList<>(List.of("lspci", "-F", dump.toString(), "-i", ids, "-O", "hwdb.disable=1"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "lspci " + cmd);
        return out;
    }

    /** QEMU's nine functions twice (firmware and driver state, the latter on bus 1) and variants. */
    static List<PciFunctionView> fixtures() throws IOException {
        List<PciFunctionView> out = new ArrayList<>();
        String[] names = {"00-00.0_8086_1237", "00-01.0_8086_7000", "00-01.1_8086_7010", "00-01.3_8086_7113",
            "00-02.0_1022_2000", "00-03.0_8086_10d3", "00-04.0_1af4_1000", "00-05.0_1af4_1041", "00-06.0_1af4_1001"};
        for (String n : names) {
            PciAddress a = PciAddress.parse(n.substring(0, 7).replace('-', ':'));
            out.add(PciFunctionView.of(a, DumpFile.parse(resource(n + ".drivers.txt"))));
            out.add(PciFunctionView.of(new PciAddress(1, a.device(), a.function()),
                    DumpFile.parse(resource(n + ".txt"))));
        }
        byte[] pcnet = DumpFile.parse(resource("00-02.0_1022_2000.drivers.txt"));
        int slot = 0;
        for (byte[] v : Variants.of(pcnet)) {
            out.add(PciFunctionView.of(new PciAddress(2 + slot / 32, slot % 32, 0), v));
            slot++;
        }
        return out;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = LspciVsRealLspciTest.class.getResourceAsStream("/qemu-pci/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}

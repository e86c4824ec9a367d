package org.alosj.shell.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciDeviceManager;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The commands as Gogo calls them: argument passing, closures, output and error messages. */
class GogoCommandsTest {
    ThreadIOImpl tio;
    CommandProcessorImpl processor;
    ByteArrayOutputStream out;
    CommandSession session;
    PciCommands pci;
    SystemCommands system;

    /**
     * One PCnet whose binding appears some lookups after a reprobe, as a real probe completes
     * while the caller polls: deterministic whatever the machine's load.
     */
    static final class FakeManager implements PciDeviceManager {
        static final int LOOKUPS_BEFORE_BOUND = 3;
        volatile String driver;
        final byte[] config;
        final java.util.concurrent.atomic.AtomicInteger lookupsSinceReprobe = new java.util.concurrent.atomic.AtomicInteger(-1);

        FakeManager(byte[] config) {
            this.config = config;
        }

        @Override
        public List<Function> functions() {
            return List.of(function());
        }

        Function function() {
            return new Function(PciAddress.parse("00:02.0"), 0x1022, 0x2000, 0, 0, 0x10, 0x020000, 10, List.of(),
                    driver, null, null, List.of("pcnet32"));
        }

        @Override
        public Optional<Function> function(PciAddress address) {
            if (lookupsSinceReprobe.get() >= 0 && lookupsSinceReprobe.incrementAndGet() >= LOOKUPS_BEFORE_BOUND) {
                driver = "pcnet32";
            }
            return address.equals(PciAddress.parse("00:02.0")) ? Optional.of(function()) : Optional.empty();
        }

        @Override
        public List<String> drivers() {
            return List.of("pcnet32");
        }

        @Override
        public void bind(PciAddress address, String driver) {
            this.driver = driver;
        }

        @Override
        public void unbind(PciAddress address) {
            driver = null;
        }

        @Override
        public void setDriverOverride(PciAddress address, String driver) {
        }

        @Override
        public void reprobe(PciAddress address) {
            driver = null;
            lookupsSinceReprobe.set(0);
        }

        @Override
        public int configRead(PciAddress address, int offset, int size) {
            int v = 0;
            for (int i = size - 1; i >= 0; i--) {
                v = v << 8 | config[offset + i] & 0xff;
            }
            return v;
        }
    }

    @BeforeEach
    void gogo() throws Exception {
        tio = new ThreadIOImpl();
        tio.start();
        processor = new CommandProcessorImpl(tio);
        pci = new PciCommands();
        system = new SystemCommands();
        for (String f : List.of("lspci", "devices", "bind", "unbind", "reprobe")) {
            processor.addCommand("alos", pci, f);
        }
        for (String f : List.of("time", "meminfo")) {
            processor.addCommand("alos", system, f);
        }
        out = new ByteArrayOutputStream();
        session = processor.createSession(InputStream.nullInputStream(), out, out);
    }

    @AfterEach
    void stop() {
        session.close();
        tio.stop();
    }

    void kernel(FakeManager m) throws Exception {
        for (Object component : List.of(pci, system)) {
            Field f = component.getClass().getDeclaredField("deviceManager");
            f.setAccessible(true);
            f.set(component, m);
        }
    }

    String run(String line) throws Exception {
        out.reset();
        session.execute(line);
        System.out.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    static byte[] pcnetConfig() throws Exception {
        String dump;
        try (InputStream in = GogoCommandsTest.class.getResourceAsStream("/qemu-pci/00-02.0_1022_2000.drivers.txt")) {
            dump = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        byte[] config = new byte[256];
        for (String line : dump.split("\n")) {
            if (line.length() > 3 && line.charAt(2) == ':' && line.charAt(3) == ' ') {
                String[] b = line.substring(4).trim().split(" ");
                for (int i = 0; i < b.length; i++) {
                    config[Integer.parseInt(line.substring(0, 2), 16) + i] = (byte) Integer.parseInt(b[i], 16);
                }
            }
        }
        return config;
    }

    @Test
    void withoutTheKernelCommandsSaySo() {
        Exception e = assertThrows(IllegalStateException.class, () -> run("lspci"));
        assertEquals("the kernel is not running (no PciDeviceManager service)", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> run("meminfo"));
        assertEquals("the kernel is not running (no MemoryInfo service)", e.getMessage());
    }

    @Test
    void lspciTakesFlagsThroughGogo() throws Exception {
        kernel(new FakeManager(pcnetConfig()));
        assertEquals("00:02.0 0200: 1022:2000 (rev 10)\n", run("lspci -n"));
        assertEquals("", run("lspci -n -s 3.0"));
        assertTrue(run("lspci -x").contains("00: 22 10 00 20 07 01 80 02 10 00 00 02 00 00 00 00\n"));
        Exception e = assertThrows(IllegalArgumentException.class, () -> run("lspci -i /no/such/pci.ids"));
        assertEquals("lspci: cannot read PCI ID database /no/such/pci.ids (no such file)", e.getMessage());
    }

    @Test
    void timeRunsTheBlockAndWaitsUntilTheSlotIsBound() throws Exception {
        FakeManager m = new FakeManager(pcnetConfig());
        kernel(m);
        String printed = run("time -until-bound 00:02.0 { reprobe 00:02.0 }");
        assertTrue(printed.startsWith("00:02.0: unbound (candidates: pcnet32)\n"), printed);
        assertTrue(printed.matches("(?s).*elapsed \\d+\\.\\d ms\n"), printed);
        assertTrue(m.lookupsSinceReprobe.get() >= FakeManager.LOOKUPS_BEFORE_BOUND,
                "time polled until the slot was bound: " + m.lookupsSinceReprobe.get() + " lookups");
        assertEquals("pcnet32", m.driver);
        assertTrue(run("time { bind 00:02.0 pcnet32 }").matches("(?s)00:02.0: bound to pcnet32.*\nelapsed \\d+\\.\\d ms\n"));
    }
}

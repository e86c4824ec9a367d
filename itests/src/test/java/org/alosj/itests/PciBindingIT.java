package org.alosj.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.mem.MemoryInfo;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.device.Device;
import org.osgi.service.device.Driver;

/**
 * PCI enumeration and automatic binding in a real Felix with the real bundles: the board, the
 * PCnet model, the kernel's device manager and the pcnet32 driver.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PciBindingIT {
    static final String MAC = "52:54:00:12:34:56";
    static final long WAIT = 10_000;

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin admin;
    @Inject
    PciDeviceManager pci;
    @Inject
    MemoryInfo memory;

    private Machines machines;

    @Configuration
    public Option[] config() {
        return AlosOptions.framework();
    }

    @Before
    public void setUp() {
        machines = new Machines(admin);
    }

    @After
    public void tearDown() throws Exception {
        machines.close();
        Machines.await("the bus to hold only the chipset", WAIT, () -> pci.functions().size() == 3);
    }

    private void bootWithOnePcnet() throws Exception {
        machines.hub("lan0").pcnet("pcnet0", 2, MAC, "lan0");
        Machines.await("00:02.0 bound to pcnet32", WAIT,
                () -> Machines.driverOf(pci, "00:02.0").filter("pcnet32"::equals).isPresent());
    }

    private Bundle driverBundle() {
        for (Bundle b : context.getBundles()) {
            if ("org.alosj.drivers.pcnet".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("the pcnet driver bundle is not installed");
    }

    private NetDevice netDevice(String slot) throws Exception {
        Collection<ServiceReference<NetDevice>> refs = context.getServiceReferences(NetDevice.class,
                "(" + DeviceProperties.SLOT + "=" + slot + ")");
        return refs.isEmpty() ? null : context.getService(refs.iterator().next());
    }

    @Test
    public void enumeration_finds_the_chipset_and_a_pcnet_with_its_resources() throws Exception {
        bootWithOnePcnet();
        List<PciDeviceManager.Function> fs = pci.functions();
        assertEquals("host bridge, ISA bridge, PIIX4 PM, the PCnet", 4, fs.size());
        assertEquals(0x8086, fs.get(0).vendorId());
        assertEquals(0x1237, fs.get(0).deviceId());
        assertEquals(0x060000, fs.get(0).classCode());
        assertEquals(0x7000, fs.get(1).deviceId());
        assertEquals(0x060100, fs.get(1).classCode());
        assertEquals(0x7113, fs.get(2).deviceId());
        assertEquals(PciAddress.parse("00:01.3"), fs.get(2).address());
        PciDeviceManager.Function nic = fs.get(3);
        assertEquals(PciAddress.parse("00:02.0"), nic.address());
        assertEquals(0x1022, nic.vendorId());
        assertEquals(0x2000, nic.deviceId());
        assertEquals(0x10, nic.revision());
        assertEquals(0x020000, nic.classCode());
        assertEquals("slot 2 INTA routes to PIRQB, which firmware sends to IRQ 10", 10, nic.irq());
        assertEquals(32, nic.bars().get(0).size());
        assertTrue(nic.bars().get(0).isIo());
        assertEquals(10, pci.configRead(nic.address(), 0x3C, 1));
        NetDevice dev = netDevice("00:02.0");
        assertNotNull("pcnet32 registers a NetDevice for the slot", dev);
        assertEquals(MAC, format(dev.macAddress()));
    }

    @Test
    public void uninstalling_the_driver_unbinds_at_once_and_installing_it_rebinds() throws Exception {
        bootWithOnePcnet();
        long dmaBefore = memory.dmaBytes();
        assertTrue("the bound driver holds DMA memory", dmaBefore > 0);
        Bundle driver = driverBundle();
        String location = AlosOptions.bundleJar("drivers-pcnet").toUri().toString();
        driver.uninstall();
        assertNull("unbound as soon as uninstall returns", pci.function(PciAddress.parse("00:02.0")).get().driver());
        assertNull("its NetDevice is gone", netDevice("00:02.0"));
        assertEquals("its DMA memory is back", 0, memory.dmaBytes());
        Bundle again;
        try (InputStream in = Files.newInputStream(Path.of(java.net.URI.create(location)))) {
            again = context.installBundle(location, in);
        }
        again.start();
        Machines.await("00:02.0 bound again", WAIT,
                () -> Machines.driverOf(pci, "00:02.0").filter("pcnet32"::equals).isPresent());
        assertNotNull(netDevice("00:02.0"));
    }

    @Test
    public void a_frame_sent_through_the_driver_reaches_the_hub_and_the_pcap() throws Exception {
        Path pcap = Files.createTempFile("alosj-it-", ".pcap");
        machines.hub("lan0").pcap("cap0", pcap.toString(), "lan0").pcnet("pcnet0", 2, MAC, "cap0");
        Machines.await("00:02.0 bound", WAIT, () -> Machines.driverOf(pci, "00:02.0").isPresent());
        Collection<ServiceReference<NetBackend>> hubs = context.getServiceReferences(NetBackend.class,
                "(" + NetBackend.NETDEV_ID + "=lan0)");
        List<byte[]> seen = new CopyOnWriteArrayList<>();
        NetBackend hub = context.getService(hubs.iterator().next());
        try (NetPort port = hub.attach("it-peer", (frame, off, len) -> {
            byte[] copy = new byte[len];
            System.arraycopy(frame, off, copy, 0, len);
            seen.add(copy);
            return true;
        })) {
            NetDevice dev = netDevice("00:02.0");
            Machines.await("link up", WAIT, dev::linkUp);
            byte[] frame = new byte[60];
            for (int i = 0; i < 6; i++) {
                frame[i] = (byte) 0xFF;
            }
            System.arraycopy(dev.macAddress(), 0, frame, 6, 6);
            frame[12] = (byte) 0x88;
            frame[13] = (byte) 0xB5; // IEEE local experimental EtherType
            byte[] text = "hello from ALOS/J".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, frame, 14, text.length);
            assertTrue(dev.transmit(frame, 0, frame.length));
            Machines.await("the frame at the hub", WAIT, () -> !seen.isEmpty());
            byte[] got = seen.get(0);
            assertEquals(0x88, got[12] & 0xFF);
            assertEquals(0xB5, got[13] & 0xFF);
            assertEquals("hello from ALOS/J", new String(got, 14, text.length, StandardCharsets.US_ASCII));
            Machines.await("the driver to count it", WAIT, () -> dev.statistics().txPackets() >= 1);
        }
        machines.close();
        String fields = run("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "eth.src", "-e", "eth.dst",
                "-e", "eth.type");
        assertTrue("tshark decodes the frame: " + fields,
                fields.contains(MAC + "\tff:ff:ff:ff:ff:ff\t0x88b5"));
        Files.deleteIfExists(pcap);
    }

    @Test
    public void a_hot_plugged_second_pcnet_is_bound_and_its_removal_unbinds_it() throws Exception {
        bootWithOnePcnet();
        machines.pcnet("pcnet1", 3, "52:54:00:12:34:57", "lan0");
        Machines.await("00:03.0 bound to pcnet32", WAIT,
                () -> Machines.driverOf(pci, "00:03.0").filter("pcnet32"::equals).isPresent());
        assertEquals("slot 3 INTA routes to PIRQC, IRQ 11", 11,
                pci.function(PciAddress.parse("00:03.0")).get().irq());
        assertEquals("52:54:00:12:34:57", format(netDevice("00:03.0").macAddress()));
    }

    @Test
    public void a_driver_that_throws_in_probe_is_shown_failed_and_the_kernel_carries_on() throws Exception {
        bootWithOnePcnet();
        PciDriver broken = new PciDriver() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public List<PciId> idTable() {
                return List.of(PciId.of(0x1022, 0x2000));
            }

            @Override
            public PciBinding probe(PciDevice device) {
                throw new IllegalStateException("this driver always fails");
            }
        };
        ServiceRegistration<PciDriver> reg = context.registerService(PciDriver.class, broken, new Hashtable<>());
        try {
            PciAddress nic = PciAddress.parse("00:02.0");
            pci.setDriverOverride(nic, "broken");
            pci.unbind(nic);
            pci.reprobe(nic);
            PciDeviceManager.Function f = pci.function(nic).get();
            assertNull(f.driver());
            assertTrue(f.failure(), f.failure().contains("broken") && f.failure().contains("always fails"));
            pci.setDriverOverride(nic, null);
            pci.reprobe(nic);
            assertEquals("pcnet32", pci.function(nic).get().driver());
            assertNull(pci.function(nic).get().failure());
        } finally {
            reg.unregister();
        }
    }

    @Test
    public void a_device_access_driver_matches_and_attaches_the_standard_way() throws Exception {
        List<String> attached = new CopyOnWriteArrayList<>();
        Driver hostBridgeDriver = new Driver() {
            @Override
            public int match(ServiceReference<?> reference) {
                Object category = reference.getProperty(org.osgi.service.device.Constants.DEVICE_CATEGORY);
                Object cls = reference.getProperty("pci.class");
                return category instanceof String[] c && List.of(c).contains("pci") && Integer.valueOf(0x060000).equals(cls)
                        ? 1 : Device.MATCH_NONE;
            }

            @Override
            public String attach(ServiceReference<?> reference) {
                attached.add((String) reference.getProperty("pci.address"));
                return null;
            }
        };
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(org.osgi.service.device.Constants.DRIVER_ID, "it.host-bridge");
        ServiceRegistration<Driver> reg = context.registerService(Driver.class, hostBridgeDriver, props);
        try {
            assertEquals(List.of("00:00.0"), attached);
            assertEquals("it.host-bridge", pci.function(PciAddress.parse("00:00.0")).get().driver());
        } finally {
            reg.unregister();
        }
        assertNull("its functions are unbound when the driver goes",
                pci.function(PciAddress.parse("00:00.0")).get().driver());
    }

    static String format(byte[] mac) {
        StringBuilder sb = new StringBuilder();
        for (byte b : mac) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    static String run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError(command[0] + " is not installed (.ci/run installs it): " + e.getMessage());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command[0] + " did not finish");
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

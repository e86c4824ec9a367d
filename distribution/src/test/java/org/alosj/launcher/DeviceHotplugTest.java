package org.alosj.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor's device_add is -device parsed by the same code at run time: the same
 * configuration comes out, checked against the netdevs and the if=none drives the machine has.
 */
class DeviceHotplugTest {
    @TempDir
    Path tmp;

    @Test
    void device_add_makes_the_configuration_minus_device_makes() throws Exception {
        CommandLine launched = CommandLine.parse(new String[] {"-netdev", "hub,id=n0",
            "-device", "virtio-net-pci,netdev=n0,id=nic1,addr=5,mac=52:54:00:00:00:09"});
        ConfigEntry atLaunch = launched.devices.get(0);
        CommandLine running = CommandLine.parse(new String[] {"-netdev", "hub,id=n0"});
        ConfigEntry hot = running.parseHotplugDevice("virtio-net-pci,netdev=n0,id=nic1,addr=5,mac=52:54:00:00:00:09",
                Set.of("n0"));
        assertEquals(atLaunch, hot);
        assertEquals(MachineConfig.VIRTIO_NET_FACTORY, hot.factoryPid());
        assertEquals("(netdev.id=n0)", hot.properties().get("backend.target"));
        assertEquals("5", hot.properties().get("addr"));
    }

    @Test
    void a_disk_comes_from_an_if_none_drive_given_at_launch_and_only_once() throws Exception {
        Path img = tmp.resolve("d.img");
        Files.write(img, new byte[8192]);
        CommandLine running = CommandLine.parse(new String[] {"-drive", "file=" + img + ",if=none,id=d1"});
        ConfigEntry disk = running.parseHotplugDevice("virtio-blk-pci,drive=d1,id=disk1", Set.of());
        assertEquals(MachineConfig.VIRTIO_BLK_FACTORY, disk.factoryPid());
        assertEquals(img.toAbsolutePath().toString(), disk.properties().get("file"));
        assertEquals("device_add virtio-blk-pci: drive d1 is already used", assertThrows(UsageException.class,
                () -> running.parseHotplugDevice("virtio-blk-pci,drive=d1,id=disk2", Set.of())).getMessage());
        assertEquals("device_add virtio-blk-pci: no -drive with if=none,id=d9", assertThrows(UsageException.class,
                () -> running.parseHotplugDevice("virtio-blk-pci,drive=d9", Set.of())).getMessage());
    }

    @Test
    void bad_specs_are_refused_in_one_line_that_says_device_add() throws Exception {
        CommandLine running = CommandLine.parse(new String[] {"-netdev", "hub,id=n0"});
        assertEquals("device_add nic1: no netdev with id=n9 (netdevs: n0)", assertThrows(UsageException.class,
                () -> running.parseHotplugDevice("e1000,netdev=n9,id=nic1", Set.of("n0"))).getMessage());
        assertEquals("device_add: unknown device 'floppy' (known: VGA, bochs-display, e1000, e1000e, pcnet, virtio-blk-pci, virtio-net-pci)",
                assertThrows(UsageException.class, () -> running.parseHotplugDevice("floppy", Set.of())).getMessage());
        assertThrows(UsageException.class, () -> running.parseHotplugDevice("pcnet,addr=1", Set.of()));
    }
}

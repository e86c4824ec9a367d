package org.alosj.net.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.net.Ipv4Address;
import org.junit.jupiter.api.Test;

class NetworkConfigTest {
    @Test
    void network_conf_text_gives_static_and_dhcp_interfaces_and_dns() {
        NetworkConfig c = NetworkConfig.parseText("""
                # the lab
                eth0.mode=static
                eth0.address=10.0.2.15/24
                eth0.gateway=10.0.2.2
                eth1.mode=dhcp
                eth1.mtu=1400
                dns=10.0.2.3, 10.0.2.4
                """);
        NetworkConfig.Iface eth0 = c.interfaces().get("eth0");
        assertEquals(Ipv4Address.parse("10.0.2.15"), eth0.address());
        assertEquals(24, eth0.prefixLength());
        assertEquals(Ipv4Address.parse("10.0.2.2"), eth0.gateway());
        assertEquals("dhcp", c.interfaces().get("eth1").mode());
        assertEquals(1400, c.interfaces().get("eth1").mtu());
        assertEquals(List.of(Ipv4Address.parse("10.0.2.3"), Ipv4Address.parse("10.0.2.4")), c.dns());
    }

    @Test
    void the_disks_network_conf_keys_without_an_interface_are_eth0s() {
        NetworkConfig c = NetworkConfig.parseText("""
                mode=static
                ip=10.0.2.15
                netmask=255.255.255.0
                gateway=10.0.2.2
                dns=10.0.2.3
                """);
        NetworkConfig.Iface eth0 = c.interfaces().get("eth0");
        assertEquals("static", eth0.mode());
        assertEquals(Ipv4Address.parse("10.0.2.15"), eth0.address());
        assertEquals(24, eth0.prefixLength());
        assertEquals(Ipv4Address.parse("10.0.2.2"), eth0.gateway());
        assertEquals("dhcp", NetworkConfig.parseText("mode=dhcp\n#ip=1.2.3.4\n").interfaces().get("eth0").mode());
        assertThrows(IllegalArgumentException.class,
                () -> NetworkConfig.parseText("mode=static\nip=10.0.0.1\nnetmask=255.0.255.0\n"));
    }

    @Test
    void a_bad_line_or_value_is_named_in_the_error() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetworkConfig.parseText("eth0.mode=static\nnonsense\n"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NetworkConfig.parseText("eth0.mode=static\n"));
        assertTrue(e.getMessage().contains("eth0.address"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NetworkConfig.parseText("eth0.address=10.0.0.300/24"));
    }

    @Test
    void the_component_configures_an_interface_from_configuration_admin_when_its_device_comes() throws Exception {
        NetworkStackService net = new NetworkStackService(Map.of("eth0.mode", "static", "eth0.address", "10.9.0.5/16",
                "eth0.gateway", "10.9.0.1", "dns", "10.9.0.53"));
        try (TestLink link = new TestLink(1, 0, 0, 0)) {
            net.bindNetDevice(link.station(1), Map.of(DeviceProperties.SLOT, "00:04.0", DeviceProperties.DRIVER, "test"));
            assertEquals(Ipv4Address.parse("10.9.0.5"), net.stack().addressOf("eth0"));
            assertTrue(net.stack().routes().stream().anyMatch(r -> r.prefixLength() == 0
                    && r.gateway().equals(Ipv4Address.parse("10.9.0.1"))));
            assertEquals(List.of(Ipv4Address.parse("10.9.0.53")), net.resolver().servers());
        } finally {
            net.deactivate();
        }
    }
}

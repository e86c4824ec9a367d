package org.alosj.shell.impl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.pci.PciAddress;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.CollectionType;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Raw Ethernet from the shell: netdevs lists the NetDevice services, ethsend sends one frame. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = NetCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=ethsend",
    "osgi.command.function=netdevs",
})
public final class NetCommands {
    static final int ETH_HEADER = 14;
    static final int ETH_MIN_LENGTH = 60;

    // NetDevices come and go with their drivers (hot swap): track them all, with their properties.
    @Reference(service = NetDevice.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, collectionType = CollectionType.TUPLE)
    private volatile List<Map.Entry<Map<String, Object>, NetDevice>> netDevices;

    @Descriptor("send one Ethernet frame from the NetDevice in SLOT: ethsend SLOT DSTMAC ETHERTYPE TEXT...\n"
            + "  the source MAC is the device's, the payload TEXT in UTF-8 (words joined by spaces),\n"
            + "  padded to 60 bytes; prints the device's tx packet count after")
    public void ethsend(@Descriptor("slot, e.g. 00:02.0") String slot,
                        @Descriptor("destination MAC, e.g. ff:ff:ff:ff:ff:ff") String destination,
                        @Descriptor("EtherType in hex, e.g. 0x88b5") String etherType,
                        @Descriptor("payload text") String... text) {
        MacAddress dst = MacAddress.parse(destination);
        int type = parseEtherType(etherType);
        NetDevice dev = find(slot).orElseThrow(() -> new IllegalArgumentException(
                "ethsend: no network device in slot " + slot + " (netdevs lists them: " + slots() + ")"));
        byte[] payload = String.join(" ", text).getBytes(StandardCharsets.UTF_8);
        byte[] frame = buildFrame(dst, MacAddress.fromBytes(dev.macAddress()), type, payload);
        if (frame.length > ETH_HEADER + dev.mtu()) {
            throw new IllegalArgumentException("ethsend: payload of " + payload.length + " bytes exceeds the MTU "
                    + dev.mtu());
        }
        if (!dev.transmit(frame, 0, frame.length)) {
            throw new IllegalStateException("ethsend: the transmit ring of " + slot + " is full; frame not sent");
        }
        System.out.println(String.format("sent %d bytes %s -> %s type 0x%04x; tx packets %d",
                frame.length, MacAddress.format(dev.macAddress()), dst, type, dev.statistics().txPackets()));
        System.out.flush();
    }

    @Descriptor("network devices: slot, driver, MAC, link, MTU and counters")
    public void netdevs() {
        List<Map.Entry<Map<String, Object>, NetDevice>> devs = sorted();
        if (devs.isEmpty()) {
            System.out.println("no network devices");
        }
        for (Map.Entry<Map<String, Object>, NetDevice> e : devs) {
            NetDevice d = e.getValue();
            NetDevice.Statistics s = d.statistics();
            System.out.println(String.format("%s  driver %s  mac %s  link %s  mtu %d", slotOf(e.getKey()),
                    e.getKey().getOrDefault(DeviceProperties.DRIVER, "?"), MacAddress.format(d.macAddress()),
                    d.linkUp() ? "up" : "down", d.mtu()));
            System.out.println(String.format("    rx %d packets %d bytes %d errors %d dropped", s.rxPackets(),
                    s.rxBytes(), s.rxErrors(), s.rxDropped()));
            System.out.println(String.format("    tx %d packets %d bytes %d errors %d dropped; %d interrupts",
                    s.txPackets(), s.txBytes(), s.txErrors(), s.txDropped(), s.interrupts()));
        }
        System.out.flush();
    }

    private List<Map.Entry<Map<String, Object>, NetDevice>> sorted() {
        List<Map.Entry<Map<String, Object>, NetDevice>> devs =
                new ArrayList<>(netDevices == null ? List.of() : netDevices);
        devs.sort(Comparator.comparing(e -> slotOf(e.getKey())));
        return devs;
    }

    private static String slotOf(Map<String, Object> props) {
        return String.valueOf(props.getOrDefault(DeviceProperties.SLOT, "?"));
    }

    /** The device whose slot is {@code slot}, accepting any form PciAddress parses ({@code 2.0}). */
    private Optional<NetDevice> find(String slot) {
        String want = normalise(slot);
        return sorted().stream().filter(e -> normalise(slotOf(e.getKey())).equals(want))
                .map(Map.Entry::getValue).findFirst();
    }

    private static String normalise(String slot) {
        try {
            return PciAddress.parse(slot).toString();
        } catch (IllegalArgumentException notPci) {
            return slot;
        }
    }

    private String slots() {
        List<String> s = sorted().stream().map(e -> slotOf(e.getKey())).toList();
        return s.isEmpty() ? "none" : String.join(", ", s);
    }

    /**
     * Parses an EtherType: hex with or without {@code 0x}, 0x0600 to 0xffff (smaller values are
     * 802.3 lengths, not types).
     */
    static int parseEtherType(String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        int value = -1;
        if (!digits.isEmpty() && digits.length() <= 4 && digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            value = Integer.parseInt(digits, 16);
        }
        if (value < 0x0600) {
            throw new IllegalArgumentException("bad EtherType '" + text
                    + "' (expected hex 0x0600-0xffff, e.g. 0x88b5; smaller values are 802.3 lengths)");
        }
        return value;
    }

    /**
     * An Ethernet II frame: destination, source, EtherType, payload, zero-padded to the 60-byte
     * minimum (64 on the wire with the FCS, which the NIC appends).
     */
    static byte[] buildFrame(MacAddress destination, MacAddress source, int etherType, byte[] payload) {
        if (etherType < 0 || etherType > 0xffff) {
            throw new IllegalArgumentException("EtherType " + etherType + " is not 16 bits");
        }
        byte[] frame = new byte[Math.max(ETH_MIN_LENGTH, ETH_HEADER + payload.length)];
        destination.writeTo(frame, 0);
        source.writeTo(frame, 6);
        frame[12] = (byte) (etherType >> 8);
        frame[13] = (byte) etherType;
        System.arraycopy(payload, 0, frame, ETH_HEADER, payload.length);
        return frame;
    }
}

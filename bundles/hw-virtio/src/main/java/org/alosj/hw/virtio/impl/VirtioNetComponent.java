package org.alosj.hw.virtio.impl;

import org.alosj.hal.net.MacAddress;
import org.alosj.hal.pci.PciAddressProperty;
import java.util.Locale;
import org.alosj.hal.board.Board;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One virtio-net function per factory configuration of PID {@value #PID}
 * ({@code -device virtio-net-pci}): activation builds it, attaches it to the backend named by
 * {@code backend.target} and plugs it into the board; deactivation unplugs it and closes the
 * port. As with the PCnet, a backend that comes later makes the card unplug and plug again.
 */
@Component(configurationPid = VirtioNetComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class VirtioNetComponent {
    public static final String PID = "org.alosj.hw.virtio.net";
    static final String NO_BACKEND = "(" + NetBackend.NETDEV_ID + "=-)";
    private static final Logger LOG = LoggerFactory.getLogger("hw.virtio");

    /** Configuration of a virtio-net function. */
    public @interface Config {
        /** Name of the function (logs, the backend's port): {@code virtio-net0}. */
        String name() default "virtio-net0";

        /** {@code aa:bb:cc:dd:ee:ff}; empty: QEMU's default 52:54:00:12:34:56 plus the name's number. */
        String mac() default "";

        /** PCI slot: decimal ({@code 3}), hex ({@code 0x3}) or QEMU's {@code 03.0}; empty: first free. */
        String addr() default "";

        /** {@code transitional} (QEMU's default on PCI), {@code modern} or {@code legacy}. */
        String mode() default "transitional";

        /**
         * Property {@code host_mtu} (QEMU's name; DS spells "_" as "__"): the MTU offered with
         * VIRTIO_NET_F_MTU (68-65535); 0 offers none.
         */
        int host__mtu() default 0;

        /** Filter selecting the backend; the default selects none (no cable, link down). */
        String backend_target() default NO_BACKEND;
    }

    private final Board board;
    private final VirtioNet function;
    private final NetPort port;

    @Activate
    public VirtioNetComponent(Config config, @Reference(name = "board") Board board,
                              @Reference(name = "backend", cardinality = ReferenceCardinality.OPTIONAL,
                                      policyOption = ReferencePolicyOption.GREEDY, target = NO_BACKEND)
                              NetBackend backend) {
        this(config.name(), config.mac(), config.addr(), config.mode(), config.host__mtu(), board, backend);
    }

    /** For tests that build a machine by hand (the launcher goes through Configuration Admin). */
    public VirtioNetComponent(String name, String mac, String addr, String mode, Board board, NetBackend backend) {
        this(name, mac, addr, mode, 0, board, backend);
    }

    /** The same with QEMU's {@code host_mtu} (0: VIRTIO_NET_F_MTU not offered). */
    public VirtioNetComponent(String name, String mac, String addr, String mode, int hostMtu, Board board,
                              NetBackend backend) {
        this.board = board;
        MacAddress address;
        VirtioPci.Mode m;
        int slot;
        try {
            checkName(name);
            address = mac == null || mac.isBlank() ? MacAddress.defaultFor(name) : MacAddress.parse(mac);
            m = parseMode(mode);
            slot = PciAddressProperty.parse(addr, "a virtio function");
            if (hostMtu != 0 && (hostMtu < VirtioNet.MIN_MTU || hostMtu > VirtioNet.MAX_MTU)) {
                throw new IllegalArgumentException("bad host_mtu " + hostMtu + ": expected " + VirtioNet.MIN_MTU
                        + "-" + VirtioNet.MAX_MTU);
            }
        } catch (IllegalArgumentException e) {
            LOG.error("{}: configuration rejected: {}", name, e.getMessage());
            throw e;
        }
        function = new VirtioNet(name, board.memory(), m, address.octets(), hostMtu);
        port = backend == null ? null : backend.attach(name, function);
        function.setPort(port);
        int devfn;
        try {
            devfn = board.pci().plug(function, slot, 0);
        } catch (RuntimeException e) {
            LOG.error("{}: cannot plug into PCI slot {}: {}", name, slot < 0 ? "(first free)" : slot, e.getMessage());
            if (port != null) {
                port.close();
            }
            throw e;
        }
        LOG.info("{}: virtio-net ({}) at 00:{} MAC {}{} on {}", name, m.name().toLowerCase(Locale.ROOT),
                String.format("%02x.%d", devfn >> 3, devfn & 7), address, hostMtu != 0 ? ", MTU " + hostMtu : "",
                backend == null ? "no backend (link down)" : "netdev " + backend.id());
    }

    static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,32}")) {
            throw new IllegalArgumentException("bad name '" + name + "': expected 1-32 characters of [A-Za-z0-9_.-]");
        }
    }

    static VirtioPci.Mode parseMode(String mode) {
        String m = mode == null || mode.isBlank() ? "transitional" : mode.trim().toLowerCase(Locale.ROOT);
        return switch (m) {
            case "transitional" -> VirtioPci.Mode.TRANSITIONAL;
            case "modern" -> VirtioPci.Mode.MODERN;
            case "legacy" -> VirtioPci.Mode.LEGACY;
            default -> throw new IllegalArgumentException("bad mode '" + mode + "': expected transitional, modern or legacy");
        };
    }

    /** The function, for tests in this bundle. */
    VirtioNet function() {
        return function;
    }

    @Deactivate
    public void deactivate() {
        board.pci().unplug(function);
        function.setPort(null);
        if (port != null) {
            port.close();
        }
        LOG.info("{}: unplugged", function.name());
    }
}

package org.alosj.hw.pcnet.impl;

import org.alosj.hal.net.MacAddress;
import org.alosj.hal.pci.PciAddressProperty;
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
 * One PCnet card per factory configuration of PID {@value #PID} ({@code -device pcnet}):
 * activation builds the card, attaches it to the backend named by {@code backend.target} and
 * plugs it into the board (a hot-plug event while the machine runs); deactivation unplugs it
 * and closes the port. Both references are static: a backend that comes later (greedy) makes
 * the card unplug and plug again, as pulling the card to connect a cable would.
 */
@Component(configurationPid = PcnetComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class PcnetComponent {
    public static final String PID = "org.alosj.hw.pcnet";
    static final String NO_BACKEND = "(" + NetBackend.NETDEV_ID + "=-)";
    private static final Logger LOG = LoggerFactory.getLogger("hw.pcnet");

    /** Configuration of a card. */
    public @interface Config {
        /** Name of the card (logs, the PCI function's name): {@code pcnet0}. */
        String name() default "pcnet0";

        /** {@code aa:bb:cc:dd:ee:ff}; empty: QEMU's default 52:54:00:12:34:56 plus the name's number. */
        String mac() default "";

        /** PCI slot: decimal ({@code 3}), hex ({@code 0x3}) or QEMU's {@code 03.0}; empty: first free. */
        String addr() default "";

        /** Filter selecting the backend; the default selects none (no cable, link down). */
        String backend_target() default NO_BACKEND;
    }

    private final Board board;
    private final Am79C970A card;
    private final NetPort port;

    @Activate
    public PcnetComponent(Config config, @Reference(name = "board") Board board,
                          @Reference(name = "backend", cardinality = ReferenceCardinality.OPTIONAL,
                                  policyOption = ReferencePolicyOption.GREEDY, target = NO_BACKEND)
                          NetBackend backend) {
        this(config.name(), config.mac(), config.addr(), board, backend);
    }

    PcnetComponent(String name, String mac, String addr, Board board, NetBackend backend) {
        this.board = board;
        MacAddress address;
        int slot;
        try {
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,32}")) {
                throw new IllegalArgumentException("bad name '" + name + "': expected 1-32 characters of [A-Za-z0-9_.-]");
            }
            address = mac == null || mac.isBlank() ? MacAddress.defaultFor(name) : MacAddress.parse(mac);
            slot = PciAddressProperty.parse(addr, "the PCnet");
        } catch (IllegalArgumentException e) {
            LOG.error("{}: configuration rejected: {}", name, e.getMessage());
            throw e;
        }
        card = new Am79C970A(name, address.octets(), board.clock());
        port = backend == null ? null : backend.attach(name, card);
        card.setPort(port);
        int devfn;
        try {
            devfn = board.pci().plug(card, slot, 0);
        } catch (RuntimeException e) {
            LOG.error("{}: cannot plug into PCI slot {}: {}", name, slot < 0 ? "(first free)" : slot, e.getMessage());
            if (port != null) {
                port.close();
            }
            throw e;
        }
        LOG.info("{}: Am79C970A at 00:{} MAC {} on {}", name, String.format("%02x.%d", devfn >> 3, devfn & 7),
                address, backend == null ? "no backend (link down)" : "netdev " + backend.id());
    }

    /** The card, for tests and tools in this bundle. */
    Am79C970A card() {
        return card;
    }

    @Deactivate
    void deactivate() {
        board.pci().unplug(card);
        card.setPort(null);
        if (port != null) {
            port.close();
        }
        LOG.info("{}: unplugged", card.name());
    }
}

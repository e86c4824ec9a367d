package org.alosj.hw.e1000.impl;

import org.alosj.hal.net.MacAddress;
import org.alosj.hal.pci.PciAddressProperty;
import org.alosj.hal.board.Board;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One card on the board: built from a configuration, attached to its backend, plugged into a
 * PCI slot (a hot-plug event while the machine runs); {@link #unplug} undoes all of it. The two
 * DS components ({@code -device e1000}, {@code -device e1000e}) each hold one.
 */
final class NicPlug {
    private static final Logger LOG = LoggerFactory.getLogger("hw.e1000");

    private final Board board;
    private final E1000Function card;
    private final NetPort port;

    NicPlug(Part part, String name, String mac, String addr, Board board, NetBackend backend) {
        this.board = board;
        MacAddress address;
        int slot;
        try {
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,32}")) {
                throw new IllegalArgumentException("bad name '" + name + "': expected 1-32 characters of [A-Za-z0-9_.-]");
            }
            address = mac == null || mac.isBlank() ? MacAddress.defaultFor(name) : MacAddress.parse(mac);
            slot = PciAddressProperty.parse(addr, "the NIC");
        } catch (IllegalArgumentException e) {
            LOG.error("{}: configuration rejected: {}", name, e.getMessage());
            throw e;
        }
        card = new E1000Function(part, name, address.octets(), board.clock());
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
        LOG.info("{}: {} at 00:{} MAC {} on {}", name, part.model, String.format("%02x.%d", devfn >> 3, devfn & 7),
                address, backend == null ? "no backend (link down)" : "netdev " + backend.id());
    }

    E1000Function card() {
        return card;
    }

    void unplug() {
        board.pci().unplug(card);
        card.setPort(null);
        if (port != null) {
            port.close();
        }
        LOG.info("{}: unplugged", card.name());
    }
}

package org.alosj.hal.board.impl;

import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.Mapping;

/**
 * The I/O-port space: a decode table of 64 Ki entries. An access is claimed by the decoder of
 * its first port, as on ISA where a device decodes its base address; nothing decodes → the bus
 * floats high.
 */
final class IoPortBus implements IoPortSpace {
    private static final class Decoder implements Mapping {
        final int base;
        final int length;
        final IoPortHandler handler;
        final String owner;
        private final IoPortBus bus;

        Decoder(IoPortBus bus, int base, int length, IoPortHandler handler, String owner) {
            this.bus = bus;
            this.base = base;
            this.length = length;
            this.handler = handler;
            this.owner = owner;
        }

        @Override
        public long base() {
            return base;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void close() {
            bus.unmap(this);
        }
    }

    private final Decoder[] decode = new Decoder[PORT_COUNT];

    @Override
    public synchronized Mapping map(int base, int length, IoPortHandler handler, String owner) {
        if (base < 0 || length <= 0 || base + length > PORT_COUNT) {
            throw new IllegalArgumentException(String.format("port range %#x+%d leaves the I/O space", base, length));
        }
        for (int p = base; p < base + length; p++) {
            if (decode[p] != null) {
                throw new IllegalArgumentException(String.format("ports %#x-%#x for %s overlap %s at %#x",
                        base, base + length - 1, owner, decode[p].owner, p));
            }
        }
        Decoder d = new Decoder(this, base, length, handler, owner);
        for (int p = base; p < base + length; p++) {
            decode[p] = d;
        }
        return d;
    }

    private synchronized void unmap(Decoder d) {
        for (int p = d.base; p < d.base + d.length; p++) {
            if (decode[p] == d) {
                decode[p] = null;
            }
        }
    }

    @Override
    public int read(int port, int size) {
        Decoder d = decode[port & 0xFFFF];
        if (d == null) {
            return size == 4 ? -1 : (1 << (8 * size)) - 1;
        }
        int v = d.handler.ioRead(port & 0xFFFF, size);
        return size == 4 ? v : v & ((1 << (8 * size)) - 1);
    }

    @Override
    public void write(int port, int size, int value) {
        Decoder d = decode[port & 0xFFFF];
        if (d != null) {
            d.handler.ioWrite(port & 0xFFFF, size, size == 4 ? value : value & ((1 << (8 * size)) - 1));
        }
    }

    /** Who decodes {@code port}, for diagnostics. */
    synchronized String owner(int port) {
        Decoder d = decode[port & 0xFFFF];
        return d == null ? null : d.owner;
    }
}

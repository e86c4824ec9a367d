package org.alosj.net.impl.iface;

import java.util.ArrayDeque;
import org.alosj.kernel.device.NetDevice;
import org.alosj.net.Ipv4Address;

/**
 * One interface: the name belongs to the PCI slot, and with it the address, routes, ARP cache
 * and sockets; the NetDevice under it may go and come back (a driver swap). While it has none,
 * outgoing frames wait in a bounded backlog (overflow dropped and counted). All fields are
 * guarded by the stack's lock.
 */
public final class NetInterface {
    public static final int TX_BACKLOG = 256;

    public final String slot;
    public String name;
    public NetDevice device;
    public String driver;
    public long mac;
    public int configuredMtu;
    public Ipv4Address address = Ipv4Address.ANY;
    public int prefixLength;
    public boolean up = true;
    public final boolean loopback;
    public final ArpCache arp = new ArpCache();
    public final ArrayDeque<byte[]> txBacklog = new ArrayDeque<>();
    public boolean flushScheduled;
    public volatile FrameTap tap;

    public long rxPackets;
    public long rxBytes;
    public long rxErrors;
    public long rxDropped;
    public long txPackets;
    public long txBytes;
    public long txErrors;
    public long txDropped;

    /** Sees every frame in and out, for capture; must not block. */
    @FunctionalInterface
    public interface FrameTap {
        void frame(byte[] frame, int offset, int length);
    }

    public NetInterface(String slot, String name, boolean loopback) {
        this.slot = slot;
        this.name = name;
        this.loopback = loopback;
    }

    public int mtu() {
        int deviceMtu = loopback ? 65535 - 20 : device != null ? device.mtu() : 1500;
        return configuredMtu > 0 ? Math.min(configuredMtu, deviceMtu) : deviceMtu;
    }

    public boolean hasAddress() {
        return !address.isUnspecified();
    }

    public boolean isBroadcastFor(int ip) {
        if (ip == -1) {
            return true;
        }
        return hasAddress() && prefixLength < 31 && (ip | Ipv4Address.mask(prefixLength)) == -1
                && (ip & Ipv4Address.mask(prefixLength)) == (address.bits() & Ipv4Address.mask(prefixLength));
    }

    /** Sends a whole frame now, or keeps it in the backlog; false when it had to be dropped. */
    public boolean transmit(byte[] frame) {
        FrameTap t = tap;
        if (t != null) {
            t.frame(frame, 0, frame.length);
        }
        if (txBacklog.isEmpty() && sendNow(frame)) {
            return true;
        }
        if (txBacklog.size() >= TX_BACKLOG) {
            txDropped++;
            return false;
        }
        txBacklog.addLast(frame);
        return true;
    }

    /** Sends what waits in the backlog, as far as the device takes it; true when some is left. */
    public boolean flush() {
        while (!txBacklog.isEmpty()) {
            if (!sendNow(txBacklog.peekFirst())) {
                return true;
            }
            txBacklog.pollFirst();
        }
        return false;
    }

    private boolean sendNow(byte[] frame) {
        NetDevice d = device;
        if (d == null) {
            return false;
        }
        try {
            if (!d.transmit(frame, 0, frame.length)) {
                return false;
            }
        } catch (RuntimeException e) {
            txErrors++;
            return true; // the device refused this frame for good; it is not retried
        }
        txPackets++;
        txBytes += frame.length;
        return true;
    }
}

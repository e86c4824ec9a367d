package org.alosj.net.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.alosj.kernel.device.MacAddress;
import org.alosj.kernel.device.NetDevice;
import org.alosj.net.InterfaceInfo;
import org.alosj.net.Ipv4Address;
import org.alosj.net.impl.iface.ArpCache;
import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.iface.RouteTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interfaces: one per slot, named eth0, eth1, … in slot order, which keeps its address,
 * routes and connections while its driver is swapped (attach, detach) and goes with its device
 * (remove); their addresses, MTU and up state, the routes and the ARP entries as the commands set
 * and show them. Each public-facing method takes the stack's lock itself, as {@link Stack}'s
 * API did.
 */
final class Interfaces {
    private static final Logger LOG = LoggerFactory.getLogger("net.stack");

    private final Stack stack;

    Interfaces(Stack stack) {
        this.stack = stack;
    }

    /**
     * A NetDevice came for {@code slot}: the interface of that slot (new, or the one that kept
     * its state while the slot had no driver) takes it. Names follow slot order.
     */
    NetInterface attach(String slot, NetDevice device, String driver) {
        stack.enter();
        try {
            NetInterface i = stack.interfaces.get(slot);
            boolean fresh = i == null;
            if (fresh) {
                i = new NetInterface(slot, "eth?", false);
                stack.interfaces.put(slot, i);
                renumber();
            }
            i.device = device;
            i.driver = driver;
            i.mac = MacAddress.fromBytes(device.macAddress()).toLong();
            NetInterface iface = i;
            device.setReceiver(new NetDevice.Receiver() {
                @Override
                public void frameReceived(NetDevice d, byte[] frame, int off, int len) {
                    stack.ingress.receive(iface, frame, off, len, false);
                }

                @Override
                public void frameReceived(NetDevice d, byte[] frame, int off, int len, boolean more) {
                    stack.ingress.receive(iface, frame, off, len, more);
                }
            });
            if (iface.hasAddress()) {
                stack.arp.announce(iface);
            }
            stack.ipv4.flush(iface);
            LOG.info("{}: {} in slot {}, MAC {}", i.name, driver, slot, MacAddress.of(i.mac));
            if (!fresh && iface.hasAddress()) {
                // A driver swap: connections on this address probe now rather than wait for their RTO.
                for (TcpEndpoint e : new ArrayList<>(stack.connections.values())) {
                    if (e.key().localAddress() == iface.address.bits()) {
                        e.socket.pathResumed(stack.now());
                        stack.tcp.service(e);
                    }
                }
            }
            return i;
        } finally {
            stack.exit();
        }
    }

    /** The NetDevice of {@code slot} went away: the interface keeps everything and waits for the next. */
    void detach(String slot, NetDevice device) {
        stack.enter();
        try {
            NetInterface i = stack.interfaces.get(slot);
            if (i != null && i.device == device) {
                i.device = null;
                i.driver = null;
                LOG.info("{}: the driver went away; address, routes and {} TCP connections stay", i.name,
                        stack.connections.size());
            }
        } finally {
            stack.exit();
        }
        try {
            device.setReceiver(null);
        } catch (RuntimeException alreadyClosed) {
            // a device that is gone may refuse
        }
    }

    /**
     * The device of {@code slot} left the machine (a hot-unplug, not a driver swap: the slot is
     * off the bus). Its interface goes with its routes, and the TCP connections that used its
     * address fail at once, as Linux's do when their device is unregistered, rather than
     * retransmit into nothing until they time out. A slot whose driver is back is left alone.
     *
     * @return the interface's name, or null if there was nothing to remove
     */
    String remove(String slot) {
        stack.enter();
        try {
            NetInterface i = stack.interfaces.get(slot);
            if (i == null || i.device != null) {
                return null;
            }
            stack.interfaces.remove(slot);
            stack.routes.removeInterface(i.name, false);
            int address = i.address.bits();
            int failed = 0;
            for (TcpEndpoint e : new ArrayList<>(stack.connections.values())) {
                if (address != 0 && e.key().localAddress() == address) {
                    e.failure = i.name + ": network is down (its device was removed)";
                    e.socket.abort();
                    stack.tcp.service(e);
                    failed++;
                }
            }
            LOG.info("{}: the device in slot {} was removed: interface gone, {} TCP connection(s) failed", i.name,
                    slot, failed);
            return i.name;
        } finally {
            stack.exit();
        }
    }

    void renumber() {
        int n = 0;
        for (NetInterface i : stack.interfaces.values()) {
            String name = "eth" + n++;
            if (!name.equals(i.name)) {
                stack.routes.routes().stream().filter(r -> r.interfaceName().equals(i.name)).forEach(r -> {
                    stack.routes.removeInterface(i.name, false);
                    stack.routes.add(new RouteTable.Route(r.destination(), r.prefixLength(), r.gateway(), name, r.connected()));
                });
                i.name = name;
            }
        }
    }

    /** Whether {@code address} is this machine's: a stack.loopback address or one an interface has. Lock held. */
    boolean ownsAddress(int address) {
        if (address >>> 24 == 127) {
            return true;
        }
        for (NetInterface i : stack.interfaces.values()) {
            if (i.address.bits() == address) {
                return true;
            }
        }
        return false;
    }

    NetInterface interfaceNamed(String name) {
        stack.enter();
        try {
            return find(name);
        } finally {
            stack.exit();
        }
    }

    NetInterface find(String name) {
        if ("lo".equals(name)) {
            return stack.loopback;
        }
        for (NetInterface i : stack.interfaces.values()) {
            if (i.name.equals(name)) {
                return i;
            }
        }
        return null;
    }

    NetInterface requireInterface(String name) {
        NetInterface i = find(name);
        if (i == null) {
            throw new IllegalArgumentException("no interface " + name + " (have: " + names() + ")");
        }
        return i;
    }

    String names() {
        List<String> n = new ArrayList<>();
        stack.interfaces.values().forEach(i -> n.add(i.name));
        n.add("lo");
        return String.join(", ", n);
    }

    /** Sets (or with ANY clears) an interface's address; the connected route follows. */
    void configure(String name, Ipv4Address address, int prefixLength) {
        stack.enter();
        try {
            NetInterface i = requireInterface(name);
            Ipv4Address.mask(prefixLength);
            stack.routes.removeInterface(i.name, true);
            i.address = address;
            i.prefixLength = prefixLength;
            if (!address.isUnspecified()) {
                int mask = Ipv4Address.mask(prefixLength);
                stack.routes.add(new RouteTable.Route(new Ipv4Address(address.bits() & mask), prefixLength, Ipv4Address.ANY,
                        i.name, true));
                stack.arp.announce(i);
            }
        } finally {
            stack.exit();
        }
    }

    void setMtu(String name, int mtu) {
        stack.enter();
        try {
            NetInterface i = requireInterface(name);
            if (mtu < 68 || mtu > 65535) {
                throw new IllegalArgumentException("MTU " + mtu + " is not in 68..65535");
            }
            i.configuredMtu = mtu;
        } finally {
            stack.exit();
        }
    }

    void setUp(String name, boolean up) {
        stack.enter();
        try {
            requireInterface(name).up = up;
        } finally {
            stack.exit();
        }
    }

    void addRoute(Ipv4Address destination, int prefixLength, Ipv4Address gateway, String interfaceName) {
        stack.enter();
        try {
            String dev = interfaceName;
            if (dev == null) {
                RouteTable.Route via = stack.routes.lookup(gateway.bits(), null);
                if (via == null || !via.gateway().isUnspecified()) {
                    throw new IllegalArgumentException("gateway " + gateway + " is not on a connected network; name a dev");
                }
                dev = via.interfaceName();
            } else {
                requireInterface(dev);
            }
            int mask = Ipv4Address.mask(prefixLength);
            stack.routes.add(new RouteTable.Route(new Ipv4Address(destination.bits() & mask), prefixLength, gateway, dev, false));
        } finally {
            stack.exit();
        }
    }

    boolean removeRoute(Ipv4Address destination, int prefixLength) {
        return stack.routes.remove(destination, prefixLength);
    }

    List<RouteTable.Route> routes() {
        return stack.routes.routes();
    }

    /** Every interface's ARP entries as (interface name, entry). */
    List<Map.Entry<String, ArpCache.Entry>> arpEntries() {
        stack.enter();
        try {
            List<Map.Entry<String, ArpCache.Entry>> all = new ArrayList<>();
            long now = stack.now();
            for (NetInterface i : stack.interfaces.values()) {
                i.arp.entries(now).forEach(e -> all.add(Map.entry(i.name, e)));
            }
            return all;
        } finally {
            stack.exit();
        }
    }

    /** A permanent ARP entry on interface {@code name} (arp -s): it never expires and ARP traffic does not change it. */
    void addStaticArp(String name, Ipv4Address ip, long mac) {
        stack.enter();
        try {
            requireInterface(name).arp.addPermanent(ip.bits(), mac);
        } finally {
            stack.exit();
        }
    }

    boolean removeArp(Ipv4Address ip) {
        stack.enter();
        try {
            boolean any = false;
            for (NetInterface i : stack.interfaces.values()) {
                any |= i.arp.remove(ip.bits());
            }
            return any;
        } finally {
            stack.exit();
        }
    }

    void setTap(String name, NetInterface.FrameTap tap) {
        stack.enter();
        try {
            requireInterface(name).tap = tap;
        } finally {
            stack.exit();
        }
    }

    List<InterfaceInfo> interfaces() {
        stack.enter();
        try {
            List<InterfaceInfo> list = new ArrayList<>();
            for (NetInterface i : stack.interfaces.values()) {
                list.add(info(i));
            }
            list.add(info(stack.loopback));
            return list;
        } finally {
            stack.exit();
        }
    }

    InterfaceInfo info(NetInterface i) {
        NetDevice d = i.device;
        boolean link = i.loopback || d != null && d.linkUp();
        String problem = null;
        if (!i.loopback) {
            if (d == null) {
                problem = "no driver bound to slot " + i.slot + " (frames wait: " + i.txBacklog.size() + ")";
            } else if (!d.linkUp()) {
                problem = "the NIC reports no link (no peer on its backend)";
            }
        }
        return new InterfaceInfo(i.name, i.slot, i.loopback ? "stack.loopback" : i.driver,
                i.loopback ? "00:00:00:00:00:00" : MacAddress.of(i.mac).toString(), i.address, i.prefixLength, i.mtu(), i.up,
                link, problem, new InterfaceInfo.Counters(i.rxPackets, i.rxBytes, i.rxErrors, i.rxDropped, i.txPackets,
                i.txBytes, i.txErrors, i.txDropped));
    }

    /** The names of the interfaces (in slot order) for commands. */
    List<String> interfaceNames() {
        stack.enter();
        try {
            List<String> n = new ArrayList<>();
            stack.interfaces.values().forEach(i -> n.add(i.name));
            return n;
        } finally {
            stack.exit();
        }
    }

    /** The interface's address, or ANY. */
    Ipv4Address addressOf(String name) {
        stack.enter();
        try {
            return requireInterface(name).address;
        } finally {
            stack.exit();
        }
    }

    long macOf(String name) {
        stack.enter();
        try {
            return requireInterface(name).mac;
        } finally {
            stack.exit();
        }
    }
}

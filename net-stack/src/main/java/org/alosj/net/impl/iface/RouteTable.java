package org.alosj.net.impl.iface;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.alosj.net.Ipv4Address;

/**
 * The IPv4 routing table: longest prefix wins; among equal prefixes, a route out of the
 * interface that owns the packet's source address wins (the strong host model, RFC 1122
 * 3.3.4.2), then the first added. Connected routes come and go with interface addresses.
 */
public final class RouteTable {
    /** A route; {@code gateway} 0 means the destination is on the link. */
    public record Route(Ipv4Address destination, int prefixLength, Ipv4Address gateway, String interfaceName,
                        boolean connected) {
        boolean matches(int address) {
            return (address & Ipv4Address.mask(prefixLength)) == (destination.bits() & Ipv4Address.mask(prefixLength));
        }

        @Override
        public String toString() {
            return destination + "/" + prefixLength + (gateway.isUnspecified() ? "" : " via " + gateway) + " dev "
                    + interfaceName + (connected ? " (connected)" : "");
        }
    }

    private final List<Route> routes = new ArrayList<>();

    public synchronized void add(Route r) {
        routes.removeIf(x -> x.destination.equals(r.destination) && x.prefixLength == r.prefixLength
                && x.interfaceName.equals(r.interfaceName));
        routes.add(r);
    }

    public synchronized boolean remove(Ipv4Address destination, int prefixLength) {
        return routes.removeIf(x -> x.destination.equals(destination) && x.prefixLength == prefixLength);
    }

    public synchronized void removeInterface(String name, boolean connectedOnly) {
        routes.removeIf(x -> x.interfaceName.equals(name) && (x.connected || !connectedOnly));
    }

    public synchronized List<Route> routes() {
        List<Route> copy = new ArrayList<>(routes);
        copy.sort(Comparator.comparingInt((Route r) -> -r.prefixLength));
        return copy;
    }

    /** The best route to {@code destination}; {@code preferredInterface} (may be null) breaks ties. */
    public synchronized Route lookup(int destination, String preferredInterface) {
        Route best = null;
        for (Route r : routes) {
            if (!r.matches(destination)) {
                continue;
            }
            if (best == null || r.prefixLength > best.prefixLength
                    || r.prefixLength == best.prefixLength && r.interfaceName.equals(preferredInterface)
                    && !best.interfaceName.equals(preferredInterface)) {
                best = r;
            }
        }
        return best;
    }
}

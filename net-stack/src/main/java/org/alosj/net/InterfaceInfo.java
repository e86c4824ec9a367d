package org.alosj.net;

/**
 * What ifconfig shows of one interface.
 *
 * @param name eth0, eth1 … in PCI slot order, or lo
 * @param slot the PCI slot the name belongs to
 * @param driver the driver under it now, or null while it has none
 * @param linkProblem why the link is down, as far as the stack can tell, or null
 */
public record InterfaceInfo(String name, String slot, String driver, String mac, Ipv4Address address,
                            int prefixLength, int mtu, boolean up, boolean linkUp, String linkProblem,
                            Counters counters) {
    /** Packet counters of the interface as the stack sees them. */
    public record Counters(long rxPackets, long rxBytes, long rxErrors, long rxDropped,
                           long txPackets, long txBytes, long txErrors, long txDropped) {
    }
}

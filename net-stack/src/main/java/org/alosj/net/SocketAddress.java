package org.alosj.net;

/** An IPv4 address and a port 0..65535. */
public record SocketAddress(Ipv4Address address, int port) {
    public SocketAddress {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " is not in 0..65535");
        }
    }

    @Override
    public String toString() {
        return address + ":" + port;
    }
}

package org.alosj.net;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The network stack as a service: sockets, names and interfaces. */
@ProviderType
public interface NetworkStack {
    /**
     * Opens a TCP connection and waits for it to be established.
     *
     * @throws java.net.ConnectException when refused (RST) or unreachable
     * @throws java.net.SocketTimeoutException when not established within the timeout
     */
    StreamSocket connect(SocketAddress remote, Duration timeout) throws IOException;

    /** Listens on {@code local} (address ANY for every interface), port 0 for an ephemeral one. */
    ListeningSocket listen(SocketAddress local, int backlog) throws IOException;

    /** Binds a UDP port (0 for an ephemeral one) on {@code local}. */
    DatagramSocket bindDatagram(SocketAddress local) throws IOException;

    /** Resolves a host name (or a dotted quad) to its IPv4 addresses through DNS. */
    List<Ipv4Address> resolve(String name, Duration timeout) throws IOException;

    /**
     * Sends one ICMP echo request and waits for its reply.
     *
     * @return the round-trip time in nanoseconds, or -1 when no reply came within the timeout
     * @throws java.net.NoRouteToHostException when no route or no neighbour answers ARP
     */
    long ping(Ipv4Address destination, int sequence, int payloadLength, Duration timeout) throws IOException;

    List<InterfaceInfo> interfaces();
}

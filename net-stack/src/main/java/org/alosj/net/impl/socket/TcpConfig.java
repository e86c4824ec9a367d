package org.alosj.net.impl.socket;

/**
 * Tunables of TCP. Times are nanoseconds. The minimum RTO is 200 ms as Linux uses, below
 * RFC 6298's recommended 1 s, since the stack mostly talks over LANs and host loopback.
 * {@code sack}: offer and accept SACK (RFC 2018); on by default.
 */
public record TcpConfig(int sendBufferSize, int receiveBufferSize, long initialRto, long minRto, long maxRto,
                        int maxRetransmissions, int synRetries, long delayedAck, long msl, long keepAliveIdle,
                        long keepAliveInterval, int keepAliveProbes, boolean sack) {
    public static final long MS = 1_000_000L;

    public static TcpConfig defaults() {
        return new TcpConfig(256 * 1024, 256 * 1024, 1000 * MS, 200 * MS, 60_000 * MS, 12, 5, 40 * MS,
                30_000 * MS, 7_200_000 * MS, 75_000 * MS, 9, true);
    }

    public TcpConfig withBuffers(int send, int receive) {
        return new TcpConfig(send, receive, initialRto, minRto, maxRto, maxRetransmissions, synRetries, delayedAck, msl,
                keepAliveIdle, keepAliveInterval, keepAliveProbes, sack);
    }

    public TcpConfig withMsl(long mslNanos) {
        return new TcpConfig(sendBufferSize, receiveBufferSize, initialRto, minRto, maxRto, maxRetransmissions, synRetries,
                delayedAck, mslNanos, keepAliveIdle, keepAliveInterval, keepAliveProbes, sack);
    }

    public TcpConfig withKeepAlive(long idle, long interval, int probes) {
        return new TcpConfig(sendBufferSize, receiveBufferSize, initialRto, minRto, maxRto, maxRetransmissions, synRetries,
                delayedAck, msl, idle, interval, probes, sack);
    }

    /** The same with SACK offered and accepted ({@code true}) or neither (NewReno recovery only). */
    public TcpConfig withSack(boolean on) {
        return new TcpConfig(sendBufferSize, receiveBufferSize, initialRto, minRto, maxRto, maxRetransmissions, synRetries,
                delayedAck, msl, keepAliveIdle, keepAliveInterval, keepAliveProbes, on);
    }

    /** The window scale (RFC 7323) needed to advertise the whole receive buffer. */
    public int windowScale() {
        int shift = 0;
        while (shift < 14 && (receiveBufferSize >> shift) > 0xffff) {
            shift++;
        }
        return shift;
    }
}

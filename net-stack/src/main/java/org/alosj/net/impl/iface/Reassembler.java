package org.alosj.net.impl.iface;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IPv4 fragment reassembly (RFC 791 3.2, RFC 815 holes). Bounded: at most {@link #MAX_DATAGRAMS}
 * datagrams at once, each at most 65535 bytes, each given up {@link #TIMEOUT_NANOS} after its first
 * fragment; overlapping fragments that disagree are not checked (the later one wins).
 */
public final class Reassembler {
    public static final int MAX_DATAGRAMS = 16;
    public static final long TIMEOUT_NANOS = 30_000_000_000L;
    private static final int MAX_PAYLOAD = 65535 - 20;

    private record Key(int source, int destination, int identification, int protocol) {
    }

    private static final class Partial {
        final long started;
        final byte[] data = new byte[MAX_PAYLOAD];
        final boolean[] have = new boolean[(MAX_PAYLOAD + 7) / 8];
        int total = -1;

        Partial(long started) {
            this.started = started;
        }

        boolean complete() {
            if (total < 0) {
                return false;
            }
            for (int i = 0; i < (total + 7) / 8; i++) {
                if (!have[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A whole datagram's payload. */
    public record Datagram(byte[] payload, int length) {
    }

    private final Map<Key, Partial> partials = new LinkedHashMap<>();
    private long timedOut;
    private long dropped;

    /**
     * Adds one fragment's payload. Returns the whole payload when this fragment completes it, else
     * null. A fragment that would overflow 65535 bytes is dropped.
     */
    public Datagram add(long now, int src, int dst, int id, int protocol, int offset, boolean more, byte[] b, int off,
                        int len) {
        expire(now);
        if (offset + len > MAX_PAYLOAD || more && len % 8 != 0 || len == 0 && more) {
            dropped++;
            return null;
        }
        Key key = new Key(src, dst, id, protocol);
        Partial p = partials.get(key);
        if (p == null) {
            if (partials.size() >= MAX_DATAGRAMS) {
                Iterator<Key> oldest = partials.keySet().iterator();
                oldest.next();
                oldest.remove();
                dropped++;
            }
            p = new Partial(now);
            partials.put(key, p);
        }
        System.arraycopy(b, off, p.data, offset, len);
        for (int i = offset / 8; i < (offset + len + 7) / 8; i++) {
            p.have[i] = true;
        }
        if (!more) {
            p.total = offset + len;
        }
        if (p.complete()) {
            partials.remove(key);
            return new Datagram(p.data, p.total);
        }
        return null;
    }

    public void expire(long now) {
        Iterator<Partial> it = partials.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().started > TIMEOUT_NANOS) {
                it.remove();
                timedOut++;
            }
        }
    }

    public int pending() {
        return partials.size();
    }

    public long timedOut() {
        return timedOut;
    }

    public long dropped() {
        return dropped;
    }
}

package org.alosj.net.impl.app;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.alosj.net.DatagramSocket;
import org.alosj.net.Ipv4Address;
import org.alosj.net.NetworkStack;
import org.alosj.net.SocketAddress;
import org.alosj.net.impl.wire.DnsMessage;
import org.alosj.net.impl.wire.MalformedPacketException;

/**
 * A stub resolver for A records (RFC 1034 5.3.1): asks the configured servers over UDP, each
 * up to {@link #TRIES} times with a timeout, follows CNAMEs within the answer, and caches answers
 * for their TTL (the smallest in the chain). Replies with a wrong id, a wrong question or that do
 * not parse are ignored, so a forged or broken reply only costs a retry.
 */
public final class DnsResolver {
    public static final int TRIES = 3;
    public static final Duration TRY_TIMEOUT = Duration.ofSeconds(2);
    static final int MAX_CACHE = 1024;
    static final int MAX_CNAME_CHAIN = 8;

    private record Cached(List<Ipv4Address> addresses, long expires) {
    }

    private final NetworkStack stack;
    private final LongSupplier clock;
    private final List<Ipv4Address> servers = new CopyOnWriteArrayList<>();
    private final Map<String, Cached> cache = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom();

    public DnsResolver(NetworkStack stack, LongSupplier nanoClock) {
        this.stack = stack;
        this.clock = nanoClock;
    }

    public void setServers(List<Ipv4Address> list) {
        servers.clear();
        servers.addAll(list);
    }

    public List<Ipv4Address> servers() {
        return List.copyOf(servers);
    }

    /** Resolves {@code name} to its A records. */
    public List<Ipv4Address> resolve(String name) throws IOException {
        DnsMessage.checkName(name);
        String key = name.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        long now = clock.getAsLong();
        synchronized (cache) {
            Cached c = cache.get(key);
            if (c != null && now < c.expires) {
                return c.addresses;
            }
            cache.remove(key);
        }
        if (servers.isEmpty()) {
            throw new UnknownHostException(name + ": no DNS server configured (dhcp, or dns= in the network configuration)");
        }
        IOException last = null;
        for (int attempt = 0; attempt < TRIES; attempt++) {
            for (Ipv4Address server : servers) {
                try {
                    return ask(server, key, name);
                } catch (SocketTimeoutException e) {
                    last = e;
                }
            }
        }
        throw new SocketTimeoutException("no answer for " + name + " from " + servers + " after " + TRIES + " tries"
                + (last == null ? "" : ""));
    }

    private List<Ipv4Address> ask(Ipv4Address server, String key, String name) throws IOException {
        try (DatagramSocket s = stack.bindDatagram(new SocketAddress(Ipv4Address.ANY, 0))) {
            int id = random.nextInt(0x10000);
            byte[] q = new byte[512];
            int len = DnsMessage.query(id, key).emit(q, 0);
            s.send(new SocketAddress(server, DnsMessage.PORT), q, 0, len);
            long deadline = System.nanoTime() + TRY_TIMEOUT.toNanos();
            byte[] buf = new byte[4096];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("DNS query to " + server + " timed out");
                }
                s.setTimeout(Duration.ofNanos(left));
                DatagramSocket.Received r = s.receive(buf, 0, buf.length);
                if (r.source().port() != DnsMessage.PORT || !r.source().address().equals(server)) {
                    continue;
                }
                DnsMessage m;
                try {
                    m = DnsMessage.parse(buf, 0, r.length());
                } catch (MalformedPacketException e) {
                    continue;
                }
                if (m.id() != id || !m.isResponse() || m.questions().size() != 1
                        || !m.questions().get(0).name().equalsIgnoreCase(key)) {
                    continue;
                }
                return answer(m, key, name);
            }
        }
    }

    /** The A records for {@code key} in a response, following CNAMEs; cached for the smallest TTL. */
    List<Ipv4Address> answer(DnsMessage m, String key, String name) throws UnknownHostException {
        if (m.rcode() == 3) {
            throw new UnknownHostException(name + ": no such name (NXDOMAIN)");
        }
        if (m.rcode() != 0) {
            throw new UnknownHostException(name + ": the server answered with error " + m.rcode());
        }
        String target = key;
        long ttl = Long.MAX_VALUE;
        List<Ipv4Address> out = new ArrayList<>();
        for (int hop = 0; hop <= MAX_CNAME_CHAIN && out.isEmpty(); hop++) {
            String t = target;
            String next = null;
            for (DnsMessage.Record rec : m.answers()) {
                if (!rec.name().equalsIgnoreCase(t)) {
                    continue;
                }
                if (rec.type() == DnsMessage.TYPE_A && rec.dnsClass() == DnsMessage.CLASS_IN) {
                    out.add(new Ipv4Address(rec.address()));
                    ttl = Math.min(ttl, rec.ttl());
                } else if (rec.type() == DnsMessage.TYPE_CNAME && rec.target() != null) {
                    next = rec.target();
                    ttl = Math.min(ttl, rec.ttl());
                }
            }
            if (next == null) {
                break;
            }
            target = next;
        }
        if (out.isEmpty()) {
            throw new UnknownHostException(name + ": no A record");
        }
        List<Ipv4Address> result = List.copyOf(out);
        synchronized (cache) {
            if (cache.size() >= MAX_CACHE) {
                cache.clear();
            }
            if (ttl > 0) {
                cache.put(key, new Cached(result, clock.getAsLong() + Math.min(ttl, 7 * 86400L) * 1_000_000_000L));
            }
        }
        return result;
    }

    /** How many names are cached (for tests and nslookup's report). */
    public int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }
}

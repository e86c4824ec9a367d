package org.alosj.net.impl.iface;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ARP cache of one interface (RFC 826, RFC 1122 2.3.2): entries expire after
 * {@link #ENTRY_LIFETIME_NANOS}; frames for a neighbour not yet resolved wait (at most
 * {@link #MAX_QUEUED} per neighbour, {@link #MAX_PENDING} neighbours) while a request is repeated
 * every second up to {@link #MAX_REQUESTS} times.
 */
public final class ArpCache {
    public static final long ENTRY_LIFETIME_NANOS = 60_000_000_000L;
    public static final long RETRY_NANOS = 1_000_000_000L;
    public static final int MAX_REQUESTS = 3;
    public static final int MAX_QUEUED = 16;
    public static final int MAX_PENDING = 64;
    public static final int MAX_ENTRIES = 512;

    public record Entry(int ip, long mac, long expires, boolean permanent) {
    }

    /** Frames waiting for one neighbour. */
    public static final class Pending {
        public final ArrayDeque<byte[]> frames = new ArrayDeque<>();
        public int requests;
        public long nextRequest;
    }

    private final Map<Integer, Entry> entries = new HashMap<>();
    private final Map<Integer, Pending> pending = new HashMap<>();

    public Entry lookup(int ip, long now) {
        Entry e = entries.get(ip);
        if (e != null && !e.permanent && now >= e.expires) {
            entries.remove(ip);
            return null;
        }
        return e;
    }

    /** Learns or refreshes a mapping; returns the frames that were waiting for it (possibly none). */
    public List<byte[]> learn(int ip, long mac, long now) {
        Entry old = entries.get(ip);
        if (old != null && old.permanent) {
            return List.of();
        }
        if (old == null && entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(x -> !x.permanent && now >= x.expires);
            if (entries.size() >= MAX_ENTRIES) {
                return List.of();
            }
        }
        entries.put(ip, new Entry(ip, mac, now + ENTRY_LIFETIME_NANOS, false));
        Pending p = pending.remove(ip);
        return p == null ? List.of() : new ArrayList<>(p.frames);
    }

    /** Updates an existing entry only (RFC 826's merge flag). */
    public boolean refresh(int ip, long mac, long now) {
        Entry old = entries.get(ip);
        if (old == null || old.permanent) {
            return false;
        }
        entries.put(ip, new Entry(ip, mac, now + ENTRY_LIFETIME_NANOS, false));
        return true;
    }

    public void addPermanent(int ip, long mac) {
        entries.put(ip, new Entry(ip, mac, Long.MAX_VALUE, true));
    }

    public boolean remove(int ip) {
        pending.remove(ip);
        return entries.remove(ip) != null;
    }

    /**
     * Queues a frame for an unresolved neighbour. Returns the pending record when a request should
     * go out now (the first frame), null otherwise; returns false through {@code dropped[0]} when
     * the frame did not fit.
     */
    public Pending enqueue(int ip, byte[] frame, long now, boolean[] dropped) {
        Pending p = pending.get(ip);
        boolean first = false;
        if (p == null) {
            if (pending.size() >= MAX_PENDING) {
                dropped[0] = true;
                return null;
            }
            p = new Pending();
            pending.put(ip, p);
            first = true;
        }
        if (p.frames.size() >= MAX_QUEUED) {
            p.frames.pollFirst();
            dropped[0] = true;
        }
        p.frames.addLast(frame);
        if (first) {
            p.requests = 1;
            p.nextRequest = now + RETRY_NANOS;
            return p;
        }
        return null;
    }

    public Map<Integer, Pending> pending() {
        return pending;
    }

    public List<Entry> entries(long now) {
        entries.values().removeIf(x -> !x.permanent && now >= x.expires);
        List<Entry> list = new ArrayList<>(entries.values());
        list.sort((a, b) -> Integer.compareUnsigned(a.ip, b.ip));
        return list;
    }
}

package org.alosj.net.impl.iface;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes frames to a pcap file (libpcap format 2.4, LINKTYPE_ETHERNET) from its own thread, so
 * the tap on the receive path only copies the frame into a bounded queue (full: dropped, counted).
 */
public final class PcapWriter implements NetInterface.FrameTap, AutoCloseable {
    static final int MAGIC = 0xa1b2c3d4;
    static final int LINKTYPE_ETHERNET = 1;
    static final int SNAPLEN = 65535;
    private static final byte[] STOP = new byte[0];

    private record Captured(long epochMicros, byte[] frame) {
    }

    private final ArrayBlockingQueue<Captured> queue = new ArrayBlockingQueue<>(4096);
    private final OutputStream out;
    private final Thread writer;
    private final Path file;
    public final AtomicLong written = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();
    private volatile IOException failure;

    public PcapWriter(Path file) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 65536);
        byte[] h = new byte[24];
        putLe32(h, 0, MAGIC);
        putLe16(h, 4, 2);
        putLe16(h, 6, 4);
        putLe32(h, 16, SNAPLEN);
        putLe32(h, 20, LINKTYPE_ETHERNET);
        out.write(h);
        writer = new Thread(this::run, "pcap-" + file.getFileName());
        writer.setDaemon(true);
        writer.start();
    }

    public Path file() {
        return file;
    }

    @Override
    public void frame(byte[] frame, int offset, int length) {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        byte[] copy = new byte[Math.min(length, SNAPLEN)];
        System.arraycopy(frame, offset, copy, 0, copy.length);
        if (!queue.offer(new Captured(micros, copy))) {
            dropped.incrementAndGet();
        }
    }

    private void run() {
        byte[] rec = new byte[16];
        try {
            while (true) {
                Captured c = queue.poll(1, TimeUnit.SECONDS);
                if (c == null) {
                    out.flush();
                    continue;
                }
                if (c.frame == STOP) {
                    break;
                }
                putLe32(rec, 0, (int) (c.epochMicros / 1_000_000));
                putLe32(rec, 4, (int) (c.epochMicros % 1_000_000));
                putLe32(rec, 8, c.frame.length);
                putLe32(rec, 12, c.frame.length);
                out.write(rec);
                out.write(c.frame);
                written.incrementAndGet();
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    /** Writes what is queued and closes the file. */
    @Override
    public void close() throws IOException {
        try {
            queue.put(new Captured(0, STOP));
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void putLe32(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    private static void putLe16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
    }
}

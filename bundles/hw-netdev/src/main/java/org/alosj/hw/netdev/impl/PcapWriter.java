package org.alosj.hw.netdev.impl;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;

/**
 * A classic libpcap file: the 24-byte global header (magic {@code 0xa1b2c3d4} written
 * little-endian, version 2.4, snap length 65535, link type 1 = Ethernet), then one 16-byte
 * record header (seconds, microseconds, captured and original length) and the frame per
 * packet. Each packet is flushed as it is written, so a reader (tshark, Wireshark) follows the
 * capture while the machine runs.
 */
final class PcapWriter implements Closeable {
    static final int PCAP_MAGIC = 0xa1b2c3d4;
    static final int PCAP_VERSION_MAJOR = 2;
    static final int PCAP_VERSION_MINOR = 4;
    static final int PCAP_SNAPLEN = 65535;
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;

    private final OutputStream out;
    private final Clock clock;
    private final ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private long packets;

    PcapWriter(Path file, Clock clock) throws IOException {
        this.clock = clock;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
        ByteBuffer h = ByteBuffer.allocate(GLOBAL_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(PCAP_MAGIC);
        h.putShort((short) PCAP_VERSION_MAJOR);
        h.putShort((short) PCAP_VERSION_MINOR);
        h.putInt(0);          // thiszone: timestamps are UTC
        h.putInt(0);          // sigfigs
        h.putInt(PCAP_SNAPLEN);
        h.putInt(LINKTYPE_ETHERNET);
        out.write(h.array());
        out.flush();
    }

    synchronized void write(byte[] frame, int offset, int length) throws IOException {
        Instant now = clock.instant();
        int captured = Math.min(length, PCAP_SNAPLEN);
        record.clear();
        record.putInt((int) now.getEpochSecond());
        record.putInt(now.getNano() / 1000);
        record.putInt(captured);
        record.putInt(length);
        out.write(record.array());
        out.write(frame, offset, captured);
        out.flush();
        packets++;
    }

    synchronized long packets() {
        return packets;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}

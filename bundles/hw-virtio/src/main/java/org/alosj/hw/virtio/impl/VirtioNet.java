package org.alosj.hw.virtio.impl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetPort;

/**
 * virtio-net (virtio 1.x section 5.1) as QEMU's {@code virtio-net-pci} presents it, on one
 * receive queue (0) and one transmit queue (1), {@value #QUEUE_SIZE} entries each. Features:
 * MAC, STATUS, MRG_RXBUF, CSUM (the device completes a partial checksum the driver asks for)
 * and GUEST_CSUM (frames from the wire come fully checksummed, so the device never needs it),
 * and MTU when the machine sets one ({@code host_mtu}, as QEMU offers VIRTIO_NET_F_MTU only
 * then): the largest frame either side may send is that MTU plus the Ethernet header.
 *
 * <p>No segmentation offloads (HOST_TSO*, GUEST_TSO*): QEMU offers them only over a backend
 * that carries a virtio_net_hdr itself (tap with vnet_hdr). Ours carry bare Ethernet frames
 * (a UDP datagram, passt's stream, the in-JVM hub), so a TSO frame would have to be cut into
 * MTU-sized frames here, which is the stack's work moved, not saved; a larger MTU is the
 * honest way to fewer frames on such a link.
 *
 * <p>Every buffer starts with a struct virtio_net_hdr {u8 flags, u8 gso_type, le16 hdr_len,
 * le16 gso_size, le16 csum_start, le16 csum_offset, le16 num_buffers}: 12 bytes with VERSION_1
 * or MRG_RXBUF, 10 without (a legacy driver without mergeable buffers). Transmit: each chain is
 * one frame after its header, sent when the driver notifies. Receive: frames from the backend
 * thread fill the next receive chain, or with MRG_RXBUF as many chains as the frame needs
 * (num_buffers says how many); with no room the frame is dropped and counted, as a NIC drops
 * what it has no buffer for.
 */
public final class VirtioNet extends VirtioPci implements FrameReceiver {
    public static final int PCI_CLASS_NETWORK_ETHERNET = 0x020000;
    static final int QUEUE_SIZE = 256;
    static final int RX_QUEUE = 0;
    static final int TX_QUEUE = 1;
    /** QEMU's legacy BAR for virtio-net: 32 bytes of I/O. */
    static final int LEGACY_IO_SIZE = 0x20;
    static final int MSIX_VECTORS = 4;
    /** QEMU's option ROM BAR (efi-virtio.rom); we have no ROM code, so it reads 0xFF. */
    static final int ROM_SIZE = 0x40000;

    // ---- feature bits ----
    public static final int VIRTIO_NET_F_CSUM = 0;
    public static final int VIRTIO_NET_F_GUEST_CSUM = 1;
    public static final int VIRTIO_NET_F_MTU = 3;
    public static final int VIRTIO_NET_F_MAC = 5;
    public static final int VIRTIO_NET_F_MRG_RXBUF = 15;
    public static final int VIRTIO_NET_F_STATUS = 16;

    // ---- struct virtio_net_config ----
    public static final int VIRTIO_NET_CFG_MAC = 0x00;
    public static final int VIRTIO_NET_CFG_STATUS = 0x06;
    public static final int VIRTIO_NET_CFG_MTU = 0x0A;
    /** mac[6], status; with VIRTIO_NET_F_MTU up to mtu (max_virtqueue_pairs before it reads 0: no MQ). */
    static final int CONFIG_SIZE = 8;
    static final int CONFIG_SIZE_MTU = 12;
    /** The smallest MTU the spec lets a device advertise (68, IPv4's minimum). */
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65535;
    public static final int VIRTIO_NET_S_LINK_UP = 1;

    // ---- struct virtio_net_hdr ----
    public static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
    public static final int VIRTIO_NET_HDR_GSO_NONE = 0;
    static final int HDR_FLAGS = 0;
    static final int HDR_GSO_TYPE = 1;
    static final int HDR_CSUM_START = 6;
    static final int HDR_CSUM_OFFSET = 8;
    static final int HDR_NUM_BUFFERS = 10;
    static final int HDR_LEN = 12;
    static final int HDR_LEN_LEGACY = 10;
    static final int ETH_HLEN = 14;
    static final int MAX_FRAME = 65535;

    private final byte[] mac;
    /** The MTU offered with VIRTIO_NET_F_MTU, or 0 for none (the feature not offered). */
    private final int hostMtu;
    private NetPort port;
    /**
     * Where a transmit chain is gathered when its frame cannot be read in place, reused (the
     * port copies a frame before transmit returns): no array to allocate and zero for every
     * frame. Grows to the largest frame seen.
     */
    private byte[] txScratch = new byte[ETH_HLEN + 1500];
    /** The virtio_net_hdr of the frame being sent. */
    private final byte[] txHeader = new byte[HDR_LEN];
    /** Where a frame read in place starts in its RAM array. */
    private final int[] txMapped = new int[1];
    /** The chains a received frame fills and its header, reused from frame to frame (receive is synchronized). */
    private final List<Virtqueue.Chain> rxChains = new ArrayList<>();
    private final byte[] rxHeader = new byte[HDR_LEN];
    private boolean linkUp;
    private long rxDropped;
    private long txFrames;
    private long rxFrames;

    VirtioNet(String name, MemoryBus bus, Mode mode, byte[] mac) {
        this(name, bus, mode, mac, 0);
    }

    /** @param hostMtu the MTU to offer (68-65535), 0 for none */
    VirtioNet(String name, MemoryBus bus, Mode mode, byte[] mac, int hostMtu) {
        super(name, bus, VIRTIO_ID_NET, PCI_DEVICE_ID_VIRTIO_NET, PCI_CLASS_NETWORK_ETHERNET, mode, LEGACY_IO_SIZE,
                MSIX_VECTORS, new int[] {QUEUE_SIZE, QUEUE_SIZE});
        if (hostMtu != 0 && (hostMtu < MIN_MTU || hostMtu > MAX_MTU)) {
            throw new IllegalArgumentException("bad host_mtu " + hostMtu + ": expected " + MIN_MTU + "-" + MAX_MTU);
        }
        this.mac = mac.clone();
        this.hostMtu = hostMtu;
        defineRom(ROM_SIZE, new byte[0]);
    }

    /** Connects the cable (null: none, link down). */
    public synchronized void setPort(NetPort port) {
        this.port = port;
        boolean up = port != null && port.linkUp();
        if (up != linkUp) {
            linkUp = up;
            configChanged();
        }
    }

    @Override
    protected long deviceFeatures() {
        return 1L << VIRTIO_NET_F_CSUM | 1L << VIRTIO_NET_F_GUEST_CSUM | 1L << VIRTIO_NET_F_MAC
                | 1L << VIRTIO_NET_F_MRG_RXBUF | 1L << VIRTIO_NET_F_STATUS
                | (hostMtu != 0 ? 1L << VIRTIO_NET_F_MTU : 0);
    }

    @Override
    protected int deviceConfigSize() {
        return hostMtu != 0 ? CONFIG_SIZE_MTU : CONFIG_SIZE;
    }

    /** The largest frame (Ethernet header included) the driver may be given or may send. */
    private int maxFrame() {
        return negotiated(VIRTIO_NET_F_MTU) ? ETH_HLEN + hostMtu : MAX_FRAME;
    }

    @Override
    protected long readDeviceConfig(int offset, int size) {
        NetPort p = port;
        linkUp = p != null && p.linkUp();
        long v = 0;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int b;
            if (at < 6) {
                b = mac[at] & 0xFF;
            } else if (at == VIRTIO_NET_CFG_STATUS) {
                b = linkUp ? VIRTIO_NET_S_LINK_UP : 0;
            } else if (at == VIRTIO_NET_CFG_MTU || at == VIRTIO_NET_CFG_MTU + 1) {
                b = hostMtu >>> (8 * (at - VIRTIO_NET_CFG_MTU)) & 0xFF;
            } else {
                b = 0;
            }
            v |= (long) b << (8 * i);
        }
        return v;
    }

    @Override
    protected void resetVirtioDevice() {
        // Queues and features are the transport's; the MAC and the cable stay.
    }

    private int headerLength() {
        return version1() || negotiated(VIRTIO_NET_F_MRG_RXBUF) ? HDR_LEN : HDR_LEN_LEGACY;
    }

    // ---- transmit ----

    @Override
    protected void queueNotified(Virtqueue q) throws Virtqueue.GuestError {
        if (q.index != TX_QUEUE) {
            return; // new receive buffers: frames take them as they come
        }
        Virtqueue.Chain chain;
        while (live() && (chain = pop(q)) != null) {
            transmit(chain);
            push(q, chain, 0);
        }
        publish(q);
    }

    private void transmit(Virtqueue.Chain chain) {
        int hdr = headerLength();
        long total = chain.readableBytes();
        int maxFrame = maxFrame();
        if (total - hdr < ETH_HLEN || total - hdr > maxFrame) {
            guestError("transmit chain of %d bytes holds no frame of %d..%d bytes after its %d-byte header", total,
                    ETH_HLEN, maxFrame, hdr);
            return;
        }
        int length = (int) total - hdr;
        var mem = dma();
        chain.gather(mem, 0, txHeader, 0, hdr);
        boolean needsChecksum = (txHeader[HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
        if (needsChecksum && !negotiated(VIRTIO_NET_F_CSUM)) {
            guestError("NEEDS_CSUM on a frame without VIRTIO_NET_F_CSUM negotiated; sent as it is");
            needsChecksum = false;
        }
        // The frame is read where it lies when one buffer holds it and nothing in it changes (the
        // port copies it before transmit returns); else it is gathered, to complete a checksum too.
        byte[] frame = needsChecksum ? null : mapFrame(chain, hdr, length);
        int at = txMapped[0];
        if (frame == null) {
            if (txScratch.length < length) {
                txScratch = new byte[length];
            }
            frame = txScratch;
            at = 0;
            chain.gather(mem, hdr, frame, 0, length);
            if (needsChecksum && !completeChecksum(frame, length)) {
                return;
            }
        }
        if ((txHeader[HDR_GSO_TYPE] & 0x7F) != VIRTIO_NET_HDR_GSO_NONE) {
            guestError("GSO type %d was not negotiated; frame dropped", txHeader[HDR_GSO_TYPE] & 0xFF);
            return;
        }
        NetPort p = port;
        if (p != null) {
            p.transmit(frame, at, length);
            txFrames++;
        }
    }

    /**
     * The RAM array holding the frame ({@code length} bytes after the {@code hdr}-byte header)
     * when one readable buffer holds all of it, its start in {@code txMapped[0]}; else null.
     */
    private byte[] mapFrame(Virtqueue.Chain chain, int hdr, int length) {
        long skip = hdr;
        for (Virtqueue.Segment s : chain.readable()) {
            if (skip < s.length()) {
                return s.length() - skip >= length ? mapForRead(s.address() + skip, length, txMapped) : null;
            }
            skip -= s.length();
        }
        return null;
    }

    /** Folds the Internet checksum of the frame from csum_start into csum_start + csum_offset. */
    private boolean completeChecksum(byte[] frame, int length) {
        int start = u16(txHeader, HDR_CSUM_START);
        int offset = u16(txHeader, HDR_CSUM_OFFSET);
        if (start >= length || start + offset + 2 > length) {
            guestError("checksum at %d+%d lies outside the %d-byte frame; frame dropped", start, offset, length);
            return false;
        }
        long sum = 0;
        int i = start;
        for (; i + 1 < length; i += 2) {
            sum += (frame[i] & 0xFF) << 8 | frame[i + 1] & 0xFF;
        }
        if (i < length) {
            sum += (frame[i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int csum = (int) ~sum & 0xFFFF;
        frame[start + offset] = (byte) (csum >>> 8);
        frame[start + offset + 1] = (byte) csum;
        return true;
    }

    private static int u16(byte[] b, int at) {
        return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8;
    }

    // ---- receive ----

    @Override
    public synchronized boolean receive(byte[] frame, int offset, int length) {
        if (!live()) {
            return false;
        }
        Virtqueue rx = queue(RX_QUEUE);
        if (!rx.ready()) {
            return false;
        }
        if (length > maxFrame()) {
            // Larger than the MTU the driver was promised (section 5.1.6.3.2): never passed on.
            rxDropped++;
            return false;
        }
        int hdr = headerLength();
        long total = (long) hdr + length;
        boolean mergeable = negotiated(VIRTIO_NET_F_MRG_RXBUF);
        List<Virtqueue.Chain> chains = rxChains;
        chains.clear();
        try {
            long room = 0;
            while (room < total) {
                Virtqueue.Chain c = pop(rx);
                if (c == null || (!mergeable && !chains.isEmpty())) {
                    rx.unpop(chains.size() + (c == null ? 0 : 1));
                    if (c != null) {
                        guestError("receive buffer of %d bytes is too small for a %d-byte frame without MRG_RXBUF",
                                room, total);
                    }
                    rxDropped++;
                    return false;
                }
                if (c.writableBytes() == 0) {
                    throw new Virtqueue.GuestError("receive chain at descriptor " + c.head() + " has no writable buffer");
                }
                chains.add(c);
                room += c.writableBytes();
            }
        } catch (Virtqueue.GuestError e) {
            needsReset(e.getMessage());
            return false;
        }
        byte[] header = rxHeader;
        Arrays.fill(header, (byte) 0);
        if (hdr == HDR_LEN) {
            header[HDR_NUM_BUFFERS] = (byte) chains.size();
            header[HDR_NUM_BUFFERS + 1] = (byte) (chains.size() >>> 8);
        }
        var mem = dma();
        long position = 0; // in the header-and-frame stream
        for (Virtqueue.Chain c : chains) {
            int room = (int) Math.min(Integer.MAX_VALUE, c.writableBytes());
            int n = (int) Math.min(room, total - position);
            int written = 0;
            if (position < hdr) {
                int h = (int) Math.min(hdr - position, n);
                c.scatter(mem, 0, header, (int) position, h);
                written = h;
            }
            if (written < n) {
                long frameAt = position + written - hdr;
                c.scatter(mem, written, frame, offset + (int) frameAt, n - written);
            }
            push(rx, c, n);
            position += n;
        }
        chains.clear();
        rxFrames++;
        publish(rx);
        return true;
    }

    /** Frames dropped for want of receive buffers, frames sent, frames received (tests). */
    public synchronized long[] counters() {
        return new long[] {rxDropped, txFrames, rxFrames};
    }
}

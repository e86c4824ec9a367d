package org.alosj.net.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.net.impl.iface.NetInterface;
import org.alosj.net.impl.wire.ArpPacket;
import org.alosj.net.impl.wire.EthernetFrame;
import org.alosj.net.impl.wire.MalformedPacketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Received frames: the bounded queue a NetDevice's receiver puts them in (it never blocks), their
 * processing by whichever thread holds the stack's lock, and the Ethernet demultiplexing to
 * {@link Arp} and {@link Ipv4}. The end of a receive batch releases the ACKs TCP held for it.
 */
final class Ingress {
    private static final Logger LOG = LoggerFactory.getLogger("net.stack");

    /** A received frame; {@code more}: another frame of the same receive batch follows. */
    private record Rx(NetInterface iface, byte[] frame, int offset, int length, boolean more) {
    }

    private final Stack stack;
    private final ConcurrentLinkedQueue<Rx> rxQueue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger rxQueued = new AtomicInteger();
    /** The last frame of a batch was dropped on a full queue: the batch still ends. */
    private volatile boolean batchEndedInOverflow;

    Ingress(Stack stack) {
        this.stack = stack;
    }

    /** Whether frames wait to be processed. */
    boolean pending() {
        return !rxQueue.isEmpty();
    }

    /** The NetDevice receiver: never blocks. */
    void receive(NetInterface iface, byte[] frame, int off, int len) {
        receive(iface, frame, off, len, false);
    }

    /** A frame of a receive batch: {@code more} when the driver has another one of it at once. */
    void receive(NetInterface iface, byte[] frame, int off, int len, boolean more) {
        if (rxQueued.incrementAndGet() > Stack.RX_QUEUE_LIMIT) {
            rxQueued.decrementAndGet();
            stack.rxQueueDrops.incrementAndGet();
            if (!more) {
                batchEndedInOverflow = true; // still ends the batch: held ACKs go out
            } else {
                return;
            }
        } else {
            rxQueue.add(new Rx(iface, frame, off, len, more));
        }
        if (stack.lock.isHeldByCurrentThread()) {
            return; // a transmit looped back on this thread: the holder drains it
        }
        while (!rxQueue.isEmpty() && stack.lock.tryLock()) {
            try {
                drain();
            } finally {
                stack.lock.unlock();
            }
        }
    }

    /** Frames received and not yet processed (they wait for the thread holding the lock). */
    int queuedFrames() {
        return rxQueued.get();
    }

    /** Processes every queued frame, in arrival order; lock held. */
    void drain() {
        Rx rx;
        while ((rx = rxQueue.poll()) != null) {
            rxQueued.decrementAndGet();
            stack.rxMore = rx.more;
            try {
                ingress(rx.iface, rx.frame, rx.offset, rx.length);
            } catch (MalformedPacketException e) {
                rx.iface.rxErrors++;
                stack.malformed.incrementAndGet();
                LOG.debug("{}: dropped a malformed frame: {}", rx.iface.name, e.getMessage());
            } catch (RuntimeException e) {
                rx.iface.rxErrors++;
                LOG.warn("{}: dropped a frame that broke the stack: {}", rx.iface.name, e.toString(), e);
            } finally {
                stack.rxMore = false;
            }
            if (!rx.more) {
                releaseHeldAcks();
            }
        }
        if (batchEndedInOverflow) {
            batchEndedInOverflow = false; // the last frame of a batch found the queue full
            releaseHeldAcks();
        }
    }

    /** The receive batch ended: connections that held their ACK for it send it now. */
    private void releaseHeldAcks() {
        if (stack.ackHeld.isEmpty()) {
            return;
        }
        List<TcpEndpoint> held = new ArrayList<>(stack.ackHeld);
        stack.ackHeld.clear();
        for (TcpEndpoint e : held) {
            e.ackHeld = false;
            e.socket.endAckHold();
            if (stack.connections.get(e.key()) == e) {
                stack.tcp.service(e);
            }
        }
    }

    /** One frame: the capture tap, the interface's counters, then Ethernet to ARP or IPv4. */
    private void ingress(NetInterface iface, byte[] b, int off, int len) throws MalformedPacketException {
        if (!iface.loopback) {
            NetInterface.FrameTap t = iface.tap;
            if (t != null) {
                t.frame(b, off, len);
            }
        }
        iface.rxPackets++;
        iface.rxBytes += len;
        if (!iface.up) {
            iface.rxDropped++;
            return;
        }
        EthernetFrame eth = EthernetFrame.parse(b, off, len);
        if (!iface.loopback && eth.destination() != iface.mac && eth.destination() != EthernetFrame.BROADCAST) {
            iface.rxDropped++; // another station's frame, or multicast we do not join
            return;
        }
        int p = off + EthernetFrame.HEADER_LEN;
        int plen = len - EthernetFrame.HEADER_LEN;
        switch (eth.etherType()) {
            case EthernetFrame.ETHERTYPE_ARP -> stack.arp.input(iface, ArpPacket.parse(b, p, plen));
            case EthernetFrame.ETHERTYPE_IPV4 -> stack.ipv4.input(iface, b, p, plen);
            default -> iface.rxDropped++;
        }
    }
}

package org.alosj.net.impl;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.alosj.net.DatagramSocket;
import org.alosj.net.SocketAddress;
import org.alosj.net.impl.iface.NetInterface;

/** A bound UDP port with its bounded queue of received datagrams. */
final class UdpEndpoint implements DatagramSocket {
    record Datagram(SocketAddress source, String interfaceName, byte[] data) {
    }

    final Stack stack;
    final SocketAddress local;
    final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    final Signal ready;
    long dropped;
    private boolean closed;
    private volatile long timeoutNanos = Long.MAX_VALUE;
    private volatile boolean blocking = true;

    UdpEndpoint(Stack stack, SocketAddress local) {
        this.stack = stack;
        this.local = local;
        this.ready = new Signal();
    }

    @Override
    public void send(SocketAddress destination, byte[] buffer, int offset, int length) throws IOException {
        sendVia(destination, buffer, offset, length, null);
    }

    /** Sends out of one interface whatever the routes say (broadcasts before an address is set). */
    void sendVia(SocketAddress destination, byte[] buffer, int offset, int length, NetInterface via) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.length);
        stack.enter();
        try {
            if (closed) {
                throw new SocketException("datagram socket " + local + " is closed");
            }
            stack.udp.send(this, destination, buffer, offset, length, via);
        } finally {
            stack.exit();
        }
    }

    @Override
    public Received receive(byte[] buffer, int offset, int length) throws IOException {
        Datagram d = receiveDatagram();
        if (d == null) {
            return null;
        }
        int n = Math.min(length, d.data.length);
        System.arraycopy(d.data, 0, buffer, offset, n);
        return new Received(d.source, n, n < d.data.length);
    }

    Datagram receiveDatagram() throws IOException {
        stack.enter();
        try {
            long deadline = Stack.deadlineAfter(timeoutNanos);
            while (true) {
                if (closed) {
                    throw new SocketException("datagram socket " + local + " is closed");
                }
                Datagram d = queue.pollFirst();
                if (d != null) {
                    return d;
                }
                if (!blocking) {
                    return null;
                }
                stack.awaitUntil(ready, deadline, "receive on UDP " + local);
            }
        } finally {
            stack.exit();
        }
    }

    @Override
    public void setTimeout(Duration timeout) {
        timeoutNanos = timeout == null || timeout.isZero() ? Long.MAX_VALUE : timeout.toNanos();
    }

    @Override
    public void setBlocking(boolean blocking) {
        this.blocking = blocking;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() {
        stack.enter();
        try {
            closed = true;
            stack.sockets.closeUdp(this);
        } finally {
            stack.exit();
        }
    }
}

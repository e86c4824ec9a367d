package org.alosj.net.impl;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.alosj.net.ListeningSocket;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;

/** A port in LISTEN: half-open connections plus ready ones never exceed the backlog. */
final class TcpListener implements ListeningSocket {
    final Stack stack;
    final SocketAddress local;
    final int backlog;
    final ArrayDeque<TcpEndpoint> ready = new ArrayDeque<>();
    final Signal readyCondition;
    int halfOpen;
    boolean closed;
    private volatile long timeoutNanos = Long.MAX_VALUE;
    private volatile boolean blocking = true;

    TcpListener(Stack stack, SocketAddress local, int backlog) {
        this.stack = stack;
        this.local = local;
        this.backlog = backlog;
        this.readyCondition = new Signal();
    }

    @Override
    public StreamSocket accept() throws IOException {
        stack.enter();
        try {
            long deadline = Stack.deadlineAfter(timeoutNanos);
            while (true) {
                if (closed) {
                    throw new SocketException("listening socket on " + local + " is closed");
                }
                TcpEndpoint e = ready.pollFirst();
                if (e != null) {
                    e.listener = null;
                    e.socket.listener = null;
                    return e;
                }
                if (!blocking) {
                    return null;
                }
                stack.awaitUntil(readyCondition, deadline, "accept on " + local);
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
            stack.sockets.closeListener(this);
        } finally {
            stack.exit();
        }
    }
}

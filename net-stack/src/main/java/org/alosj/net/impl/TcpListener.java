package org.alosj.net.impl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
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
            long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
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
                if (deadline == Long.MAX_VALUE) {
                    stack.await(readyCondition, Long.MAX_VALUE);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("accept on " + local + " timed out");
                    }
                    stack.await(readyCondition, left);
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("accept interrupted");
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
            stack.closeListener(this);
        } finally {
            stack.exit();
        }
    }
}

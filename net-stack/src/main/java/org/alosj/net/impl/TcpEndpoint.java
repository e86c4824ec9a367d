package org.alosj.net.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.alosj.net.Ipv4Address;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.socket.TcpSocket;

/** A TCP connection as the socket API offers it: blocking and non-blocking calls over a {@link TcpSocket}. */
final class TcpEndpoint implements StreamSocket {
    final Stack stack;
    final TcpSocket socket;
    final Signal changed;
    TcpListener listener;
    boolean queued;
    /** In the stack's list of connections holding an ACK for the end of a receive batch. */
    boolean ackHeld;
    String failure;
    ScheduledFuture<?> timer;
    long timerAt = Long.MAX_VALUE;
    /**
     * While a writer waits for room: the free bytes that wake it (0: none waits). Waking it for
     * every ACK made it copy a few kilobytes and sleep again, a wake-up per ACK; a quarter of
     * the buffer at a time is what Linux's sk_stream_wspace rule amounts to. Stack lock held.
     */
    int writeWaitsFor;
    /** Readers waiting for data, which every change must wake. Stack lock held. */
    int readersWaiting;
    private volatile long timeoutNanos = Long.MAX_VALUE;
    private volatile boolean blocking = true;

    TcpEndpoint(Stack stack, TcpSocket socket) {
        this.stack = stack;
        this.socket = socket;
        this.changed = new Signal();
    }

    /** Whether a change of the socket must wake its waiters: not while a lone writer still lacks room. */
    boolean wakeWaiters() {
        return writeWaitsFor == 0 || readersWaiting > 0 || !socket.canSend() || socket.sendSpace() >= writeWaitsFor;
    }

    Stack.ConnKey key() {
        return new Stack.ConnKey(socket.localAddress, socket.localPort, socket.remoteAddress, socket.remotePort);
    }

    private IOException failed() {
        String why = failure != null ? failure : socket.error();
        return new SocketException(why != null ? why : "socket closed");
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        stack.enter();
        try {
            long deadline = Stack.deadlineAfter(timeoutNanos);
            while (true) {
                if (socket.readable() > 0) {
                    int n = socket.recv(b, off, len);
                    stack.tcp.service(this);
                    return n;
                }
                if (socket.atEndOfStream()) {
                    if (socket.state() == TcpSocket.State.CLOSED && (failure != null || socket.error() != null)) {
                        throw failed();
                    }
                    return -1;
                }
                if (!blocking) {
                    return 0;
                }
                readersWaiting++;
                try {
                    stack.awaitUntil(changed, deadline, "read");
                } finally {
                    readersWaiting--;
                }
            }
        } finally {
            stack.exit();
        }
    }

    @Override
    public int write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        stack.enter();
        try {
            long deadline = Stack.deadlineAfter(timeoutNanos);
            int done = 0;
            while (done < len) {
                if (!socket.canSend()) {
                    throw socket.state() == TcpSocket.State.CLOSED ? failed() : new SocketException("socket output is shut down");
                }
                int n = socket.send(b, off + done, len - done);
                done += n;
                if (n > 0) {
                    stack.tcp.service(this);
                }
                if (done < len) {
                    if (!blocking) {
                        return done;
                    }
                    int capacity = socket.sendSpace() + socket.sendQueue();
                    writeWaitsFor = Math.max(1, Math.min(len - done, capacity / 4));
                    try {
                        stack.awaitUntil(changed, deadline, "write");
                    } finally {
                        writeWaitsFor = 0;
                    }
                }
            }
            return done;
        } finally {
            stack.exit();
        }
    }

    @Override
    public void shutdownOutput() {
        stack.enter();
        try {
            socket.close();
            stack.tcp.service(this);
        } finally {
            stack.exit();
        }
    }

    @Override
    public void close() {
        stack.enter();
        try {
            socket.closeOrphaned();
            stack.tcp.service(this);
        } finally {
            stack.exit();
        }
    }

    @Override
    public void abort() {
        stack.enter();
        try {
            socket.abort();
            stack.tcp.service(this);
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
    public void setNoDelay(boolean noDelay) {
        stack.enter();
        try {
            socket.setNoDelay(noDelay);
            stack.tcp.service(this);
        } finally {
            stack.exit();
        }
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        stack.enter();
        try {
            socket.setKeepAlive(keepAlive);
            stack.tcp.service(this);
        } finally {
            stack.exit();
        }
    }

    @Override
    public int available() {
        stack.enter();
        try {
            return socket.readable();
        } finally {
            stack.exit();
        }
    }

    @Override
    public SocketAddress localAddress() {
        return new SocketAddress(new Ipv4Address(socket.localAddress), socket.localPort);
    }

    @Override
    public SocketAddress remoteAddress() {
        return new SocketAddress(new Ipv4Address(socket.remoteAddress), socket.remotePort);
    }

    @Override
    public String state() {
        stack.enter();
        try {
            return socket.state().name();
        } finally {
            stack.exit();
        }
    }

    @Override
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n;
                do {
                    n = TcpEndpoint.this.read(one, 0, 1);
                } while (n == 0);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return TcpEndpoint.this.read(b, off, len);
            }

            @Override
            public int available() {
                return TcpEndpoint.this.available();
            }

            @Override
            public void close() {
                TcpEndpoint.this.close();
            }
        };
    }

    @Override
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                TcpEndpoint.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                TcpEndpoint.this.write(b, off, len);
            }

            @Override
            public void close() {
                TcpEndpoint.this.close();
            }
        };
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}

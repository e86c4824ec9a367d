package org.alosj.abi.linux.impl;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.Signals;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.net.DatagramSocket;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.NetworkStack;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;

/**
 * A socket descriptor of a program: an AF_INET TCP or UDP socket of the network stack. Blocking
 * calls wait in short slices off the CPU, so a signal cuts them short as on Linux; the stack's
 * sockets have no readiness callbacks, so poll looks at them again every few milliseconds.
 */
final class SocketFile implements OpenFile {
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int ECONNREFUSED = 111;
    static final int ETIMEDOUT = 110;
    static final int EHOSTUNREACH = 113;
    static final int ENETUNREACH = 101;
    static final int ENOTCONN = 107;
    static final int EISCONN = 106;
    static final int EADDRINUSE = 98;
    static final int EOPNOTSUPP = 95;
    static final int ECONNRESET = 104;
    static final int EDESTADDRREQ = 89;
    private static final Duration SLICE = Duration.ofMillis(50);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(75);

    private final NetworkStack stack;
    final int type;
    private volatile int flags;
    private SocketAddress bound;
    private volatile StreamSocket stream;
    private volatile ListeningSocket listener;
    private volatile DatagramSocket datagram;
    private SocketAddress defaultPeer;
    /** A connection taken from the listener by poll, handed out by the next accept. */
    private StreamSocket preAccepted;
    /** A datagram taken from the port by poll (the port has no peek), handed out by the next receive. */
    private byte[] preReceived;
    private SocketAddress preReceivedFrom;
    private boolean peerClosed;

    SocketFile(NetworkStack stack, int type, int flags) {
        this.stack = stack;
        this.type = type;
        this.flags = (flags & OpenFlags.O_NONBLOCK) | OpenFlags.O_RDWR;
    }

    SocketFile(NetworkStack stack, StreamSocket accepted, int flags) {
        this(stack, SOCK_STREAM, flags);
        this.stream = accepted;
    }

    private boolean nonBlocking() {
        return (flags & OpenFlags.O_NONBLOCK) != 0;
    }

    static SysError error(IOException e) {
        if (e instanceof ConnectException) {
            return new SysError(ECONNREFUSED, e.getMessage());
        }
        if (e instanceof SocketTimeoutException) {
            return new SysError(ETIMEDOUT, e.getMessage());
        }
        if (e instanceof NoRouteToHostException) {
            return new SysError(EHOSTUNREACH, e.getMessage());
        }
        String m = String.valueOf(e.getMessage()).toLowerCase();
        if (m.contains("in use")) {
            return new SysError(EADDRINUSE, e.getMessage());
        }
        if (m.contains("reset")) {
            return new SysError(ECONNRESET, e.getMessage());
        }
        if (m.contains("closed") || m.contains("shut")) {
            return new SysError(SysError.EPIPE, e.getMessage());
        }
        return new SysError(ENETUNREACH, e.getMessage());
    }

    synchronized void bind(SocketAddress local) throws SysError {
        if (bound != null || stream != null) {
            throw new SysError(SysError.EINVAL);
        }
        if (type == SOCK_DGRAM) {
            try {
                datagram = stack.bindDatagram(local);
                bound = datagram.localAddress();
            } catch (IOException e) {
                throw error(e);
            }
        } else {
            bound = local;
        }
    }

    void listen(int backlog) throws SysError {
        if (type != SOCK_STREAM) {
            throw new SysError(EOPNOTSUPP);
        }
        synchronized (this) {
            if (listener != null) {
                return;
            }
            if (stream != null) {
                throw new SysError(SysError.EINVAL);
            }
            try {
                listener = stack.listen(bound != null ? bound : new SocketAddress(Ipv4Address.ANY, 0),
                        Math.max(1, Math.min(backlog, 128)));
                bound = listener.localAddress();
            } catch (IOException e) {
                throw error(e);
            }
        }
    }

    void connect(Task t, SocketAddress remote) throws SysError {
        if (type == SOCK_DGRAM) {
            synchronized (this) {
                defaultPeer = remote;
            }
            return;
        }
        if (stream != null) {
            throw new SysError(EISCONN);
        }
        if (listener != null) {
            throw new SysError(SysError.EINVAL);
        }
        try {
            StreamSocket s = t.offCpu(() -> stack.connect(remote, CONNECT_TIMEOUT));
            s.setTimeout(SLICE);
            stream = s;
        } catch (IOException e) {
            throw error(e);
        }
    }

    SocketFile accept(Task t, int newFlags) throws SysError {
        ListeningSocket l = listener;
        if (l == null) {
            throw new SysError(SysError.EINVAL);
        }
        StreamSocket s;
        synchronized (this) {
            s = preAccepted;
            preAccepted = null;
        }
        while (s == null) {
            if (nonBlocking()) {
                s = acceptNow(l);
                if (s == null) {
                    throw new SysError(SysError.EAGAIN);
                }
                break;
            }
            try {
                s = t.offCpu(() -> {
                    l.setBlocking(true);
                    l.setTimeout(SLICE);
                    try {
                        return l.accept();
                    } catch (SocketTimeoutException slice) {
                        return null;
                    }
                });
            } catch (IOException e) {
                throw error(e);
            }
            if (s == null && t.signalPending()) {
                throw new SysError(SysError.ERESTARTSYS);
            }
        }
        s.setTimeout(SLICE);
        return new SocketFile(stack, s, newFlags);
    }

    private static StreamSocket acceptNow(ListeningSocket l) throws SysError {
        try {
            l.setBlocking(false);
            return l.accept();
        } catch (IOException e) {
            throw error(e);
        }
    }

    @Override
    public int read(Task t, ByteBuffer dst) throws SysError {
        if (type == SOCK_DGRAM) {
            return receive(t, dst, null);
        }
        StreamSocket s = stream;
        if (s == null) {
            throw new SysError(ENOTCONN);
        }
        if (peerClosed) {
            return 0;
        }
        byte[] b = new byte[dst.remaining()];
        for (;;) {
            int n;
            try {
                if (nonBlocking()) {
                    s.setBlocking(false);
                    n = s.read(b, 0, b.length);
                    if (n == 0) {
                        throw new SysError(SysError.EAGAIN);
                    }
                } else {
                    n = t.offCpu(() -> {
                        s.setBlocking(true);
                        s.setTimeout(SLICE);
                        try {
                            return s.read(b, 0, b.length);
                        } catch (SocketTimeoutException slice) {
                            return -2;
                        }
                    });
                }
            } catch (IOException e) {
                throw error(e);
            }
            if (n == -1) {
                peerClosed = true;
                return 0;
            }
            if (n > 0) {
                dst.put(b, 0, n);
                return n;
            }
            if (t.signalPending()) {
                throw new SysError(SysError.ERESTARTSYS);
            }
        }
    }

    int receive(Task t, ByteBuffer dst, SocketAddress[] from) throws SysError {
        DatagramSocket d = datagramForReceive();
        byte[] b = new byte[dst.remaining()];
        for (;;) {
            synchronized (this) {
                if (preReceived != null) {
                    // As recvfrom without MSG_TRUNC: what fits, the rest of the datagram dropped.
                    int n = Math.min(b.length, preReceived.length);
                    dst.put(preReceived, 0, n);
                    if (from != null) {
                        from[0] = preReceivedFrom;
                    }
                    preReceived = null;
                    preReceivedFrom = null;
                    return n;
                }
            }
            DatagramSocket.Received r;
            try {
                if (nonBlocking()) {
                    d.setBlocking(false);
                    r = d.receive(b, 0, b.length);
                    if (r == null) {
                        throw new SysError(SysError.EAGAIN);
                    }
                } else {
                    r = t.offCpu(() -> {
                        d.setBlocking(true);
                        d.setTimeout(SLICE);
                        try {
                            return d.receive(b, 0, b.length);
                        } catch (SocketTimeoutException slice) {
                            return null;
                        }
                    });
                }
            } catch (IOException e) {
                throw error(e);
            }
            if (r != null) {
                dst.put(b, 0, r.length());
                if (from != null) {
                    from[0] = r.source();
                }
                return r.length();
            }
            if (t.signalPending()) {
                throw new SysError(SysError.ERESTARTSYS);
            }
        }
    }

    private synchronized DatagramSocket datagramForReceive() throws SysError {
        if (datagram == null) {
            bind(new SocketAddress(Ipv4Address.ANY, 0));
        }
        return datagram;
    }

    @Override
    public int write(Task t, ByteBuffer src) throws SysError {
        return send(t, src, null, 0);
    }

    int send(Task t, ByteBuffer src, SocketAddress to, int msgFlags) throws SysError {
        byte[] b = new byte[src.remaining()];
        src.get(b);
        if (type == SOCK_DGRAM) {
            SocketAddress dest;
            synchronized (this) {
                dest = to != null ? to : defaultPeer;
            }
            if (dest == null) {
                throw new SysError(EDESTADDRREQ);
            }
            try {
                datagramForReceive().send(dest, b, 0, b.length);
            } catch (IOException e) {
                throw error(e);
            }
            return b.length;
        }
        StreamSocket s = stream;
        if (s == null) {
            throw new SysError(ENOTCONN);
        }
        try {
            if (nonBlocking()) {
                s.setBlocking(false);
                int n = s.write(b, 0, b.length);
                if (n == 0 && b.length > 0) {
                    throw new SysError(SysError.EAGAIN);
                }
                return n;
            }
            return t.offCpu(() -> {
                s.setBlocking(true);
                s.setTimeout(Duration.ofSeconds(120));
                return s.write(b, 0, b.length);
            });
        } catch (IOException e) {
            SysError err = error(e);
            if (err.errno() == SysError.EPIPE && (msgFlags & 0x4000) == 0) {
                t.killThread(t.pid(), t.tid(), Signals.SIGPIPE);
            }
            throw err;
        }
    }

    void shutdown(int how) throws SysError {
        StreamSocket s = stream;
        if (s == null) {
            throw new SysError(ENOTCONN);
        }
        if (how == 1 || how == 2) {
            try {
                s.shutdownOutput();
            } catch (IOException e) {
                throw error(e);
            }
        }
    }

    SocketAddress localAddress() {
        StreamSocket s = stream;
        if (s != null) {
            return s.localAddress();
        }
        synchronized (this) {
            return bound != null ? bound : new SocketAddress(Ipv4Address.ANY, 0);
        }
    }

    SocketAddress peerAddress() throws SysError {
        StreamSocket s = stream;
        if (s != null) {
            return s.remoteAddress();
        }
        synchronized (this) {
            if (defaultPeer != null) {
                return defaultPeer;
            }
        }
        throw new SysError(ENOTCONN);
    }

    void setNoDelay(boolean on) {
        StreamSocket s = stream;
        if (s != null) {
            s.setNoDelay(on);
        }
    }

    @Override
    public int poll() {
        if (listener != null) {
            synchronized (this) {
                if (preAccepted == null) {
                    try {
                        preAccepted = acceptNow(listener);
                    } catch (SysError e) {
                        return POLLERR;
                    }
                }
                return preAccepted != null ? POLLIN : 0;
            }
        }
        if (type == SOCK_DGRAM) {
            return pollDatagram();
        }
        StreamSocket s = stream;
        if (s == null) {
            return POLLOUT;
        }
        String state = s.state();
        boolean eof = peerClosed || state.equals("CLOSE_WAIT") || state.equals("CLOSED") || state.equals("LAST_ACK")
                || state.equals("TIME_WAIT") || state.equals("CLOSING");
        return (s.available() > 0 || eof ? POLLIN : 0) | POLLOUT | (state.equals("CLOSED") ? POLLHUP : 0);
    }

    /** POLLIN once a datagram waits: poll takes it off the port and keeps it for the next receive. */
    private int pollDatagram() {
        DatagramSocket d = datagram;
        if (d == null) {
            return POLLOUT; // not bound yet: nothing can have arrived
        }
        synchronized (this) {
            if (preReceived == null) {
                byte[] b = new byte[65536];
                try {
                    d.setBlocking(false);
                    DatagramSocket.Received r = d.receive(b, 0, b.length);
                    if (r != null) {
                        preReceived = java.util.Arrays.copyOf(b, r.length());
                        preReceivedFrom = r.source();
                    }
                } catch (IOException e) {
                    return POLLOUT | POLLERR;
                }
            }
            return POLLOUT | (preReceived != null ? POLLIN : 0);
        }
    }

    @Override
    public void watch(Runnable onChange) {
    }

    @Override
    public void unwatch(Runnable onChange) {
    }

    @Override
    public boolean notifiesReadiness() {
        return false;
    }

    @Override
    public int modeType() {
        return FileType.SOCKET.modeBits();
    }

    @Override
    public int statusFlags() {
        return flags;
    }

    @Override
    public void setStatusFlags(int f) {
        flags = (flags & ~OpenFlags.O_NONBLOCK) | (f & OpenFlags.O_NONBLOCK);
    }

    @Override
    public void release() {
        StreamSocket s = stream;
        if (s != null) {
            s.close();
        }
        ListeningSocket l = listener;
        if (l != null) {
            l.close();
        }
        DatagramSocket d = datagram;
        if (d != null) {
            d.close();
        }
        StreamSocket p;
        synchronized (this) {
            p = preAccepted;
            preAccepted = null;
        }
        if (p != null) {
            p.close();
        }
    }

    @Override
    public String describe() {
        return "socket:[" + System.identityHashCode(this) + "]";
    }
}

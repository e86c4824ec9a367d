package org.alosj.abi.linux.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.SysError;
import org.alosj.kernel.proc.Task;
import org.alosj.kernel.proc.UserMemory;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.net.Ipv4Address;
import org.alosj.net.NetworkStack;
import org.alosj.net.SocketAddress;

/** The BSD socket calls over the network stack: AF_INET stream (TCP) and datagram (UDP) sockets. */
final class SocketCalls {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int EAFNOSUPPORT = 97;
    static final int ENOTSOCK = 88;
    static final int EPROTONOSUPPORT = 93;
    static final int ENOPROTOOPT = 92;
    private static final int SOCK_NONBLOCK = OpenFlags.O_NONBLOCK;
    private static final int SOCK_CLOEXEC = OpenFlags.O_CLOEXEC;

    private final LinuxAbi abi;

    SocketCalls(LinuxAbi abi) {
        this.abi = abi;
    }

    long dispatch(Task t, Args a) throws SysError {
        switch (a.number()) {
            case 41:
                return socket(t, a.i0(), a.i1(), a.i2());
            case 49:
                sock(t, a.i0()).bind(address(t, a.a1(), a.i2()));
                return 0;
            case 50:
                sock(t, a.i0()).listen(a.i1());
                return 0;
            case 42:
                sock(t, a.i0()).connect(t, address(t, a.a1(), a.i2()));
                return 0;
            case 43:
                return accept(t, a.i0(), a.a1(), a.a2(), 0);
            case 288:
                return accept(t, a.i0(), a.a1(), a.a2(), a.i3());
            case 44:
                return sendto(t, a.i0(), a.a1(), a.a2(), a.i3(), a.a4(), (int) a.a5());
            case 45:
                return recvfrom(t, a.i0(), a.a1(), a.a2(), a.a4(), a.a5());
            case 46:
                return sendmsg(t, a.i0(), a.a1(), a.i2());
            case 307:
                return sendmmsg(t, a.i0(), a.a1(), a.i2(), a.i3());
            case 47:
                return recvmsg(t, a.i0(), a.a1());
            case 48:
                sock(t, a.i0()).shutdown(a.i1());
                return 0;
            case 51:
                writeAddress(t, sock(t, a.i0()).localAddress(), a.a1(), a.a2());
                return 0;
            case 52:
                writeAddress(t, sock(t, a.i0()).peerAddress(), a.a1(), a.a2());
                return 0;
            case 54:
                return setsockopt(t, a.i0(), a.i1(), a.i2(), a.a3(), (int) a.a4());
            case 55:
                return getsockopt(t, a.i0(), a.i1(), a.i2(), a.a3(), a.a4());
            case 53:
                throw new SysError(EAFNOSUPPORT);
            default:
                throw new SysError(SysError.ENOSYS);
        }
    }

    static boolean handles(int number) {
        return (number >= 41 && number <= 55) || number == 288 || number == 307;
    }

    private NetworkStack stack() throws SysError {
        NetworkStack s = abi.network;
        if (s == null) {
            throw new SysError(ENETDOWN_NO_STACK, "the network stack is not running");
        }
        return s;
    }

    private static final int ENETDOWN_NO_STACK = 100;

    private long socket(Task t, int domain, int type, int protocol) throws SysError {
        if (domain != AF_INET) {
            throw new SysError(EAFNOSUPPORT);
        }
        int kind = type & 0xF;
        if (kind != SocketFile.SOCK_STREAM && kind != SocketFile.SOCK_DGRAM) {
            throw new SysError(EPROTONOSUPPORT);
        }
        if (protocol != 0 && !(kind == SocketFile.SOCK_STREAM && protocol == 6)
                && !(kind == SocketFile.SOCK_DGRAM && protocol == 17)) {
            throw new SysError(EPROTONOSUPPORT);
        }
        SocketFile f = new SocketFile(stack(), kind, type & SOCK_NONBLOCK);
        return t.installFile(f, 0, (type & SOCK_CLOEXEC) != 0);
    }

    private static SocketFile sock(Task t, int fd) throws SysError {
        OpenFile f = t.file(fd);
        if (!(f instanceof SocketFile)) {
            throw new SysError(ENOTSOCK);
        }
        return (SocketFile) f;
    }

    static SocketAddress address(Task t, long address, int length) throws SysError {
        if (length < 8) {
            throw new SysError(SysError.EINVAL);
        }
        byte[] b = t.memory().read(address, Math.min(length, 16));
        int family = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
        if (family != AF_INET) {
            throw new SysError(EAFNOSUPPORT);
        }
        int port = (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        int ip = (b[4] & 0xFF) << 24 | (b[5] & 0xFF) << 16 | (b[6] & 0xFF) << 8 | (b[7] & 0xFF);
        return new SocketAddress(new Ipv4Address(ip), port);
    }

    static void writeAddress(Task t, SocketAddress a, long address, long lengthAddress) throws SysError {
        if (address == 0 || lengthAddress == 0) {
            return;
        }
        UserMemory m = t.memory();
        int room = m.readInt(lengthAddress);
        if (room < 0) {
            throw new SysError(SysError.EINVAL);
        }
        byte[] b = new byte[16];
        b[0] = AF_INET;
        b[2] = (byte) (a.port() >>> 8);
        b[3] = (byte) a.port();
        byte[] ip = a.address().toBytes();
        System.arraycopy(ip, 0, b, 4, 4);
        m.write(address, b, 0, Math.min(room, 16));
        m.writeInt(lengthAddress, 16);
    }

    private long accept(Task t, int fd, long address, long lengthAddress, int flags) throws SysError {
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        SocketFile l = sock(t, fd);
        SocketFile c = l.accept(t, flags & SOCK_NONBLOCK);
        int nfd;
        try {
            nfd = t.installFile(c, 0, (flags & SOCK_CLOEXEC) != 0);
        } catch (SysError e) {
            c.release();
            throw e;
        }
        writeAddress(t, c.peerAddress(), address, lengthAddress);
        return nfd;
    }

    private long sendto(Task t, int fd, long buf, long length, int flags, long address, int addressLength)
            throws SysError {
        SocketFile s = sock(t, fd);
        byte[] data = t.memory().read(buf, (int) Math.min(length, 4 << 20));
        SocketAddress to = address == 0 ? null : address(t, address, addressLength);
        return s.send(t, ByteBuffer.wrap(data), to, flags);
    }

    private long recvfrom(Task t, int fd, long buf, long length, long address, long lengthAddress)
            throws SysError {
        SocketFile s = sock(t, fd);
        int n = (int) Math.min(length, 4 << 20);
        ByteBuffer dst = ByteBuffer.allocate(n);
        SocketAddress[] from = new SocketAddress[1];
        int got = s.type == SocketFile.SOCK_DGRAM ? s.receive(t, dst, from) : s.read(t, dst);
        t.memory().write(buf, dst.array(), 0, got);
        if (address != 0) {
            writeAddress(t, from[0] != null ? from[0] : s.peerAddress(), address, lengthAddress);
        }
        return got;
    }

    /** struct msghdr: name @0, namelen @8, iov @16, iovlen @24, control @32, controllen @40, flags @48. */
    private long sendmsg(Task t, int fd, long msg, int flags) throws SysError {
        SocketFile s = sock(t, fd);
        UserMemory m = t.memory();
        long name = m.readLong(msg);
        int nameLength = m.readInt(msg + 8);
        byte[] data = gather(t, m.readLong(msg + 16), m.readLong(msg + 24));
        SocketAddress to = name == 0 ? null : address(t, name, nameLength);
        return s.send(t, ByteBuffer.wrap(data), to, flags);
    }

    /**
     * sendmmsg: sendmsg for each struct mmsghdr (a msghdr, then the unsigned msg_len the kernel
     * fills, 64 bytes in all) until one fails; the number sent, or the error when none was.
     * glibc's resolver sends its A and AAAA queries with it.
     */
    private long sendmmsg(Task t, int fd, long vector, int count, int flags) throws SysError {
        sock(t, fd);
        int n = (int) Math.min(Integer.toUnsignedLong(count), 1024); // UIO_MAXIOV, as Linux caps it
        int sent = 0;
        for (; sent < n; sent++) {
            long header = vector + 64L * sent;
            int length;
            try {
                length = (int) sendmsg(t, fd, header, flags);
            } catch (SysError e) {
                if (sent == 0) {
                    throw e;
                }
                break;
            }
            t.memory().writeInt(header + 56, length);
        }
        return sent;
    }

    private long recvmsg(Task t, int fd, long msg) throws SysError {
        SocketFile s = sock(t, fd);
        UserMemory m = t.memory();
        long name = m.readLong(msg);
        long iov = m.readLong(msg + 16);
        long count = m.readLong(msg + 24);
        if (count < 0 || count > 1024) {
            throw new SysError(SysError.EINVAL);
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += m.readLong(iov + 16L * i + 8);
        }
        ByteBuffer dst = ByteBuffer.allocate((int) Math.min(total, 4 << 20));
        SocketAddress[] from = new SocketAddress[1];
        int got = s.type == SocketFile.SOCK_DGRAM ? s.receive(t, dst, from) : s.read(t, dst);
        int done = 0;
        for (int i = 0; i < count && done < got; i++) {
            long base = m.readLong(iov + 16L * i);
            int len = (int) Math.min(m.readLong(iov + 16L * i + 8), got - done);
            m.write(base, dst.array(), done, len);
            done += len;
        }
        if (name != 0 && from[0] != null) {
            writeAddress(t, from[0], name, msg + 8);
        }
        m.writeLong(msg + 40, 0);
        m.writeInt(msg + 48, 0);
        return got;
    }

    private static byte[] gather(Task t, long iov, long count) throws SysError {
        if (count < 0 || count > 1024) {
            throw new SysError(SysError.EINVAL);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            long base = t.memory().readLong(iov + 16L * i);
            long len = t.memory().readLong(iov + 16L * i + 8);
            if (len < 0 || out.size() + len > (4 << 20)) {
                throw new SysError(SysError.EINVAL);
            }
            out.writeBytes(t.memory().read(base, (int) len));
        }
        return out.toByteArray();
    }

    private long setsockopt(Task t, int fd, int level, int option, long value, int length) throws SysError {
        SocketFile s = sock(t, fd);
        if (level == 6 && option == 1) { // TCP_NODELAY
            s.setNoDelay(length >= 4 && t.memory().readInt(value) != 0);
        }
        // SO_REUSEADDR, SO_KEEPALIVE, buffer sizes, timeouts: accepted; the stack has its own.
        return 0;
    }

    private long getsockopt(Task t, int fd, int level, int option, long value, long lengthAddress)
            throws SysError {
        SocketFile s = sock(t, fd);
        int result;
        if (level == 1 && option == 3) { // SO_TYPE
            result = s.type;
        } else if (level == 1 && option == 4) { // SO_ERROR
            result = 0;
        } else if (level == 1 && (option == 7 || option == 8)) { // SO_SNDBUF, SO_RCVBUF
            result = 65536;
        } else {
            result = 0;
        }
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, result);
        int room = t.memory().readInt(lengthAddress);
        t.memory().write(value, b.array(), 0, Math.max(0, Math.min(4, room)));
        t.memory().writeInt(lengthAddress, 4);
        return 0;
    }
}

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.alosj.hw.netdev.impl.PasstBackend;
import org.alosj.hw.netdev.impl.UdpBackend;

/**
 * Frame-level throughput of the passt and udp backends (run by bench/netdev.sh): a sender keeps
 * at most WINDOW frames unanswered and counts the answers that come back for SECONDS.
 *   udp:   backend a -> backend b over loopback (b's receiver releases the window), 1514- and 60-byte frames
 *   passt: ARP requests answered by passt itself (60 bytes), ICMP echo of 1514-byte frames answered
 *          by the namespace's kernel through passt's ping sockets
 */
public final class NetdevBench {
    static final int WINDOW = 64;
    static final byte[] GUEST_MAC = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
    static final byte[] GUEST_IP = {(byte) 192, 0, 2, 2};
    static final byte[] GATEWAY_IP = {(byte) 192, 0, 2, 1};

    public static void main(String[] args) throws Exception {
        String what = args[0];
        double seconds = Double.parseDouble(args[1]);
        if (what.equals("udp")) {
            udp(1514, seconds);
            udp(60, seconds);
        } else {
            passt(args[2], seconds);
        }
    }

    interface Sender {
        void send(NetPort port);
    }

    /** Runs for {@code seconds} with WINDOW frames in flight; prints answers/s and Mbit/s of the answered frames. */
    static void measure(String label, NetPort port, Semaphore window, AtomicLong answers, AtomicLong bytes,
                        Sender sender, double seconds) throws InterruptedException {
        long warm = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < warm) {
            if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                sender.send(port);
            }
        }
        long a0 = answers.get();
        long b0 = bytes.get();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long stalls = 0;
        while (System.nanoTime() < end) {
            if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                sender.send(port);
            } else {
                window.release(WINDOW / 2);   // answers lost (a full socket buffer): refill the window
                stalls++;
            }
        }
        double dt = (System.nanoTime() - t0) / 1e9;
        long n = answers.get() - a0;
        long b = bytes.get() - b0;
        System.out.printf("%-44s %9.0f frames/s %8.1f Mbit/s%s%n", label, n / dt, b * 8 / dt / 1e6,
                stalls == 0 ? "" : "  (" + stalls + " window refills after losses)");
    }

    static void udp(int size, double seconds) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int pa = freePort();
        int pb = freePort();
        Semaphore window = new Semaphore(WINDOW);
        AtomicLong answers = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        try (UdpBackend a = new UdpBackend("a", new InetSocketAddress(lo, pa), new InetSocketAddress(lo, pb));
             UdpBackend b = new UdpBackend("b", new InetSocketAddress(lo, pb), new InetSocketAddress(lo, pa))) {
            NetPort pa0 = a.attach("nic-a", (f, o, l) -> true);
            b.attach("nic-b", (f, o, l) -> {
                answers.incrementAndGet();
                bytes.addAndGet(l);
                window.release();
                return true;
            });
            byte[] frame = new byte[size];
            System.arraycopy(GUEST_MAC, 0, frame, 6, 6);
            Arrays.fill(frame, 0, 6, (byte) 0xff);
            frame[12] = (byte) 0x88;
            frame[13] = (byte) 0xb5;
            measure("udp backend -> udp backend, " + size + "-byte frames", pa0, window, answers, bytes,
                    p -> p.transmit(frame, 0, frame.length), seconds);
        }
    }

    static int freePort() throws Exception {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void passt(String netns, double seconds) throws Exception {
        Path passt = PasstBackend.findOnPath().orElseThrow(() -> new IllegalStateException("passt is not installed"));
        Semaphore window = new Semaphore(WINDOW);
        AtomicLong answers = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        byte[][] gatewayMac = new byte[1][];
        try (PasstBackend b = new PasstBackend("bench", new PasstBackend.Options(null, passt, List.of(), 1500, netns,
                null))) {
            NetPort port = b.attach("nic", (f, o, l) -> {
                int type = ((f[o + 12] & 0xff) << 8) | (f[o + 13] & 0xff);
                boolean arpReply = type == 0x0806 && f[o + 21] == 2;
                boolean echoReply = type == 0x0800 && f[o + 23] == 1 && f[o + 34] == 0;
                if (arpReply && gatewayMac[0] == null) {
                    gatewayMac[0] = Arrays.copyOfRange(f, o + 22, o + 28);
                }
                if (arpReply || echoReply) {
                    answers.incrementAndGet();
                    bytes.addAndGet(l);
                    window.release();
                }
                return true;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!port.linkUp()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no link to passt: " + b.problem());
                }
                Thread.sleep(10);
            }
            byte[] arp = arpRequest();
            measure("passt: ARP request/reply, 60-byte frames", port, window, answers, bytes,
                    p -> p.transmit(arp, 0, arp.length), seconds);
            byte[] echo = icmpEcho(gatewayMac[0], 1514);
            int[] seq = {0};
            measure("passt: ICMP echo via the namespace, 1514-byte", port, window, answers, bytes, p -> {
                ByteBuffer.wrap(echo).putShort(14 + 20 + 6, (short) ++seq[0]);
                fixIcmpChecksum(echo);
                p.transmit(echo, 0, echo.length);
            }, seconds);
        }
    }

    static byte[] arpRequest() {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(GUEST_MAC).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(GUEST_MAC).put(GUEST_IP).put(new byte[6]).put(GATEWAY_IP);
        return b.array();
    }

    static byte[] icmpEcho(byte[] dst, int frameLength) {
        ByteBuffer b = ByteBuffer.allocate(frameLength);
        int ipLength = frameLength - 14;
        b.put(dst).put(GUEST_MAC).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 1).putShort((short) 0x4000);
        b.put((byte) 64).put((byte) 1).putShort((short) 0).put(GUEST_IP).put(GATEWAY_IP);
        b.putShort(24, (short) ~sum(b.array(), 14, 20));
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x4242).putShort((short) 0);
        return b.array();
    }

    static void fixIcmpChecksum(byte[] f) {
        f[36] = 0;
        f[37] = 0;
        int s = ~sum(f, 34, f.length - 34);
        f[36] = (byte) (s >> 8);
        f[37] = (byte) s;
    }

    static int sum(byte[] b, int off, int len) {
        int s = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s & 0xffff;
    }
}

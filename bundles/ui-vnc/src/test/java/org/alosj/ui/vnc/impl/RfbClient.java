package org.alosj.ui.vnc.impl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** A small RFB client for the tests: handshakes, asks for updates and decodes Raw, ZRLE and DesktopSize. */
final class RfbClient implements AutoCloseable {
    record Rect(int x, int y, int width, int height, int encoding) {
    }

    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    int width;
    int height;
    String name;
    int[] frame;
    PixelFormat format = PixelFormat.NATIVE;
    private final Inflater inflater = new Inflater();

    RfbClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16));
        out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()) {
            // Arrays go out at once (a test's raw bytes); messages built field by field at their flush.
            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                super.write(b, off, len);
                flush();
            }

        });
    }

    /** The whole handshake at {@code version} ("003.008" …), up to ServerInit. */
    RfbClient handshake(String version) throws IOException {
        byte[] server = in.readNBytes(12);
        if (!new String(server, StandardCharsets.US_ASCII).equals("RFB 003.008\n")) {
            throw new IOException("server version " + new String(server, StandardCharsets.US_ASCII));
        }
        out.write(("RFB " + version + "\n").getBytes(StandardCharsets.US_ASCII));
        if (!version.equals("003.007") && !version.equals("003.008")) {
            int type = in.readInt();
            if (type != 1) {
                throw new IOException("security " + type);
            }
        } else {
            int n = in.readUnsignedByte();
            byte[] types = in.readNBytes(n);
            if (n != 1 || types[0] != 1) {
                throw new IOException("security types " + java.util.Arrays.toString(types));
            }
            out.write(1);
            out.flush();
            if (version.equals("003.008") && in.readInt() != 0) {
                throw new IOException("security failed");
            }
        }
        out.write(1); // shared
        out.flush();
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        byte[] pf = in.readNBytes(16);
        PixelFormat serverFormat = PixelFormat.parse(ByteBuffer.wrap(pf));
        if (!serverFormat.equals(PixelFormat.NATIVE)) {
            throw new IOException("server format " + serverFormat);
        }
        name = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
        frame = new int[width * height];
        return this;
    }

    void setPixelFormat(PixelFormat f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20);
        b.put((byte) 0).put(new byte[3]);
        f.writeTo(b);
        out.write(b.array());
        format = f;
    }

    void setEncodings(int... encodings) throws IOException {
        out.writeByte(2);
        out.writeByte(0);
        out.writeShort(encodings.length);
        for (int e : encodings) {
            out.writeInt(e);
        }
        out.flush();
    }

    void request(boolean incremental, int x, int y, int w, int h) throws IOException {
        out.writeByte(3);
        out.writeByte(incremental ? 1 : 0);
        out.writeShort(x);
        out.writeShort(y);
        out.writeShort(w);
        out.writeShort(h);
        out.flush();
    }

    void request(boolean incremental) throws IOException {
        request(incremental, 0, 0, width, height);
    }

    void key(int keysym, boolean down) throws IOException {
        out.writeByte(4);
        out.writeByte(down ? 1 : 0);
        out.writeShort(0);
        out.writeInt(keysym);
        out.flush();
    }

    void pointer(int mask, int x, int y) throws IOException {
        out.writeByte(5);
        out.writeByte(mask);
        out.writeShort(x);
        out.writeShort(y);
        out.flush();
    }

    /** Reads one FramebufferUpdate into {@link #frame}; returns its rectangles. */
    List<Rect> readUpdate() throws IOException {
        int type = in.readUnsignedByte();
        if (type != 0) {
            throw new IOException("message type " + type);
        }
        in.readUnsignedByte();
        int n = in.readUnsignedShort();
        List<Rect> rects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Rect r = new Rect(in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(),
                    in.readUnsignedShort(), in.readInt());
            rects.add(r);
            switch (r.encoding()) {
                case RfbSession.ENCODING_RAW -> {
                    int bpp = format.bytesPerPixel();
                    byte[] data = in.readNBytes(r.width() * r.height() * bpp);
                    ByteBuffer b = ByteBuffer.wrap(data);
                    for (int p = 0; p < r.width() * r.height(); p++) {
                        put(r, p, format.rgb(readPixel(b, bpp)));
                    }
                }
                case RfbSession.ENCODING_ZRLE -> zrle(r);
                case RfbSession.ENCODING_COPY_RECT -> {
                    int sx = in.readUnsignedShort();
                    int sy = in.readUnsignedShort();
                    int[] copy = frame.clone(); // the source as it was before this rectangle
                    for (int row = 0; row < r.height(); row++) {
                        System.arraycopy(copy, (sy + row) * width + sx, frame, (r.y() + row) * width + r.x(), r.width());
                    }
                }
                case RfbSession.ENCODING_DESKTOP_SIZE -> {
                    width = r.width();
                    height = r.height();
                    frame = new int[width * height];
                }
                default -> throw new IOException("encoding " + r.encoding());
            }
        }
        return rects;
    }

    private void put(Rect r, int p, int rgb) {
        frame[(r.y() + p / r.width()) * width + r.x() + p % r.width()] = rgb;
    }

    private int readPixel(ByteBuffer b, int bytes) {
        int v = 0;
        if (format.bigEndian()) {
            for (int i = 0; i < bytes; i++) {
                v = v << 8 | b.get() & 0xff;
            }
        } else {
            for (int i = 0; i < bytes; i++) {
                v |= (b.get() & 0xff) << 8 * i;
            }
        }
        return v;
    }

    private void zrle(Rect r) throws IOException {
        byte[] z = in.readNBytes(in.readInt());
        inflater.setInput(z);
        int cpixel = format.compressedPixelBytes();
        int tiles = ((r.width() + 63) / 64) * ((r.height() + 63) / 64);
        byte[] plain = new byte[r.width() * r.height() * cpixel + tiles];
        int got;
        try {
            got = inflater.inflate(plain);
        } catch (DataFormatException e) {
            throw new IOException(e);
        }
        ByteBuffer b = ByteBuffer.wrap(plain, 0, got);
        for (int ty = 0; ty < r.height(); ty += 64) {
            for (int tx = 0; tx < r.width(); tx += 64) {
                int tw = Math.min(64, r.width() - tx);
                int th = Math.min(64, r.height() - ty);
                int sub = b.get();
                if (sub == 1) {
                    int rgb = format.rgb(cpixel(b, cpixel));
                    for (int p = 0; p < tw * th; p++) {
                        frame[(r.y() + ty + p / tw) * width + r.x() + tx + p % tw] = rgb;
                    }
                } else if (sub == 0) {
                    for (int p = 0; p < tw * th; p++) {
                        frame[(r.y() + ty + p / tw) * width + r.x() + tx + p % tw] = format.rgb(cpixel(b, cpixel));
                    }
                } else {
                    throw new IOException("subencoding " + sub);
                }
            }
        }
        if (b.hasRemaining()) {
            throw new IOException(b.remaining() + " bytes left after the tiles");
        }
    }

    private int cpixel(ByteBuffer b, int bytes) {
        if (bytes != 3) {
            return readPixel(b, bytes);
        }
        int bits = format.redMax() << format.redShift() | format.greenMax() << format.greenShift()
                | format.blueMax() << format.blueShift();
        int v = readPixel(b, 3);
        return (bits & 0xff000000) == 0 ? v : v << 8;
    }

    /** True when the server closed the connection (read returns end of stream or the socket resets). */
    boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // drain what was sent before the close
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        socket.close();
    }
}

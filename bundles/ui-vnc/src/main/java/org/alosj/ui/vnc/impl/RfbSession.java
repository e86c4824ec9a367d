package org.alosj.ui.vnc.impl;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.alosj.hal.input.HostInput;
import org.alosj.ui.vnc.impl.Damage.Rect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RFB client (RFC 6143): the handshake, then a reader thread for its messages and a writer
 * thread that answers update requests with what changed. Anything malformed, a bad version, an
 * unsupported pixel format or a handshake or message that does not arrive in time ends this
 * session only.
 */
final class RfbSession {
    private static final Logger LOG = LoggerFactory.getLogger("vnc");

    static final int ENCODING_RAW = 0;
    static final int ENCODING_COPY_RECT = 1;
    static final int ENCODING_ZRLE = 16;
    static final int ENCODING_DESKTOP_SIZE = -223;
    private static final int SECURITY_NONE = 1;
    private static final int MAX_CUT_TEXT = 1 << 20;
    private static final int MAX_ENCODINGS = 1024;

    private final Socket socket;
    private final Screen screen;
    private final String name;
    private final int deadlineMillis;
    private final Runnable onClose;
    private final String peer;
    private OutputStream out;

    // Guarded by this: what the writer needs to answer the next request.
    private final Damage damage = new Damage();
    private Rect requested;
    private boolean requestIncremental;
    private boolean resized;
    private PixelFormat format = PixelFormat.NATIVE;
    private int encoding = ENCODING_RAW;
    private boolean desktopSize;
    private boolean copyRect;
    private int clientWidth;
    private int clientHeight;
    private boolean closed;

    // Reader thread only.
    private final Set<Integer> keysDown = new HashSet<>();
    private final Set<Integer> shiftedBySession = new HashSet<>();
    private int clientShifts;
    private int lastX = -1;
    private int lastY;
    private int lastButtons;
    private int lastMask;

    private ZrleEncoder zrle;
    private ScrollDetector scrolls;

    RfbSession(Socket socket, Screen screen, String name, int deadlineMillis, Runnable onClose) {
        this.socket = socket;
        this.screen = screen;
        this.name = name;
        this.deadlineMillis = deadlineMillis;
        this.onClose = onClose;
        this.peer = socket.getRemoteSocketAddress().toString();
    }

    void start() {
        Thread reader = new Thread(this::run, "vnc " + peer);
        reader.setDaemon(true);
        reader.start();
    }

    /** The screen changed inside this rectangle. */
    synchronized void damaged(int x, int y, int w, int h) {
        damage.add(x, y, w, h);
        notifyAll();
    }

    /** The mode changed: everything is new, and the client must hear the new size. */
    synchronized void resized() {
        resized = true;
        notifyAll();
    }

    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("vnc: closing {}: {}", peer, e.getMessage());
        }
    }

    private void run() {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(deadlineMillis);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            if (!handshake(in)) {
                return;
            }
            Thread writer = new Thread(this::writeUpdates, "vnc-out " + peer);
            writer.setDaemon(true);
            writer.start();
            LOG.info("vnc: client {} connected", peer);
            messages(in);
        } catch (EOFException e) {
            LOG.info("vnc: client {} went away", peer);
        } catch (SocketTimeoutException e) {
            LOG.warn("vnc: client {} sent nothing in {} ms: disconnected", peer, deadlineMillis);
        } catch (ProtocolError e) {
            LOG.warn("vnc: client {}: {}: disconnected", peer, e.getMessage());
        } catch (IOException e) {
            if (!isClosed()) {
                LOG.info("vnc: client {}: {}", peer, e.getMessage());
            }
        } finally {
            releaseKeys();
            close();
            onClose.run();
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Version, security (None) and initialisation; false when the client was refused. */
    private boolean handshake(DataInputStream in) throws IOException {
        out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] version = new byte[12];
        in.readFully(version);
        String v = new String(version, StandardCharsets.US_ASCII);
        if (!v.matches("RFB \\d{3}\\.\\d{3}\n") || !v.startsWith("RFB 003.")) {
            throw new ProtocolError("not an RFB 3.x version string");
        }
        // RFC 6143 7.1.1: versions other than 3.7 and 3.8 are taken as 3.3.
        int minor = Integer.parseInt(v.substring(8, 11));
        if (minor != 7 && minor != 8) {
            minor = 3;
        }
        if (minor == 3) {
            out.write(ByteBuffer.allocate(4).putInt(SECURITY_NONE).array());
            out.flush();
        } else {
            out.write(new byte[] {1, SECURITY_NONE});
            out.flush();
            int chosen = in.readUnsignedByte();
            if (chosen != SECURITY_NONE) {
                if (minor == 8) {
                    byte[] reason = "only security type None (1) is offered".getBytes(StandardCharsets.US_ASCII);
                    out.write(ByteBuffer.allocate(8 + reason.length).putInt(1).putInt(reason.length).put(reason).array());
                    out.flush();
                }
                throw new ProtocolError("asked for security type " + chosen + " (only None, 1, is offered)");
            }
            if (minor == 8) {
                out.write(new byte[4]); // SecurityResult: OK
                out.flush();
            }
        }
        in.readUnsignedByte(); // ClientInit's shared flag: every client shares the screen
        int w;
        int h;
        synchronized (this) {
            w = clientWidth = screen.width();
            h = clientHeight = screen.height();
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer init = ByteBuffer.allocate(4 + PixelFormat.WIRE_LENGTH + 4 + nameBytes.length);
        init.putShort((short) w).putShort((short) h);
        PixelFormat.NATIVE.writeTo(init);
        init.putInt(nameBytes.length).put(nameBytes);
        out.write(init.array());
        out.flush();
        return true;
    }

    /** Client messages until it goes. Waiting for a message has no deadline; its body must follow in time. */
    private void messages(DataInputStream in) throws IOException {
        byte[] body = new byte[20];
        while (true) {
            socket.setSoTimeout(0);
            int type = in.read();
            if (type < 0) {
                throw new EOFException();
            }
            socket.setSoTimeout(deadlineMillis);
            switch (type) {
                case 0 -> { // SetPixelFormat
                    in.readFully(body, 0, 19);
                    PixelFormat f;
                    try {
                        f = PixelFormat.parse(ByteBuffer.wrap(body, 3, 16));
                    } catch (IllegalArgumentException e) {
                        throw new ProtocolError("SetPixelFormat: " + e.getMessage());
                    }
                    synchronized (this) {
                        format = f;
                    }
                }
                case 2 -> setEncodings(in);
                case 3 -> { // FramebufferUpdateRequest
                    in.readFully(body, 0, 9);
                    ByteBuffer b = ByteBuffer.wrap(body, 0, 9);
                    boolean incremental = b.get() != 0;
                    Rect area = new Rect(b.getShort() & 0xffff, b.getShort() & 0xffff,
                            b.getShort() & 0xffff, b.getShort() & 0xffff);
                    synchronized (this) {
                        if (requested == null) {
                            requested = area;
                            requestIncremental = incremental;
                        } else {
                            // A second request before the first was answered: answer both at once.
                            requested = requested.union(area);
                            requestIncremental &= incremental;
                        }
                        notifyAll();
                    }
                }
                case 4 -> { // KeyEvent
                    in.readFully(body, 0, 7);
                    ByteBuffer b = ByteBuffer.wrap(body, 0, 7);
                    boolean down = b.get() != 0;
                    b.getShort();
                    keyEvent(b.getInt(), down);
                }
                case 5 -> { // PointerEvent
                    in.readFully(body, 0, 5);
                    ByteBuffer b = ByteBuffer.wrap(body, 0, 5);
                    pointerEvent(b.get() & 0xff, b.getShort() & 0xffff, b.getShort() & 0xffff);
                }
                case 6 -> { // ClientCutText: read and dropped (the guest has no clipboard to give it)
                    in.readFully(body, 0, 7);
                    long length = ByteBuffer.wrap(body, 3, 4).getInt() & 0xffffffffL;
                    if (length > MAX_CUT_TEXT) {
                        throw new ProtocolError("ClientCutText of " + length + " bytes (at most " + MAX_CUT_TEXT + ")");
                    }
                    in.skipNBytes(length);
                }
                default -> throw new ProtocolError("unknown message type " + type);
            }
        }
    }

    private void setEncodings(DataInputStream in) throws IOException {
        in.readUnsignedByte();
        int count = in.readUnsignedShort();
        if (count > MAX_ENCODINGS) {
            throw new ProtocolError("SetEncodings with " + count + " encodings (at most " + MAX_ENCODINGS + ")");
        }
        int chosen = -1;
        boolean size = false;
        boolean copy = false;
        for (int i = 0; i < count; i++) {
            int e = in.readInt();
            if (chosen < 0 && (e == ENCODING_ZRLE || e == ENCODING_RAW)) {
                chosen = e; // the client lists its preference first
            }
            size |= e == ENCODING_DESKTOP_SIZE;
            copy |= e == ENCODING_COPY_RECT;
        }
        synchronized (this) {
            encoding = chosen < 0 ? ENCODING_RAW : chosen;
            desktopSize = size;
            copyRect = copy;
        }
    }

    private void keyEvent(int keysym, boolean down) {
        Keysyms.Key key = Keysyms.lookup(keysym);
        if (key == null) {
            LOG.debug("vnc: keysym 0x{} has no key on a US keyboard", Integer.toHexString(keysym));
            return;
        }
        int code = key.code();
        if (Keysyms.isShift(code)) {
            clientShifts = Math.max(0, clientShifts + (down ? 1 : -1));
        }
        if (down) {
            if (key.shifted() && clientShifts == 0 && !keysDown.contains(code)) {
                screen.key(Keysyms.KEY_LEFTSHIFT, true);
                shiftedBySession.add(code);
            }
            keysDown.add(code);
            screen.key(code, true);
        } else {
            if (!keysDown.remove(code)) {
                return; // a release of a key never pressed (a client that connected with it held)
            }
            screen.key(code, false);
            if (shiftedBySession.remove(code)) {
                screen.key(Keysyms.KEY_LEFTSHIFT, false);
            }
        }
    }

    /** Keys this client still holds are let go when it leaves, or they would repeat for ever. */
    private void releaseKeys() {
        try {
            for (int code : new ArrayList<>(keysDown)) {
                screen.key(code, false);
                if (shiftedBySession.remove(code)) {
                    screen.key(Keysyms.KEY_LEFTSHIFT, false);
                }
            }
            if (lastButtons != 0) {
                screen.pointer(0, 0, 0, 0);
            }
        } catch (RuntimeException e) {
            LOG.warn("vnc: releasing the keys of {}: {}", peer, e.toString());
        }
        keysDown.clear();
    }

    /** RFB's absolute position and button mask as a PS/2 mouse sees them: motion since the last event. */
    private void pointerEvent(int mask, int x, int y) {
        int dx = lastX < 0 ? 0 : x - lastX;
        int dy = lastX < 0 ? 0 : y - lastY;
        lastX = x;
        lastY = y;
        // RFB: bit 0 left, 1 middle, 2 right, 3 wheel up, 4 wheel down (a press and release a notch).
        int buttons = ((mask & 1) != 0 ? HostInput.BUTTON_LEFT : 0)
                | ((mask & 2) != 0 ? HostInput.BUTTON_MIDDLE : 0)
                | ((mask & 4) != 0 ? HostInput.BUTTON_RIGHT : 0);
        int pressed = mask & ~lastMask;
        lastMask = mask;
        int wheel = ((pressed & 8) != 0 ? 1 : 0) - ((pressed & 16) != 0 ? 1 : 0);
        if (dx == 0 && dy == 0 && wheel == 0 && buttons == lastButtons) {
            return;
        }
        lastButtons = buttons;
        screen.pointer(dx, dy, wheel, buttons);
    }

    /** The writer: waits for a request it can answer, then sends the update. */
    private void writeUpdates() {
        try {
            while (true) {
                Rect area;
                boolean incremental;
                boolean sizeChanged;
                PixelFormat f;
                int enc;
                boolean copy;
                int w;
                int h;
                List<Rect> rects;
                synchronized (this) {
                    while (!closed && (requested == null || requestIncremental && !damage.touches(requested) && !resized)) {
                        wait();
                    }
                    if (closed) {
                        return;
                    }
                    area = requested;
                    incremental = requestIncremental;
                    requested = null;
                    f = format;
                    enc = encoding;
                    copy = copyRect;
                    sizeChanged = false;
                    if (resized) {
                        resized = false;
                        int nw = screen.width();
                        int nh = screen.height();
                        damage.clear();
                        damage.add(0, 0, nw, nh);
                        if ((nw != clientWidth || nh != clientHeight) && desktopSize) {
                            clientWidth = nw;
                            clientHeight = nh;
                            sizeChanged = true;
                        }
                    }
                    w = Math.min(clientWidth, screen.width());
                    h = Math.min(clientHeight, screen.height());
                    if (!incremental) {
                        damage.add(area.x(), area.y(), area.width(), area.height());
                    }
                    rects = sizeChanged ? List.of() : damage.take(area, w, h);
                }
                if (sizeChanged) {
                    sendDesktopSize(w, h);
                } else {
                    sendUpdate(rects, f, enc, copy ? scrolls(w, h) : null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!isClosed()) {
                LOG.info("vnc: writing to {}: {}", peer, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("vnc: update for {} failed: {}", peer, e.toString());
        } finally {
            if (zrle != null) {
                zrle.close();
            }
            close();
        }
    }

    private void sendDesktopSize(int w, int h) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 12);
        b.put((byte) 0).put((byte) 0).putShort((short) 1);
        b.putShort((short) 0).putShort((short) 0).putShort((short) w).putShort((short) h).putInt(ENCODING_DESKTOP_SIZE);
        out.write(b.array());
        out.flush();
    }

    /** The scroll detector for a client whose picture is {@code w}×{@code h}. */
    private ScrollDetector scrolls(int w, int h) {
        if (scrolls == null) {
            scrolls = new ScrollDetector();
        }
        if (!scrolls.sized(w, h)) {
            scrolls.reset(w, h);
        }
        return scrolls;
    }

    /** One FramebufferUpdate of these rectangles; with a scroll detector, scrolled parts go as CopyRect. */
    private void sendUpdate(List<Rect> rects, PixelFormat f, int enc, ScrollDetector scroll) throws IOException {
        List<ByteBuffer> parts = new ArrayList<>();
        int count = 0;
        for (Rect r : rects) {
            int[] pixels = new int[r.width() * r.height()];
            try {
                screen.read(r.x(), r.y(), r.width(), r.height(), pixels, 0, r.width());
            } catch (RuntimeException e) {
                // The mode changed under us: the resize that follows sends everything again.
                LOG.debug("vnc: reading {}: {}", r, e.toString());
            }
            int k = scroll == null ? 0 : scroll.scrolledUp(r.x(), r.y(), r.width(), r.height(), pixels);
            int firstRow = 0;
            if (k > 0) {
                int kept = r.height() - k;
                parts.add(header(r.x(), r.y(), r.width(), kept, ENCODING_COPY_RECT));
                parts.add(ByteBuffer.allocate(4).putShort((short) r.x()).putShort((short) (r.y() + k)).flip());
                scroll.copiedUp(r.x(), r.y(), r.width(), kept, r.y() + k);
                count++;
                firstRow = kept;
                pixels = java.util.Arrays.copyOfRange(pixels, kept * r.width(), pixels.length);
            }
            int y = r.y() + firstRow;
            int h = r.height() - firstRow;
            parts.add(header(r.x(), y, r.width(), h, enc));
            parts.add(enc == ENCODING_ZRLE ? zrle().encode(pixels, r.width(), h, f) : raw(pixels, f));
            if (scroll != null) {
                scroll.sent(r.x(), y, r.width(), h, pixels, 0);
            }
            count++;
        }
        ByteBuffer head = ByteBuffer.allocate(4);
        head.put((byte) 0).put((byte) 0).putShort((short) count);
        out.write(head.array());
        for (ByteBuffer p : parts) {
            out.write(p.array(), p.position(), p.remaining());
        }
        out.flush();
    }

    private static ByteBuffer header(int x, int y, int w, int h, int encoding) {
        return ByteBuffer.allocate(12).putShort((short) x).putShort((short) y).putShort((short) w)
                .putShort((short) h).putInt(encoding).flip();
    }

    private ZrleEncoder zrle() {
        if (zrle == null) {
            zrle = new ZrleEncoder();
        }
        return zrle;
    }

    private static ByteBuffer raw(int[] pixels, PixelFormat f) {
        int bpp = f.bytesPerPixel();
        ByteBuffer b = ByteBuffer.allocate(pixels.length * bpp);
        for (int p : pixels) {
            f.put(b, f.pixel(p), bpp);
        }
        b.flip();
        return b;
    }

    /** A client broke the protocol; the message says how. */
    static final class ProtocolError extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolError(String message) {
            super(message);
        }
    }
}

package org.alosj.ui.vnc.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accepts RFB clients on a TCP port, a session each, and tells every session what changed on the screen. */
final class RfbServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("vnc");
    static final int MAX_CLIENTS = 32;

    private final Screen screen;
    private final String name;
    private final int deadlineMillis;
    private final ServerSocket server;
    private final List<RfbSession> sessions = new CopyOnWriteArrayList<>();
    private volatile boolean closing;

    /** Binds {@code address} (port 0: any free port) and starts accepting. */
    RfbServer(InetSocketAddress address, Screen screen, String name, int deadlineMillis) throws IOException {
        this.screen = screen;
        this.name = name;
        this.deadlineMillis = deadlineMillis;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address);
        Thread acceptor = new Thread(this::accept, "vnc " + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int clients() {
        return sessions.size();
    }

    private void accept() {
        while (!closing) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("vnc: accepting: {}", e.getMessage());
                }
                return;
            }
            if (sessions.size() >= MAX_CLIENTS) {
                LOG.warn("vnc: refused {}: already {} clients", s.getRemoteSocketAddress(), MAX_CLIENTS);
                closeQuietly(s);
                continue;
            }
            RfbSession[] self = new RfbSession[1];
            self[0] = new RfbSession(s, screen, name, deadlineMillis, () -> sessions.remove(self[0]));
            sessions.add(self[0]);
            self[0].start();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("vnc: closing: {}", e.getMessage());
        }
    }

    void damaged(int x, int y, int w, int h) {
        for (RfbSession s : sessions) {
            s.damaged(x, y, w, h);
        }
    }

    void resized() {
        for (RfbSession s : sessions) {
            s.resized();
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("vnc: closing the server socket: {}", e.getMessage());
        }
        for (RfbSession s : sessions) {
            s.close();
        }
    }
}

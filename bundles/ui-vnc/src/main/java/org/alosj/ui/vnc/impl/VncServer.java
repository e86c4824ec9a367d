package org.alosj.ui.vnc.impl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.display.DisplaySurface;
import org.alosj.hal.input.HostInput;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU's {@code -vnc [HOST]:N}: serves the display adapter's picture on TCP port 5900 + N and
 * feeds the clients' keys and pointer into every input model (a keyboard ignores the pointer, a
 * mouse the keys). Without an adapter, or while it shows nothing, clients see a black 640×480
 * picture, as QEMU's "display not active" screen, until a mode is set.
 */
@Component(configurationPid = VncServer.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class VncServer implements Screen, DisplaySurface.Listener {
    static final String PID = "org.alosj.vnc";
    private static final Logger LOG = LoggerFactory.getLogger("vnc");
    static final int BLANK_WIDTH = 640;
    static final int BLANK_HEIGHT = 480;

    /** The server's settings; the launcher's {@code -vnc} writes them. */
    public @interface Config {
        String host() default "127.0.0.1";

        int port() default 5900;

        /** The desktop name clients show. */
        String name() default "ALOS/J";

        /** How long a client may take over the handshake, or over the rest of a message once begun. */
        int deadline_ms() default 10_000;
    }

    private final List<HostInput> inputs = new CopyOnWriteArrayList<>();
    private volatile DisplaySurface surface;
    private RfbServer server;

    @Activate
    public VncServer(Config config) throws IOException {
        server = new RfbServer(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), this,
                config.name(), config.deadline_ms());
        LOG.info("vnc: serving the screen on {}:{} (display :{})", config.host(), server.port(), server.port() - 5900);
    }

    /** The TCP port listened on. */
    int port() {
        return server.port();
    }

    int clients() {
        return server.clients();
    }

    @Deactivate
    void deactivate() {
        server.close();
        DisplaySurface s = surface;
        if (s != null) {
            s.removeListener(this);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSurface(DisplaySurface s) {
        DisplaySurface old = surface;
        if (old != null) {
            old.removeListener(this);
        }
        surface = s;
        s.addListener(this);
        resizedIfRunning();
    }

    void unbindSurface(DisplaySurface s) {
        s.removeListener(this);
        if (surface == s) {
            surface = null;
            resizedIfRunning();
        }
    }

    private void resizedIfRunning() {
        if (server != null) {
            server.resized();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindInput(HostInput input) {
        inputs.add(input);
    }

    void unbindInput(HostInput input) {
        inputs.remove(input);
    }

    @Override
    public void damaged(int x, int y, int width, int height) {
        server.damaged(x, y, width, height);
    }

    @Override
    public void modeChanged(int width, int height) {
        server.resized();
    }

    private DisplaySurface showing() {
        DisplaySurface s = surface;
        return s != null && s.width() > 0 && s.height() > 0 ? s : null;
    }

    @Override
    public int width() {
        DisplaySurface s = showing();
        return s == null ? BLANK_WIDTH : s.width();
    }

    @Override
    public int height() {
        DisplaySurface s = showing();
        return s == null ? BLANK_HEIGHT : s.height();
    }

    @Override
    public void read(int x, int y, int width, int height, int[] target, int offset, int scanline) {
        DisplaySurface s = showing();
        if (s != null) {
            s.read(x, y, width, height, target, offset, scanline);
        } else {
            for (int row = 0; row < height; row++) {
                java.util.Arrays.fill(target, offset + row * scanline, offset + row * scanline + width, 0);
            }
        }
    }

    @Override
    public void key(int linuxKeyCode, boolean down) {
        for (HostInput i : inputs) {
            try {
                i.key(linuxKeyCode, down);
            } catch (RuntimeException e) {
                LOG.warn("vnc: input {} refused key {}: {}", i.name(), linuxKeyCode, e.getMessage());
            }
        }
    }

    @Override
    public void pointer(int dx, int dy, int wheel, int buttons) {
        for (HostInput i : inputs) {
            try {
                i.pointer(dx, dy, wheel, buttons);
            } catch (RuntimeException e) {
                LOG.warn("vnc: input {} refused pointer motion: {}", i.name(), e.getMessage());
            }
        }
    }
}

package org.alosj.hw.netdev.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.alosj.hal.net.FrameReceiver;
import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One passt backend per factory configuration of PID {@value #PID}. With {@code socket} set it
 * connects to the passt listening there; without, it starts passt itself (with the configured
 * {@code hostfwd} forwards) and stops it when deactivated. When passt is not installed it falls
 * back to an in-JVM hub: the NIC keeps its carrier, and {@link NetBackend#problem} says why
 * nothing answers.
 */
@Component(configurationPid = PasstComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class PasstComponent {
    public static final String PID = "org.alosj.netdev.passt";
    static final String NOT_INSTALLED = "passt not installed (no passt program on the PATH):"
            + " no host network, the NIC is on an empty in-JVM hub";
    private static final Logger LOG = LoggerFactory.getLogger("hw.netdev.passt");

    /** Configuration of a passt backend. */
    public @interface Config {
        String id();

        /** Socket of a passt already running; empty: start one. */
        String socket() default "";

        /** Host forwards, QEMU's spelling, separated by spaces: {@code tcp::8080-:80 udp::5353-:53}. */
        String hostfwd() default "";

        /** MTU passt announces; 1500 suits the NIC models (passt's own default is 65520); 0: passt's. */
        int mtu() default 1500;

        /** Network namespace to start passt in (needs root); empty: ours. */
        String netns() default "";

        /** Address whose DNS queries passt forwards to the host's resolver; empty: none. */
        String dns_forward() default "";

        /** The passt program; empty: passt on the PATH. */
        String passt() default "";
    }

    private final AutoCloseable backend;
    private final ServiceRegistration<NetBackend> registration;

    @Activate
    public PasstComponent(BundleContext context, Config config) throws IOException {
        String id = config.id();
        NetBackend b;
        try {
            b = create(id, config.socket(), config.hostfwd(), config.mtu(), config.netns(), config.dns_forward(),
                    config.passt());
        } catch (IOException | RuntimeException e) {
            LOG.error("passt {}: {}", id, e.getMessage());
            throw e;
        }
        backend = (AutoCloseable) b;
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(NetBackend.NETDEV_ID, b.id());
        props.put("netdev.type", "passt");
        registration = context.registerService(NetBackend.class, b, props);
    }

    /** The backend a configuration describes (empty strings for options not given). */
    static NetBackend create(String id, String socket, String hostfwd, int mtu, String netns, String dnsForward,
                             String passtProgram) throws IOException {
        Frames.checkId(id);
        List<HostForward> forwards = HostForward.parseList(hostfwd);
        if (mtu != 0 && (mtu < 576 || mtu > 65520)) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range: 576-65520, or 0");
        }
        if (!socket.isBlank()) {
            if (!forwards.isEmpty()) {
                throw new IllegalArgumentException("hostfwd is for a passt ALOS/J starts; the passt at "
                        + socket + " has its own -t/-u options");
            }
            return new PasstBackend(id, PasstBackend.Options.connectTo(Path.of(socket)));
        }
        Path passt = passtProgram.isBlank() ? PasstBackend.findOnPath().orElse(null) : Path.of(passtProgram);
        if (passt == null || !Files.isExecutable(passt)) {
            LOG.warn("netdev {}: {}", id, NOT_INSTALLED);
            return new NoPasst(new Hub(id));
        }
        return new PasstBackend(id, new PasstBackend.Options(null, passt, forwards, mtu,
                netns.isBlank() ? null : netns, dnsForward.isBlank() ? null : dnsForward));
    }

    /** A hub standing in for a passt that is not installed. */
    static final class NoPasst implements NetBackend, AutoCloseable, NetdevStatus {
        private final Hub hub;

        NoPasst(Hub hub) {
            this.hub = hub;
        }

        @Override
        public String id() {
            return hub.id();
        }

        @Override
        public NetPort attach(String nicName, FrameReceiver receiver) {
            return hub.attach(nicName, receiver);
        }

        @Override
        public String problem() {
            return NOT_INSTALLED;
        }

        @Override
        public String type() {
            return "passt";
        }

        @Override
        public String status() {
            return hub.id() + "  no peer: " + NOT_INSTALLED;
        }

        @Override
        public void close() {
            hub.close();
        }
    }

    @Deactivate
    void deactivate() throws Exception {
        registration.unregister();
        backend.close();
    }
}

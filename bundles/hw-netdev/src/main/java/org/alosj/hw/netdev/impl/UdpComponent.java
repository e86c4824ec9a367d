package org.alosj.hw.netdev.impl;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import org.alosj.hal.net.NetBackend;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One UDP backend per factory configuration of PID {@value #PID}: {@code id}, {@code local}, {@code remote}. */
@Component(configurationPid = UdpComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class UdpComponent {
    public static final String PID = "org.alosj.netdev.udp";
    private static final Logger LOG = LoggerFactory.getLogger("hw.netdev.udp");

    /** Configuration of a UDP backend. */
    public @interface Config {
        String id();

        /** {@code HOST:PORT} to bind; the host may be empty ({@code :5555}) for every address. */
        String local();

        /** {@code HOST:PORT} of the peer: where frames go, and the only source taken. */
        String remote();
    }

    private final UdpBackend udp;
    private final ServiceRegistration<NetBackend> registration;

    @Activate
    public UdpComponent(BundleContext context, Config config) throws IOException {
        try {
            udp = new UdpBackend(config.id(), UdpBackend.parseAddress(config.local(), false),
                    UdpBackend.parseAddress(config.remote(), true));
        } catch (IOException | RuntimeException e) {
            LOG.error("udp {}: {}", config.id(), e.getMessage());
            throw e;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(NetBackend.NETDEV_ID, udp.id());
        props.put("netdev.type", "udp");
        registration = context.registerService(NetBackend.class, udp, props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        udp.close();
    }
}

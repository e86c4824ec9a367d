package org.alosj.hw.netdev.impl;

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

/**
 * One hub per factory configuration of PID {@value #PID}, registered as a {@link NetBackend}
 * with {@code netdev.id} set to the configured {@code id} (the registration is made here
 * rather than by SCR because the service property's name differs from the configuration's).
 */
@Component(configurationPid = HubComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class HubComponent {
    public static final String PID = "org.alosj.netdev.hub";
    private static final Logger LOG = LoggerFactory.getLogger("hw.netdev.hub");

    /** Configuration of a hub. */
    public @interface Config {
        /** The netdev id NICs name in {@code backend.target} ({@code (netdev.id=ID)}). */
        String id();
    }

    private final Hub hub;
    private final ServiceRegistration<NetBackend> registration;

    @Activate
    public HubComponent(BundleContext context, Config config) {
        try {
            hub = new Hub(config.id());
        } catch (IllegalArgumentException e) {
            LOG.error("hub configuration rejected: {}", e.getMessage());
            throw e;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(NetBackend.NETDEV_ID, hub.id());
        props.put("netdev.type", "hub");
        registration = context.registerService(NetBackend.class, hub, props);
        LOG.info("hub {} up", hub.id());
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        hub.close();
        LOG.info("hub {} down", hub.id());
    }
}

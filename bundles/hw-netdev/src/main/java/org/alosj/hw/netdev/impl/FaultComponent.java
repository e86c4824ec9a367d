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
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fault filter per factory configuration of PID {@value #PID}, wrapping the backend that
 * {@code inner.target} selects (the launcher writes it from {@code netdev=ID}). The reference is
 * static: when the wrapped backend goes, the filter goes with it.
 */
@Component(configurationPid = FaultComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class FaultComponent {
    public static final String PID = "org.alosj.netdev.fault";
    private static final Logger LOG = LoggerFactory.getLogger("hw.netdev.fault");

    /** Configuration of a fault filter. */
    public @interface Config {
        String id();

        /** Filter selecting the backend to wrap, {@code (netdev.id=n0)}; the default selects none. */
        String inner_target() default PcapComponent.NO_INNER;

        double drop() default 0;

        double dup() default 0;

        double reorder() default 0;

        /** Added to every frame: {@code 2ms}, {@code 500us}; empty or 0 for none. */
        String delay() default "0";

        /** Seed of the decisions; empty: a new one each run (logged, to replay a run). */
        String seed() default "";
    }

    private final FaultFilter filter;
    private final ServiceRegistration<NetBackend> registration;

    @Activate
    public FaultComponent(BundleContext context, Config config,
                          @Reference(name = "inner", target = PcapComponent.NO_INNER) NetBackend inner) {
        try {
            long seed = config.seed().isBlank() ? System.nanoTime() : Long.parseLong(config.seed().trim());
            String delay = config.delay().isBlank() ? "0" : config.delay();
            filter = new FaultFilter(config.id(), inner, new FaultFilter.Spec(config.drop(), config.dup(),
                    config.reorder(), FaultFilter.Spec.parseDelay(delay), seed));
        } catch (RuntimeException e) {
            LOG.error("fault {}: configuration rejected: {}", config.id(), e.getMessage());
            throw e;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(NetBackend.NETDEV_ID, filter.id());
        props.put("netdev.type", "fault");
        registration = context.registerService(NetBackend.class, filter, props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        filter.close();
    }
}

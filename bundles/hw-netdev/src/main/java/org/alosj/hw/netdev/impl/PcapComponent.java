package org.alosj.hw.netdev.impl;

import java.io.IOException;
import java.nio.file.Path;
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
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pcap capture per factory configuration of PID {@value #PID}: {@code id}, {@code file}
 * and, to make it a tap, {@code inner.target} selecting the backend to wrap (for example
 * {@code (netdev.id=lan0)}; the default matches nothing, which makes a sink). The inner
 * reference is static and greedy: when the backend it names comes or goes the capture restarts
 * on a fresh file.
 */
@Component(configurationPid = PcapComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class PcapComponent {
    public static final String PID = "org.alosj.netdev.pcap";
    static final String NO_INNER = "(" + NetBackend.NETDEV_ID + "=-)";
    private static final Logger LOG = LoggerFactory.getLogger("hw.netdev.pcap");

    /** Configuration of a capture. */
    public @interface Config {
        String id();

        /** Path of the pcap file, created or truncated. */
        String file();

        /** Filter selecting the backend to tap; the default selects none (a sink). */
        String inner_target() default NO_INNER;
    }

    private final PcapBackend pcap;
    private final ServiceRegistration<NetBackend> registration;

    @Activate
    public PcapComponent(BundleContext context, Config config,
                         @Reference(name = "inner", cardinality = ReferenceCardinality.OPTIONAL,
                                 policyOption = ReferencePolicyOption.GREEDY, target = NO_INNER)
                         NetBackend inner) throws IOException {
        String file = config.file();
        if (file == null || file.isBlank()) {
            LOG.error("pcap {}: no 'file' configured", config.id());
            throw new IllegalArgumentException("pcap " + config.id() + ": the 'file' property is required");
        }
        try {
            pcap = new PcapBackend(config.id(), Path.of(file), inner);
        } catch (IOException | RuntimeException e) {
            LOG.error("pcap {}: cannot capture to '{}': {}", config.id(), file, e.toString());
            throw e;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(NetBackend.NETDEV_ID, pcap.id());
        props.put("netdev.type", "pcap");
        registration = context.registerService(NetBackend.class, pcap, props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        pcap.close();
    }
}

package org.alosj.net.impl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.alosj.net.DatagramSocket;
import org.alosj.net.InterfaceInfo;
import org.alosj.net.Ipv4Address;
import org.alosj.net.ListeningSocket;
import org.alosj.net.NetworkStack;
import org.alosj.net.SocketAddress;
import org.alosj.net.StreamSocket;
import org.alosj.net.impl.app.DhcpClient;
import org.alosj.net.impl.app.DnsResolver;
import org.alosj.net.impl.app.DocumentRoot;
import org.alosj.net.impl.app.HttpServer;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network stack as an OSGi component: tracks every NetDevice service and gives each slot an
 * interface; reads the configuration (PID {@code org.alosj.net}); owns the DNS resolver, the
 * DHCP clients and the HTTP server the shell starts.
 */
@Component(service = {NetworkStack.class, NetworkStackService.class}, configurationPid = "org.alosj.net",
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class NetworkStackService implements NetworkStack {
    private static final Logger LOG = LoggerFactory.getLogger("net.stack");

    final Stack stack = new Stack();
    final DnsResolver resolver = new DnsResolver(stack, System::nanoTime);
    private final ScheduledExecutorService dhcpScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "net-dhcp");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, DhcpClient> dhcp = new ConcurrentHashMap<>();
    private final Map<NetDevice, String> slots = new ConcurrentHashMap<>();
    private volatile NetworkConfig config = NetworkConfig.empty();
    private HttpServer httpd;
    private volatile Vfs vfs;
    static final String NETWORK_CONF = "/config/network.conf";

    @Activate
    public NetworkStackService(Map<String, Object> properties) {
        stack.setResolver(name -> {
            try {
                return resolver.resolve(name);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        applyConfig(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        applyConfig(properties);
    }

    private void applyConfig(Map<String, Object> properties) {
        try {
            config = NetworkConfig.of(properties);
        } catch (RuntimeException e) {
            LOG.error("org.alosj.net configuration rejected: {}", e.getMessage());
            return;
        }
        if (!config.dns().isEmpty()) {
            resolver.setServers(config.dns());
        }
        for (String name : stack.interfaceNames()) {
            configureInterface(name);
        }
    }

    /** Applies a network.conf text (the boot script reads /config/network.conf when a disk is present). */
    public void applyNetworkConf(String text) {
        config = NetworkConfig.parseText(text);
        if (!config.dns().isEmpty()) {
            resolver.setServers(config.dns());
        }
        for (String name : stack.interfaceNames()) {
            configureInterface(name);
        }
    }

    private void configureInterface(String name) {
        NetworkConfig.Iface c = config.interfaces().get(name);
        if (c == null) {
            return;
        }
        if (c.mtu() > 0) {
            stack.setMtu(name, c.mtu());
        }
        switch (c.mode()) {
            case "static" -> {
                stack.configure(name, c.address(), c.prefixLength());
                if (c.gateway() != null) {
                    stack.addRoute(Ipv4Address.ANY, 0, c.gateway(), name);
                }
            }
            case "dhcp" -> {
                if (!dhcp.containsKey(name)) {
                    dhcpScheduler.execute(() -> {
                        try {
                            startDhcp(name);
                        } catch (IOException e) {
                            if (!dhcpScheduler.isShutdown()) {
                                LOG.warn("{}: {}", name, e.getMessage());
                            }
                        }
                    });
                }
            }
            default -> stack.setUp(name, false);
        }
    }

    @Reference(service = NetDevice.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindNetDevice(NetDevice device, Map<String, Object> properties) {
        String slot = String.valueOf(properties.getOrDefault(DeviceProperties.SLOT, "unknown-" + slots.size()));
        String driver = String.valueOf(properties.getOrDefault(DeviceProperties.DRIVER, "?"));
        slots.put(device, slot);
        List<String> before = stack.interfaceNames();
        var iface = stack.attach(slot, device, driver);
        if (!before.contains(iface.name)) {
            configureInterface(iface.name);
        }
    }

    void unbindNetDevice(NetDevice device) {
        String slot = slots.remove(device);
        if (slot != null) {
            stack.detach(slot, device);
        }
    }

    /**
     * PCI functions as the device manager publishes them: one that leaves the bus (hot-unplug)
     * takes its interface with it, and the connections over it fail. Only the references are
     * used, never the devices.
     */
    @Reference(service = PciDevice.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindPciDevice(ServiceReference<PciDevice> reference) {
        // arrivals are the NetDevice's business
    }

    void unbindPciDevice(ServiceReference<PciDevice> reference) {
        Object slot = reference.getProperty("pci.address");
        String name = slot == null ? null : stack.remove(slot.toString());
        if (name != null) {
            DhcpClient client = dhcp.remove(name);
            if (client != null) {
                client.stop();
            }
        }
    }

    /** The VFS came (a disk is mounted on / at boot): /config/network.conf, if there, configures the network. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindVfs(Vfs v) {
        vfs = v;
        String text;
        try (VfsContext ctx = v.createContext(0, 0)) {
            text = readFile(ctx, NETWORK_CONF, 64 * 1024);
        } catch (FsException e) {
            LOG.debug("no {}: {}", NETWORK_CONF, e.getMessage());
            return;
        }
        try {
            applyNetworkConf(text);
            LOG.info("network configured from {}", NETWORK_CONF);
        } catch (RuntimeException e) {
            LOG.error("{} rejected: {}", NETWORK_CONF, e.getMessage());
        }
    }

    void unbindVfs(Vfs v) {
        if (vfs == v) {
            vfs = null;
        }
    }

    /** The VFS, or null while there is none. */
    public Vfs vfs() {
        return vfs;
    }

    static String readFile(VfsContext ctx, String path, int limit) throws FsException {
        int fd = ctx.open(path, OpenFlags.O_RDONLY, 0);
        try {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(limit);
            while (buf.hasRemaining() && ctx.read(fd, buf) > 0) {
                // keep reading
            }
            return new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
        } finally {
            ctx.close(fd);
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            if (httpd != null) {
                httpd.close();
                httpd = null;
            }
        }
        dhcp.values().forEach(DhcpClient::stop);
        dhcpScheduler.shutdownNow();
        stack.close();
    }

    /** Runs DHCP on an interface now and keeps renewing. */
    public DhcpClient.Lease startDhcp(String name) throws IOException {
        DhcpClient old = dhcp.remove(name);
        if (old != null) {
            old.stop();
        }
        DhcpClient c = new DhcpClient(stack, name, dhcpScheduler, lease -> {
            if (!lease.dns().isEmpty()) {
                resolver.setServers(lease.dns());
            }
        });
        DhcpClient.Lease lease = c.acquire();
        dhcp.put(name, c);
        return lease;
    }

    public synchronized HttpServer startHttpd(int port, DocumentRoot root) throws IOException {
        if (httpd != null) {
            throw new IllegalStateException("httpd is already running: " + httpd.status());
        }
        httpd = new HttpServer(stack, port, root);
        return httpd;
    }

    public synchronized boolean stopHttpd() {
        if (httpd == null) {
            return false;
        }
        httpd.close();
        httpd = null;
        return true;
    }

    public synchronized HttpServer httpd() {
        return httpd;
    }

    public Stack stack() {
        return stack;
    }

    public DnsResolver resolver() {
        return resolver;
    }

    @Override
    public StreamSocket connect(SocketAddress remote, Duration timeout) throws IOException {
        return stack.connect(remote, timeout);
    }

    @Override
    public ListeningSocket listen(SocketAddress local, int backlog) throws IOException {
        return stack.listen(local, backlog);
    }

    @Override
    public DatagramSocket bindDatagram(SocketAddress local) throws IOException {
        return stack.bindDatagram(local);
    }

    @Override
    public List<Ipv4Address> resolve(String name, Duration timeout) throws IOException {
        return stack.resolve(name, timeout);
    }

    @Override
    public long ping(Ipv4Address destination, int sequence, int payloadLength, Duration timeout) throws IOException {
        return stack.ping(destination, sequence, payloadLength, timeout);
    }

    @Override
    public List<InterfaceInfo> interfaces() {
        return stack.interfaces();
    }
}

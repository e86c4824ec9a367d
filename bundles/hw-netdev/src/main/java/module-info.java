/**
 * Network backends for NIC models, the {@code -netdev} of QEMU: passt over its UNIX socket, raw
 * frames in UDP datagrams, an in-JVM hub, a pcap writer (a sink, or a tap around another
 * backend) and a fault filter around another backend; and the {@code netbackends} command. Each is a Declarative Services component
 * configured by a Configuration Admin factory configuration and registered as a
 * {@link org.alosj.hal.net.NetBackend} service carrying {@code netdev.id}. Nothing is exported:
 * NIC models find backends through the service registry.
 */
module org.alosj.hw.netdev {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires static org.apache.felix.gogo.runtime;
    requires org.alosj.hal;
}

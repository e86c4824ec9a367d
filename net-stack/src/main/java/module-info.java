/**
 * The ALOS/J network stack: Ethernet, ARP, IPv4 with routing and reassembly, ICMP, UDP, TCP,
 * and the DHCP, DNS and HTTP applications over it, on the kernel's NetDevice services; with the
 * shell's network commands (ifconfig, route, arp, dhcp, ping, nslookup, http, httpd, netstat,
 * capture, sleep).
 */
module org.alosj.net {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.apache.felix.gogo.runtime;
    requires org.slf4j;
    requires org.alosj.kernel;

    exports org.alosj.net;
}

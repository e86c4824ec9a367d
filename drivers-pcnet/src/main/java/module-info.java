/**
 * pcnet32: the driver for the AMD PCnet-PCI II (Am79C970A) Ethernet controller. Binds PCI
 * 1022:2000 (and the 1022:2001 HomePNA variant) and offers each as a NetDevice service.
 */
module org.alosj.drivers.pcnet {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.kernel;
}

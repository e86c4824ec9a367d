/**
 * The e1000 and e1000e drivers in one bundle, as Linux splits them: e1000 binds the 8254x parts
 * (the 82540EM, 8086:100e, QEMU's {@code e1000}), e1000e the 82574L (8086:10d3, QEMU's
 * {@code e1000e}). Both bring the MAC up from its EEPROM and offer it as a NetDevice service.
 */
module org.alosj.drivers.e1000e {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.kernel;
}

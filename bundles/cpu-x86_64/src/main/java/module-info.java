/**
 * The x86-64 processor model: decoder, interpreter with a decoded-block cache and block
 * compiler, flags, 4-level paging with a TLB, x87 and SSE units, exceptions and interrupt
 * delivery. Nothing is exported: the bundle registers a {@code CpuFactory} service (hal's
 * org.alosj.hal.cpu API) and CPUs are reached only through that API.
 */
module org.alosj.cpu.x86_64 {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires org.slf4j;
    requires org.alosj.hal;
}

/**
 * The Linux x86-64 system call ABI as a bundle: numbers, registers, structure layouts and error
 * numbers of Linux, on the kernel's processes, VFS and memory. Registered as an
 * {@code org.alosj.kernel.proc.Abi} service; updating this bundle changes the ABI of running
 * programs at their next system call.
 */
module org.alosj.abi.linux {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires org.slf4j;
    requires org.alosj.hal;
    requires org.alosj.kernel;
    requires org.alosj.net;
}

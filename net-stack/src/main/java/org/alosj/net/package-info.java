/**
 * The socket API of the network stack, for kernel code now and the syscall layer later:
 * {@link org.alosj.net.NetworkStack} opens stream (TCP) and datagram (UDP) sockets, resolves
 * names and lists interfaces. Sockets block with timeouts or run non-blocking.
 */
@Export
@Version("1.0.0")
package org.alosj.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

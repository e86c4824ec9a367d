/** Physical memory: the page allocator, the kernel heap and DMA memory. */
@Export
@Version("1.1.0")
package org.alosj.kernel.mem;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

package org.alosj.hal.bus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A device's decoder for a range of I/O ports. {@code size} is 1, 2 or 4 bytes; values are
 * little-endian and a read returns only the low {@code size} bytes.
 */
@ConsumerType
public interface IoPortHandler {
    int ioRead(int port, int size);

    void ioWrite(int port, int size, int value);
}

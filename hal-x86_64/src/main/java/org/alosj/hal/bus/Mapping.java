package org.alosj.hal.bus;

import org.osgi.annotation.versioning.ProviderType;

/** A decoded range on a bus; closing it stops the decode (a BAR disabled or moved). */
@ProviderType
public interface Mapping extends AutoCloseable {
    long base();

    long length();

    @Override
    void close();
}

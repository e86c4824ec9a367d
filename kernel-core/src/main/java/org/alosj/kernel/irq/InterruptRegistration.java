package org.alosj.kernel.irq;

import org.osgi.annotation.versioning.ProviderType;

/** A handler attached to a line; closing detaches it and masks the line if it was the last. */
@ProviderType
public interface InterruptRegistration extends AutoCloseable {
    int irq();

    @Override
    void close();
}

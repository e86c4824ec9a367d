package org.alosj.kernel.device;

import org.osgi.annotation.versioning.ProviderType;

/** A character console: a serial port or a screen with a keyboard. */
@ProviderType
public interface ConsoleDevice {
    @FunctionalInterface
    interface InputListener {
        void received(byte[] data, int offset, int length);
    }

    String name();

    void write(byte[] data, int offset, int length);

    void setInputListener(InputListener listener);
}

package org.alosj.kernel.device;

import org.osgi.annotation.versioning.ProviderType;

/** A keyboard or pointer, delivering evdev-style events. */
@ProviderType
public interface InputDevice {
    /** One event: type (key, relative, absolute, sync), code and value, as Linux's input layer. */
    record Event(int type, int code, int value, long timestampNanos) {
    }

    @FunctionalInterface
    interface Listener {
        void event(InputDevice device, Event event);
    }

    String name();

    void setListener(Listener listener);
}

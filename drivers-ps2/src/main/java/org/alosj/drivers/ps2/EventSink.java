package org.alosj.drivers.ps2;

import org.alosj.kernel.device.InputDevice;

/**
 * An InputDevice's one listener and the events the decoders hand it, stamped as they come.
 * Called in interrupt context: the listener must not block.
 */
abstract class EventSink implements InputDevice {
    private volatile Listener listener;

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public Listener listener() {
        return listener;
    }

    final void emit(int type, int code, int value) {
        Listener l = listener;
        if (l != null) {
            l.event(this, new Event(type, code, value, System.nanoTime()));
        }
    }

    final void sync() {
        emit(EV_SYN, SYN_REPORT, 0);
    }
}

package org.alosj.monitor.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.input.HostInput;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * QEMU's monitor verbs on the keyboard and mouse: {@code sendkey}, {@code mouse_move} and
 * {@code mouse_button}, fed into every input model (a keyboard ignores the pointer, a mouse the
 * keys), as a person at the machine would type and move.
 */
// Immediate: a delayed component would be deactivated between two commands and forget the buttons.
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = InputCommands.class, immediate = true, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=sendkey",
    "osgi.command.function=mouse_move",
    "osgi.command.function=mouse_button",
})
public final class InputCommands {
    /** QEMU's default hold time for sendkey. */
    static final int DEFAULT_HOLD_MS = 100;
    private static final int MAX_HOLD_MS = 10_000;

    private final List<HostInput> inputs = new CopyOnWriteArrayList<>();
    /** The buttons mouse_button last set: mouse_move keeps them held, as QEMU does. */
    private volatile int buttons;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindInput(HostInput input) {
        inputs.add(input);
    }

    void unbindInput(HostInput input) {
        inputs.remove(input);
    }

    @Descriptor("press keys together and let go (QEMU's names joined by '-': sendkey ctrl-alt-f1, sendkey shift-a,"
            + " sendkey ret), holding them HOLD_MS milliseconds (100)")
    public void sendkey(@Descriptor("KEYS") String keys) throws InterruptedException {
        sendkey(keys, DEFAULT_HOLD_MS);
    }

    @Descriptor("press keys together, hold them HOLD_MS milliseconds, and let go")
    public void sendkey(@Descriptor("KEYS") String keys, @Descriptor("HOLD_MS") int holdMs)
            throws InterruptedException {
        if (holdMs < 0 || holdMs > MAX_HOLD_MS) {
            throw new IllegalArgumentException("sendkey: hold time " + holdMs + " ms out of range (0-" + MAX_HOLD_MS + ")");
        }
        List<Integer> codes = new ArrayList<>();
        for (String name : keys.split("-", -1)) {
            int code = QKeyCodes.code(name.toLowerCase(java.util.Locale.ROOT));
            if (code < 0) {
                throw new IllegalArgumentException("sendkey: unknown key '" + name
                        + "' (QEMU's names: a, 1, ret, spc, esc, tab, shift, ctrl, alt, f1, up, pgdn, kp_0 ...)");
            }
            codes.add(code);
        }
        requireInputs("sendkey", "keyboard");
        for (int code : codes) {
            key(code, true);
        }
        try {
            Thread.sleep(holdMs);
        } finally {
            // Let go in reverse order even when interrupted, or the keys would stay held.
            for (int i = codes.size() - 1; i >= 0; i--) {
                key(codes.get(i), false);
            }
        }
    }

    @Descriptor("move the mouse by DX, DY pixels (right, down are positive), with the buttons mouse_button"
            + " left held; DZ turns the wheel a notch, up (away from the user) when positive, down when negative")
    public void mouse_move(@Descriptor("DX") int dx, @Descriptor("DY") int dy) {
        mouse_move(dx, dy, 0);
    }

    @Descriptor("move the mouse by DX, DY and turn the wheel a notch up (DZ > 0) or down (DZ < 0)")
    public void mouse_move(@Descriptor("DX") int dx, @Descriptor("DY") int dy, @Descriptor("DZ") int dz) {
        requireInputs("mouse_move", "mouse");
        // QEMU turns the wheel one notch whatever DZ's size.
        pointer(dx, dy, Integer.signum(dz), buttons);
    }

    @Descriptor("set the mouse buttons held: STATE is a sum of 1 (left), 2 (right) and 4 (middle); 0 lets go")
    public void mouse_button(@Descriptor("STATE") int state) {
        if (state < 0 || state > 7) {
            throw new IllegalArgumentException("mouse_button: bad state " + state
                    + " (expected 0-7: 1 left, 2 right, 4 middle, added up)");
        }
        requireInputs("mouse_button", "mouse");
        // QEMU's state bits are HostInput's: 1 left, 2 right, 4 middle.
        buttons = state;
        pointer(0, 0, 0, state);
    }

    private void requireInputs(String cmd, String what) {
        if (inputs.isEmpty()) {
            throw new IllegalStateException(cmd + ": no " + what + " (no input device model is running)");
        }
    }

    private void key(int code, boolean down) {
        for (HostInput i : inputs) {
            i.key(code, down);
        }
    }

    private void pointer(int dx, int dy, int dz, int state) {
        for (HostInput i : inputs) {
            i.pointer(dx, dy, dz, state);
        }
    }
}

package org.alosj.shell.impl;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.input.KeyDecoder;
import org.alosj.kernel.input.Keymaps;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The keyboard's commands: {@code loadkeys NAME} loads a keymap for every console, and
 * {@code kbhit} (ALOS's keyboard test) shows each key as the keyboard reports it, what the
 * keymap makes of it, until {@code q} or Ctrl-C is typed on that keyboard (or Ctrl-C on the
 * console running it). kbhit takes the keyboard's events for itself meanwhile and gives them
 * back to the console that had them.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = KeyboardCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=loadkeys",
    "osgi.command.function=kbhit",
})
public final class KeyboardCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Keymaps keymaps;

    private final BundleContext context;

    @Activate
    public KeyboardCommands(BundleContext context) {
        this.context = context;
    }

    @Descriptor("load a keyboard layout for every console: loadkeys NAME (us, fr)")
    public void loadkeys(@Descriptor("keymap name") String... args) {
        Keymaps k = keymaps("loadkeys");
        if (args.length != 1) {
            throw new IllegalArgumentException("loadkeys: usage: loadkeys NAME (" + String.join(", ", k.available())
                    + "); loaded: " + k.current());
        }
        try {
            k.load(args[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("loadkeys: " + e.getMessage());
        }
        System.out.println("loadkeys: keymap '" + k.current() + "' loaded");
    }

    private Keymaps keymaps(String cmd) {
        Keymaps k = keymaps;
        if (k == null) {
            throw new IllegalStateException(cmd + ": no keymaps (the kernel is not running)");
        }
        return k;
    }

    @Descriptor("show keys as the keyboard sends them, until q or Ctrl-C on it: kbhit [-n COUNT]")
    public void kbhit(@Descriptor("[-n COUNT]: stop after COUNT key events") String... args) throws InterruptedException {
        long limit = Long.MAX_VALUE;
        if (args.length == 2 && args[0].equals("-n")) {
            try {
                limit = Long.parseLong(args[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("kbhit: bad count '" + args[1] + "'");
            }
        } else if (args.length != 0) {
            throw new IllegalArgumentException("usage: kbhit [-n COUNT]");
        }
        ServiceReference<InputDevice> ref = keyboard();
        InputDevice keyboard = context.getService(ref);
        if (keyboard == null) {
            throw new IllegalStateException("kbhit: the keyboard went away");
        }
        KeyDecoder decoder = keymaps("kbhit").newDecoder();
        LinkedBlockingQueue<InputDevice.Event> events = new LinkedBlockingQueue<>();
        InputDevice.Listener previous = keyboard.listener();
        keyboard.setListener((d, e) -> {
            if (e.type() == InputDevice.EV_KEY) {
                events.add(e);
            }
        });
        try {
            System.out.println("kbhit: " + keyboard.name() + ", keymap " + keymaps("kbhit").current()
                    + "; press keys (q or Ctrl-C to quit)");
            System.out.flush();
            int leds = decoder.leds();
            for (long n = 0; n < limit; ) {
                InputDevice.Event e = events.poll(200, TimeUnit.MILLISECONDS);
                if (e == null) {
                    if (ref.getBundle() == null) { // unregistered: the driver went away
                        throw new IllegalStateException("kbhit: the keyboard went away");
                    }
                    continue;
                }
                n++;
                byte[] typed = decoder.key(e.code(), e.value());
                System.out.println(line(e, typed));
                System.out.flush();
                if (decoder.leds() != leds) {
                    leds = decoder.leds();
                    keyboard.setLeds(leds);
                }
                String text = new String(typed, StandardCharsets.UTF_8);
                if (text.equals("q") || text.equals("\u0003")) {
                    break;
                }
            }
        } finally {
            keyboard.setListener(previous);
            context.ungetService(ref);
        }
    }

    private ServiceReference<InputDevice> keyboard() {
        try {
            Collection<ServiceReference<InputDevice>> refs = context.getServiceReferences(InputDevice.class,
                    "(" + InputDevice.KIND + "=" + InputDevice.KIND_KEYBOARD + ")");
            return refs.stream().sorted((a, b) -> b.compareTo(a)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("kbhit: no keyboard (is the i8042 driver installed?)"));
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("kbhit: " + e.getMessage());
        }
    }

    /** {@code key  30 KEY_A         press    "a"}: code, name, action, what the keymap types. */
    static String line(InputDevice.Event e, byte[] typed) {
        String action = switch (e.value()) {
            case 0 -> "release";
            case 1 -> "press";
            default -> "repeat";
        };
        StringBuilder shown = new StringBuilder();
        for (int cp : new String(typed, StandardCharsets.UTF_8).codePoints().toArray()) {
            if (cp < 0x20 || cp == 0x7F) {
                shown.append(cp == 0x1B ? "\\e" : String.format("\\x%02x", cp));
            } else {
                shown.appendCodePoint(cp);
            }
        }
        return String.format("key %3d %-16s %-7s %s", e.code(), KeyNames.name(e.code()), action,
                typed.length == 0 ? "" : "\"" + shown + "\"");
    }
}

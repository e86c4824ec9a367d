package org.alosj.gui.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.alosj.gui.api.GuiApplication;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.fb.FramebufferDevice;
import org.alosj.kernel.fb.FramebufferMode;
import org.alosj.kernel.input.Keymaps;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code gui} command and the running desktop: {@code gui} takes the frame buffer from the
 * text console (a lease, as a VT switch), takes the keyboards and mice, and runs the desktop;
 * {@code gui stop} — or stopping, updating or uninstalling this bundle — closes the windows and
 * gives screen and input devices back to whoever had them, so the text console carries on.
 */
@Component(service = GuiService.class, immediate = true, configurationPolicy = ConfigurationPolicy.IGNORE, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=gui",
})
public final class GuiService {
    private static final Logger LOG = LoggerFactory.getLogger(GuiService.class);

    private volatile FramebufferDevice framebuffer;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Keymaps keymaps;

    private final List<GuiApplication> applications = new CopyOnWriteArrayList<>();
    private final List<InputDevice> inputs = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private Session session;

    /** A desktop on a leased screen, with the input devices it took and what they had before. */
    private final class Session {
        final FramebufferDevice device;
        final FramebufferDevice.Lease lease;
        final Desktop desktop;
        final Map<InputDevice, InputDevice.Listener> previous = new HashMap<>();
        final Map<InputDevice, PointerAccumulator> pointers = new HashMap<>();

        Session(FramebufferDevice device) {
            this.device = device;
            FramebufferMode mode = device.mode();
            Fonts fonts = new Fonts();
            FramebufferDevice.Lease[] held = new FramebufferDevice.Lease[1];
            Screen screen = new Screen() {
                @Override
                public int width() {
                    return mode.width();
                }

                @Override
                public int height() {
                    return mode.height();
                }

                @Override
                public void show(int x, int y, int w, int h, int[] pixels, int offset, int scanline) {
                    FramebufferDevice.Lease l = held[0];
                    if (l != null) {
                        l.write(x, y, w, h, pixels, offset, scanline);
                    }
                }
            };
            Keymaps k = keymaps;
            desktop = new Desktop(screen, fonts, () -> new ArrayList<>(applications), k == null ? null : k.newDecoder());
            lease = device.claim("gui", new FramebufferDevice.Client() {
                @Override
                public void granted(FramebufferDevice.Lease l) {
                    held[0] = l;
                    desktop.post(() -> desktop.damage(new Rect(0, 0, mode.width(), mode.height())));
                }

                @Override
                public void revoked(FramebufferDevice.Lease l) {
                    // Draws are dropped by the lease itself until it is granted again.
                }
            });
            held[0] = lease;
            desktop.start();
            for (InputDevice in : inputs) {
                take(in);
            }
        }

        void take(InputDevice in) {
            previous.put(in, in.listener());
            PointerAccumulator acc = new PointerAccumulator(desktop);
            pointers.put(in, acc);
            in.setListener((dev, ev) -> acc.event(ev));
        }

        void giveBack(InputDevice in) {
            InputDevice.Listener before = previous.remove(in);
            pointers.remove(in);
            in.setListener(before);
        }

        void close() {
            desktop.stop();
            for (InputDevice in : List.copyOf(previous.keySet())) {
                giveBack(in);
            }
            lease.close();
        }
    }

    /** Gathers one device's events up to each SYN_REPORT, as evdev readers do, then hands them on. */
    static final class PointerAccumulator {
        private final Desktop desktop;
        private int dx;
        private int dy;
        private int wheel;
        private int buttons;
        private boolean moved;

        PointerAccumulator(Desktop desktop) {
            this.desktop = desktop;
        }

        void event(InputDevice.Event e) {
            switch (e.type()) {
                case InputDevice.EV_REL -> {
                    switch (e.code()) {
                        case InputDevice.REL_X -> dx += e.value();
                        case InputDevice.REL_Y -> dy += e.value();
                        case InputDevice.REL_WHEEL -> wheel += e.value();
                        default -> {
                            return;
                        }
                    }
                    moved = true;
                }
                case InputDevice.EV_KEY -> {
                    int bit = switch (e.code()) {
                        case InputDevice.BTN_LEFT -> 1;
                        case InputDevice.BTN_RIGHT -> 2;
                        case InputDevice.BTN_MIDDLE -> 4;
                        default -> 0;
                    };
                    if (bit != 0) {
                        buttons = e.value() != 0 ? buttons | bit : buttons & ~bit;
                        moved = true;
                    } else if (e.code() < 0x100) {
                        desktop.key(e.code(), e.value());
                    }
                }
                case InputDevice.EV_SYN -> {
                    if (moved) {
                        desktop.pointer(dx, dy, wheel, buttons);
                        dx = 0;
                        dy = 0;
                        wheel = 0;
                        moved = false;
                    }
                }
                default -> {
                }
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setFramebuffer(FramebufferDevice fb) {
        framebuffer = fb;
    }

    /** The frame buffer went (its driver was unbound or swapped): a desktop on it stops. */
    void unsetFramebuffer(FramebufferDevice fb) {
        if (framebuffer == fb) {
            framebuffer = null;
        }
        synchronized (lock) {
            if (session != null && session.device == fb) {
                LOG.info("gui: {} went away; the desktop stops", fb.name());
                stop();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addApplication(GuiApplication app) {
        applications.add(app);
    }

    void removeApplication(GuiApplication app) {
        applications.remove(app);
        synchronized (lock) {
            if (session != null) {
                session.desktop.applicationGone(app);
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addInput(InputDevice in) {
        inputs.add(in);
        synchronized (lock) {
            if (session != null) {
                session.take(in);
            }
        }
    }

    void removeInput(InputDevice in) {
        inputs.remove(in);
        synchronized (lock) {
            if (session != null) {
                session.previous.remove(in);
                session.pointers.remove(in);
            }
        }
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    @Descriptor("start the desktop on the frame buffer (gui), or: gui stop, gui status")
    public String gui(@Descriptor("[start|stop|status]") String... args) {
        String verb = args.length == 0 ? "start" : args[0];
        switch (verb) {
            case "start" -> {
                return start();
            }
            case "stop" -> {
                return stop() ? "gui: stopped; the text console has the screen" : "gui: not running";
            }
            case "status" -> {
                synchronized (lock) {
                    if (session == null) {
                        return "gui: not running" + (framebuffer == null ? " (no frame buffer)" : "");
                    }
                    return "gui: running on " + session.device.name() + " " + session.device.mode()
                            + ", " + session.desktop.windows().size() + " windows, pointer at " + session.desktop.pointerX() + ","
                            + session.desktop.pointerY() + ", " + session.desktop.frames() + " frames, input from "
                            + session.previous.size() + " devices";
                }
            }
            default -> throw new IllegalArgumentException("gui: unknown argument '" + verb + "' (start, stop or status)");
        }
    }

    private String start() {
        synchronized (lock) {
            if (session != null) {
                return "gui: already running on " + session.device.name();
            }
            FramebufferDevice fb = framebuffer;
            if (fb == null) {
                throw new IllegalStateException("gui: no frame buffer (boot with -vga std or -device bochs-display)");
            }
            session = new Session(fb);
            LOG.info("gui: desktop started on {} {}", fb.name(), fb.mode());
            return "gui: desktop on " + fb.name() + " " + fb.mode();
        }
    }

    private boolean stop() {
        synchronized (lock) {
            if (session == null) {
                return false;
            }
            session.close();
            session = null;
            LOG.info("gui: desktop stopped");
            return true;
        }
    }

    /** The running desktop, for tests in this bundle; null when stopped. */
    Desktop desktop() {
        synchronized (lock) {
            return session == null ? null : session.desktop;
        }
    }
}

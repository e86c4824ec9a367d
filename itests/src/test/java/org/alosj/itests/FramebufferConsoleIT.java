package org.alosj.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import javax.inject.Inject;
import org.alosj.hal.display.DisplaySurface;
import org.alosj.kernel.device.ConsoleDevice;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.input.KeyDecoder;
import org.alosj.kernel.input.Keymaps;
import org.alosj.kernel.pci.PciDeviceManager;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The machine with {@code -vga std} in a real Felix with the real bundles: the display model on
 * the board, the bochs driver bound by the device manager, fbcon's tty1 on the frame buffer, and
 * the shell's session on tty1. Keys typed on a keyboard reach the shell, and the command's output
 * is read back off the adapter's picture, cell by cell against the console font (taken from the
 * drivers-fb jar).
 *
 * <p>The keyboard and its US keymap here are written to the InputDevice and Keymaps contracts;
 * they stand in for the PS/2 driver and the kernel's keymaps (parallel work, issue 12).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FramebufferConsoleIT {
    static final long WAIT = 20_000;
    static final int EV_KEY = 1;

    @Inject
    BundleContext context;
    @Inject
    ConfigurationAdmin admin;
    @Inject
    PciDeviceManager pci;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private org.osgi.service.cm.Configuration display;

    @Configuration
    public Option[] config() {
        return OptionUtils.combine(AlosOptions.framework("hw-display", "drivers-fb", "jline", "org.apache.felix.gogo.jline"),
                // as the launcher: Gogo's JLine bundle brings the builtins (echo …) and its parser; its
                // own console stays off (its start-up still complains of a missing terminal: harmless)
                CoreOptions.frameworkProperty("gosh.args").value("--nointeractive --noshutdown"));
    }

    @After
    public void tearDown() throws Exception {
        for (ServiceRegistration<?> r : registrations) {
            r.unregister();
        }
        if (display != null) {
            display.delete();
        }
    }

    /** A keyboard to the InputDevice contract: evdev key events to its one listener. */
    static final class Keyboard implements InputDevice {
        volatile Listener listener;

        @Override
        public String name() {
            return "kbd-it";
        }

        @Override
        public void setListener(Listener listener) {
            this.listener = listener;
        }

        void type(String text) {
            for (char c : text.toCharArray()) {
                int code = UsKeys.code(c);
                listener.event(this, new Event(EV_KEY, code, 1, System.nanoTime()));
                listener.event(this, new Event(EV_KEY, code, 0, System.nanoTime()));
            }
        }
    }

    /** US key codes (Linux's) for lower-case letters, digits, space and Enter. */
    static final class UsKeys implements Keymaps {
        static final String[] ROWS = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
        static final int[] FIRST = {2, 16, 30, 44};

        static int code(char c) {
            for (int r = 0; r < ROWS.length; r++) {
                int i = ROWS[r].indexOf(c);
                if (i >= 0) {
                    return FIRST[r] + i;
                }
            }
            return c == ' ' ? 57 : c == '\r' ? 28 : -1;
        }

        @Override
        public List<String> available() {
            return List.of("us");
        }

        @Override
        public String current() {
            return "us";
        }

        @Override
        public void load(String name) {
            if (!name.equals("us")) {
                throw new IllegalArgumentException("unknown keymap " + name);
            }
        }

        @Override
        public KeyDecoder newDecoder() {
            return new KeyDecoder() {
                @Override
                public byte[] key(int code, int value) {
                    if (value == 0) {
                        return new byte[0];
                    }
                    for (char c : "1234567890qwertyuiopasdfghjklzxcvbnm \r".toCharArray()) {
                        if (code(c) == code) {
                            return new byte[] {(byte) c};
                        }
                    }
                    return new byte[0];
                }

                @Override
                public int leds() {
                    return 0;
                }
            };
        }
    }

    /** The console's font, read from the drivers-fb bundle as the console reads it. */
    static Map<Integer, byte[]> font() throws IOException {
        try (ZipFile jar = new ZipFile(AlosOptions.bundleJar("drivers-fb").toFile());
             InputStream in = jar.getInputStream(jar.getEntry("org/alosj/drivers/fb/console/font-8x16.bin"))) {
            DataInputStream data = new DataInputStream(in);
            data.readNBytes(12);
            int count = data.readInt();
            Map<Integer, byte[]> glyphs = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int code = data.readInt();
                glyphs.put(code, data.readNBytes(16));
            }
            return glyphs;
        }
    }

    /** The text of one row of cells, each cell recognised by its glyph ('?' when none matches). */
    static String row(DisplaySurface screen, Map<Integer, byte[]> font, int row) {
        int[] px = new int[screen.width() * 16];
        screen.read(0, row * 16, screen.width(), 16, px, 0, screen.width());
        return ScreenText.cells(px, screen.width(), 0, 0, screen.width() / 8, font);
    }

    @Test
    public void a_command_typed_on_tty1_shows_its_output_in_pixels() throws Exception {
        registrations.add(context.registerService(Keymaps.class, new UsKeys(), null));
        Keyboard keyboard = new Keyboard();
        registrations.add(context.registerService(InputDevice.class, keyboard, null));
        display = admin.getFactoryConfiguration("org.alosj.hw.display", "vga-it", "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("type", "std");
        p.put("name", "vga");
        p.put("id", "vga");
        display.update(p);

        Machines.await("the bochs driver to bind the VGA", WAIT, () -> pci.functions().stream()
                .anyMatch(f -> f.vendorId() == 0x1234 && "bochs".equals(f.driver())));
        Machines.await("tty1", WAIT, () -> context.getServiceReference(ConsoleDevice.class) != null);
        ServiceReference<DisplaySurface> ref = context.getServiceReference(DisplaySurface.class);
        DisplaySurface screen = context.getService(ref);
        assertEquals("vga", ref.getProperty(DisplaySurface.DISPLAY_ID));
        assertEquals(1024, screen.width());
        assertEquals(768, screen.height());
        Map<Integer, byte[]> font = font();
        Machines.await("the shell's prompt on the screen", WAIT, () -> row(screen, font, 0).startsWith("alos:"));
        Machines.await("the keyboard to be taken", WAIT, () -> keyboard.listener != null);

        keyboard.type("echo pixels 42\r");
        Machines.await("the command's output on the screen", WAIT, () -> "pixels 42".equals(row(screen, font, 1)));
        assertTrue(row(screen, font, 0), row(screen, font, 0).startsWith("alos:") && row(screen, font, 0).endsWith("echo pixels 42"));
        Machines.await("the next prompt", WAIT, () -> row(screen, font, 2).startsWith("alos:"));
        System.out.println("tty1: " + new String(row(screen, font, 0).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                + " / " + row(screen, font, 1));
    }
}

package org.alosj.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.alosj.hal.input.HostInput;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.input.Keymaps;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Keys and pointer motion from the host, end to end in a real Felix with the real bundles: the
 * HostInput service of the i8042 model, the controller on ports 0x60/0x64 and IRQs 1 and 12,
 * the i8042 driver's InputDevices, the keymaps and the kbhit and loadkeys commands.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Ps2InputIT {
    static final long WAIT = 10_000;
    static final int KEY_H = 35;
    static final int KEY_I = 23;
    static final int KEY_Q = 16;
    static final int KEY_LEFTSHIFT = 42;

    @Inject
    BundleContext context;
    @Inject
    Keymaps keymaps;
    @Inject
    CommandProcessor shell;

    @Configuration
    public Option[] config() {
        return AlosOptions.framework("hw-i8042", "drivers-ps2");
    }

    @After
    public void usLayout() {
        keymaps.load("us");
    }

    private <T> T service(Class<T> type, String filter) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT;
        while (System.currentTimeMillis() < deadline) {
            Collection<ServiceReference<T>> refs = context.getServiceReferences(type, filter);
            if (!refs.isEmpty()) {
                return context.getService(refs.iterator().next());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type.getSimpleName() + " " + filter + " within " + WAIT + " ms");
    }

    private HostInput host() throws Exception {
        return service(HostInput.class, "(input.name=i8042)");
    }

    private InputDevice device(String kind) throws Exception {
        return service(InputDevice.class, "(" + InputDevice.KIND + "=" + kind + ")");
    }

    private static void type(HostInput host, int... codes) {
        for (int c : codes) {
            host.key(c, true);
            host.key(c, false);
        }
    }

    private static List<InputDevice.Event> take(LinkedBlockingQueue<InputDevice.Event> q, int n) throws Exception {
        List<InputDevice.Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            InputDevice.Event e = q.poll(WAIT, TimeUnit.MILLISECONDS);
            assertNotNull("event " + (i + 1) + " of " + n + " after " + out, e);
            out.add(e);
        }
        return out;
    }

    @Test
    public void keys_injected_at_the_host_reach_the_keyboard_input_device() throws Exception {
        InputDevice keyboard = device(InputDevice.KIND_KEYBOARD);
        assertEquals("AT Translated Set 2 keyboard", keyboard.name());
        ServiceReference<?> ref = context.getServiceReferences(InputDevice.class,
                "(" + InputDevice.KIND + "=keyboard)").iterator().next();
        assertEquals("isa0060/serio0", ref.getProperty(DeviceProperties.SLOT));
        LinkedBlockingQueue<InputDevice.Event> events = new LinkedBlockingQueue<>();
        keyboard.setListener((d, e) -> {
            if (e.type() == InputDevice.EV_KEY) {
                events.add(e);
            }
        });
        try {
            HostInput host = host();
            type(host, KEY_H, KEY_I);
            List<InputDevice.Event> got = take(events, 4);
            assertEquals(KEY_H, got.get(0).code());
            assertEquals(1, got.get(0).value());
            assertEquals(KEY_H, got.get(1).code());
            assertEquals(0, got.get(1).value());
            assertEquals(KEY_I, got.get(2).code());
            assertEquals(KEY_I, got.get(3).code());
        } finally {
            keyboard.setListener(null);
        }
    }

    @Test
    public void pointer_motion_reaches_the_mouse_input_device() throws Exception {
        InputDevice mouse = device(InputDevice.KIND_MOUSE);
        LinkedBlockingQueue<InputDevice.Event> events = new LinkedBlockingQueue<>();
        mouse.setListener((d, e) -> events.add(e));
        try {
            host().pointer(40, 25, 0, HostInput.BUTTON_RIGHT);
            List<InputDevice.Event> got = take(events, 4);
            assertEquals(InputDevice.BTN_RIGHT, got.get(0).code());
            assertEquals(1, got.get(0).value());
            assertEquals(InputDevice.REL_X, got.get(1).code());
            assertEquals(40, got.get(1).value());
            assertEquals(InputDevice.REL_Y, got.get(2).code());
            assertEquals(25, got.get(2).value());
            assertEquals(InputDevice.EV_SYN, got.get(3).type());
        } finally {
            mouse.setListener(null);
        }
    }

    @Test
    public void the_driver_can_be_stopped_and_started_again_and_keys_still_arrive() throws Exception {
        org.osgi.framework.Bundle driver = java.util.Arrays.stream(context.getBundles())
                .filter(b -> "org.alosj.drivers.ps2".equals(b.getSymbolicName())).findFirst().get();
        device(InputDevice.KIND_KEYBOARD);
        driver.stop();
        assertTrue("no keyboard while the driver is stopped", context.getServiceReferences(InputDevice.class,
                "(" + InputDevice.KIND + "=keyboard)").isEmpty());
        driver.start();
        InputDevice keyboard = device(InputDevice.KIND_KEYBOARD);
        LinkedBlockingQueue<InputDevice.Event> events = new LinkedBlockingQueue<>();
        keyboard.setListener((d, e) -> {
            if (e.type() == InputDevice.EV_KEY) {
                events.add(e);
            }
        });
        try {
            type(host(), KEY_I);
            List<InputDevice.Event> got = take(events, 2);
            assertEquals(KEY_I, got.get(0).code());
        } finally {
            keyboard.setListener(null);
        }
    }

    /** Runs {@code command} in a shell session on its own thread; returns what it printed. */
    private String runWhileTyping(String command, Runnable typing) throws Exception {
        InputDevice keyboard = device(InputDevice.KIND_KEYBOARD);
        keyboard.setListener(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try (CommandSession session = shell.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
                session.execute(command);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "kbhit-session");
        t.start();
        long deadline = System.currentTimeMillis() + WAIT;
        while (keyboard.listener() == null && t.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertNotNull("kbhit took the keyboard", keyboard.listener());
        typing.run();
        t.join(WAIT);
        assertTrue("kbhit ended: " + out.toString(StandardCharsets.UTF_8), !t.isAlive());
        if (failure[0] != null) {
            throw new AssertionError("kbhit failed: " + failure[0].getMessage(), failure[0]);
        }
        assertEquals("kbhit gives the keyboard back", null, keyboard.listener());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void kbhit_shows_each_key_and_what_it_types_until_q() throws Exception {
        HostInput host = host();
        String out = runWhileTyping("kbhit", () -> {
            host.key(KEY_LEFTSHIFT, true);
            type(host, KEY_H);
            host.key(KEY_LEFTSHIFT, false);
            type(host, KEY_I, KEY_Q);
        });
        assertTrue(out, out.contains("kbhit: AT Translated Set 2 keyboard, keymap us"));
        assertTrue(out, out.contains("key  42 KEY_LEFTSHIFT    press"));
        assertTrue(out, out.contains("key  35 KEY_H            press   \"H\""));
        assertTrue(out, out.contains("key  23 KEY_I            press   \"i\""));
        assertTrue(out, out.contains("key  16 KEY_Q            press   \"q\""));
    }

    @Test
    public void loadkeys_fr_makes_the_same_keys_type_azerty() throws Exception {
        HostInput host = host();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(sink, true, StandardCharsets.UTF_8);
        try (CommandSession session = shell.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            session.execute("loadkeys fr");
        }
        assertEquals("fr", keymaps.current());
        // On AZERTY the key Linux calls KEY_Q types a, KEY_A types q (which ends kbhit).
        String out = runWhileTyping("kbhit -n 10", () -> type(host, KEY_Q, 3, 30));
        assertTrue(out, out.contains("KEY_Q            press   \"a\""));
        assertTrue(out, out.contains("KEY_2            press   \"é\""));
        assertTrue(out, out.contains("KEY_A            press   \"q\""));
    }
}

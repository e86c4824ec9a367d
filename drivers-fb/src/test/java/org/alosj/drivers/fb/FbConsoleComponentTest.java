package org.alosj.drivers.fb;

import org.alosj.drivers.fb.console.BitmapFont;
import org.alosj.drivers.fb.console.FbConsole;
import org.alosj.drivers.fb.console.TestKeymap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.alosj.drivers.fb.RealDisplayRig;
import org.alosj.kernel.device.ConsoleDevice;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.fb.FramebufferDevice;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;

/** fbcon's component: a console per frame buffer, keys from every keyboard through the keymap. */
class FbConsoleComponentTest {
    /** A keyboard as the InputDevice contract has it: evdev events to one listener. */
    static final class Keyboard implements InputDevice {
        volatile Listener listener;

        @Override
        public String name() {
            return "kbd0";
        }

        @Override
        public void setListener(Listener listener) {
            this.listener = listener;
        }

        void type(String text) {
            for (char c : text.toCharArray()) {
                boolean upper = Character.isUpperCase(c);
                int code = TestKeymap.code(Character.toLowerCase(c));
                if (upper) {
                    press(TestKeymap.KEY_LEFTSHIFT, 1);
                }
                press(code, 1);
                press(code, 0);
                if (upper) {
                    press(TestKeymap.KEY_LEFTSHIFT, 0);
                }
            }
        }

        void press(int code, int value) {
            listener.event(this, new Event(org.alosj.kernel.device.InputDevice.EV_KEY, code, value, System.nanoTime()));
        }
    }

    @Test
    void aConsoleOnTheFramebufferTypedIntoThroughTheKeymap() {
        try (RealDisplayRig rig = new RealDisplayRig(false)) {
            FramebufferDevice fb = rig.bind(800, 600, 32);
            FbConsoleComponent fbcon = new FbConsoleComponent(rig.context);
            fbcon.addFramebuffer(fb, Map.of("device.slot", "00:02.0"));
            ServiceReference<ConsoleDevice> ref = rig.context.getServiceReference(ConsoleDevice.class);
            assertNotNull(ref);
            assertEquals(100, ref.getProperty(FbConsoleComponent.COLUMNS));
            assertEquals(37, ref.getProperty(FbConsoleComponent.ROWS));
            ConsoleDevice tty = rig.context.getService(ref);
            assertEquals("tty1", tty.name());
            ByteArrayOutputStream typed = new ByteArrayOutputStream();
            tty.setInputListener((data, offset, length) -> typed.write(data, offset, length));

            Keyboard keyboard = new Keyboard();
            fbcon.addInput(keyboard);
            keyboard.type("ls");
            assertEquals("", typed.toString(StandardCharsets.UTF_8), "no keymap yet: keys are dropped");
            fbcon.setKeymaps(new TestKeymap());
            keyboard.type("echo Hi\r");
            keyboard.press(0x110, 1); // BTN_LEFT: a mouse button, not a key
            assertEquals("echo Hi\r", typed.toString(StandardCharsets.UTF_8));

            FramebufferDevice.Lease gui = fb.claim("gui", new FramebufferDevice.Client() {
                @Override
                public void granted(FramebufferDevice.Lease lease) {
                }

                @Override
                public void revoked(FramebufferDevice.Lease lease) {
                }
            });
            keyboard.type("x");
            assertEquals("echo Hi\r", typed.toString(StandardCharsets.UTF_8), "keys go to whoever has the screen");
            gui.close();
            keyboard.type("y");
            assertEquals("echo Hi\ry", typed.toString(StandardCharsets.UTF_8));

            fbcon.removeInput(keyboard);
            assertNull(keyboard.listener);
            fbcon.deactivate();
            assertNull(rig.context.getServiceReference(ConsoleDevice.class));
            assertNull(fb.owner(), "the console gave the screen back");
        }
    }
}

package org.alosj.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** -vnc and -display as QEMU spells them, turned into the VNC server's and the window's configuration. */
class DisplayFlagsTest {
    private static Map<String, String> entry(String pid, String... args) throws UsageException {
        MachineConfig config = new MachineConfig();
        CommandLine.parse(args).applyTo(config);
        return config.entries().stream().filter(e -> pid.equals(e.pid())).findFirst()
                .map(ConfigEntry::properties).orElse(null);
    }

    @Test
    void vnc_display_n_listens_on_port_5900_plus_n_on_loopback_unless_a_host_is_named() throws UsageException {
        assertEquals("5901", entry(CommandLine.VNC_PID, "-vnc", ":1").get("port"));
        assertEquals("127.0.0.1", entry(CommandLine.VNC_PID, "-vnc", ":1").get("host"));
        assertEquals("0.0.0.0", entry(CommandLine.VNC_PID, "-vnc", "0.0.0.0:0").get("host"));
        assertEquals("5900", entry(CommandLine.VNC_PID, "-vnc", "0.0.0.0:0").get("port"));
        assertEquals(null, entry(CommandLine.VNC_PID, "-vnc", ":1", "-vnc", "none"));
        assertEquals(null, entry(CommandLine.VNC_PID));
    }

    @Test
    void malformed_vnc_and_display_values_are_refused_in_one_line() {
        assertTrue(assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"-vnc", "5901"}))
                .getMessage().startsWith("-vnc: bad value '5901'"));
        assertTrue(assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"-vnc", ":70000"}))
                .getMessage().startsWith("-vnc: bad value"));
        assertEquals("-display: unknown display 'cocoa' (expected window, gtk, sdl or none)",
                assertThrows(UsageException.class, () -> CommandLine.parse(new String[] {"-display", "cocoa"}))
                        .getMessage());
    }

    @Test
    void display_window_gtk_and_sdl_open_the_window_and_none_stays_headless() throws UsageException {
        for (String d : new String[] {"window", "gtk", "sdl"}) {
            assertEquals("ALOS/J (pc)", entry(CommandLine.WINDOW_PID, "-display", d).get("title"));
        }
        assertEquals(null, entry(CommandLine.WINDOW_PID, "-display", "none"));
        assertEquals(null, entry(CommandLine.WINDOW_PID));
    }
}

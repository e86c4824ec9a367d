package org.alosj.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The passt, udp and fault netdev flags: what reaches Configuration Admin, and one-line refusals. */
class NetdevFlagsTest {
    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> CommandLine.parse(args)).getMessage();
    }

    private static Map<String, String> netdev(String spec) throws UsageException {
        return CommandLine.parse(new String[] {"-netdev", spec}).netdevs.get(0).properties();
    }

    @Test
    void passt_takes_repeated_qemu_style_host_forwards() throws Exception {
        CommandLine cl = CommandLine.parse(new String[] {"-netdev",
            "passt,id=n0,hostfwd=tcp::8080-:80,hostfwd=udp:127.0.0.1:5353-:53,mtu=1500,dns-forward=192.0.2.1"});
        ConfigEntry e = cl.netdevs.get(0);
        assertEquals("org.alosj.netdev.passt", e.factoryPid());
        assertEquals("tcp::8080-:80 udp:127.0.0.1:5353-:53", e.properties().get("hostfwd"));
        assertEquals("192.0.2.1", e.properties().get("dns.forward"));
        assertEquals("n0", e.properties().get("id"));
    }

    @Test
    void a_passt_socket_path_is_made_absolute() throws Exception {
        Map<String, String> p = netdev("passt,id=n0,socket=run/passt.sock");
        assertTrue(Path.of(p.get("socket")).isAbsolute(), p.toString());
        assertTrue(p.get("socket").endsWith("run/passt.sock"));
    }

    @Test
    void bad_passt_options_name_the_value() {
        assertTrue(error("-netdev", "passt,id=n0,hostfwd=tcp::80").contains("bad hostfwd 'tcp::80'"));
        assertTrue(error("-netdev", "passt,id=n0,hostfwd=tcp::8080-10.0.2.15:80")
                .contains("leave the guest address out"));
        assertTrue(error("-netdev", "passt,id=n0,hostfwd=tcp::99999-:80").contains("host port '99999'"));
        assertTrue(error("-netdev", "passt,id=n0,socket=/tmp/p.sock,hostfwd=tcp::8080-:80")
                .contains("hostfwd works only when ALOS/J starts passt"));
        assertTrue(error("-netdev", "passt,id=n0,mtu=9").contains("bad mtu '9'"));
        assertTrue(error("-netdev", "passt,id=n0,trace=1").contains("unknown option 'trace'"));
    }

    @Test
    void udp_needs_two_numeric_addresses() throws Exception {
        Map<String, String> p = netdev("udp,id=u0,local=127.0.0.1:5555,remote=127.0.0.1:5556");
        assertEquals("127.0.0.1:5555", p.get("local"));
        assertEquals("127.0.0.1:5556", p.get("remote"));
        netdev("udp,id=u0,local=:5555,remote=[::1]:5556");
        assertEquals("-netdev udp: needs remote=HOST:PORT, like remote=127.0.0.1:5556",
                error("-netdev", "udp,id=u0,local=:5555"));
        assertEquals("-netdev udp: bad remote 'example.test:5': 'example.test' is not an IP address"
                + " (numeric IPv4, or IPv6 in brackets)", error("-netdev", "udp,id=u0,local=:1,remote=example.test:5"));
        assertTrue(error("-netdev", "udp,id=u0,local=:0,remote=127.0.0.1:5").contains("port '0'"));
        assertTrue(error("-netdev", "udp,id=u0,local=:1,remote=300.0.0.1:5").contains("'300.0.0.1'"));
        assertTrue(error("-netdev", "udp,id=u0,local=:1,remote=:5").contains("needs a host address"));
        assertTrue(error("-netdev", "udp,id=u0,local=:1,remote=0.0.0.0:5").contains("unicast"));
        assertTrue(error("-netdev", "udp,id=u0,local=:1,remote=239.1.1.1:5").contains("unicast"));
    }

    @Test
    void fault_wraps_an_existing_netdev_at_valid_rates() throws Exception {
        CommandLine cl = CommandLine.parse(new String[] {"-netdev", "hub,id=n0", "-netdev",
            "fault,id=f0,netdev=n0,drop=0.05,dup=0.01,reorder=0.02,delay=2ms,seed=42", "-device", "pcnet,netdev=f0"});
        ConfigEntry f = cl.netdevs.stream().filter(e -> "f0".equals(e.name())).findFirst().orElseThrow();
        assertEquals("org.alosj.netdev.fault", f.factoryPid());
        assertEquals("(netdev.id=n0)", f.properties().get("inner.target"));
        assertEquals("0.05", f.properties().get("drop"));
        assertEquals("2ms", f.properties().get("delay"));
        assertEquals("-netdev fault: needs netdev=ID, the netdev to wrap", error("-netdev", "fault,id=f0"));
        assertTrue(error("-netdev", "hub,id=n0", "-netdev", "fault,id=f0,netdev=n0,drop=2")
                .contains("bad drop '2': expected a rate from 0 to 1"));
        assertTrue(error("-netdev", "hub,id=n0", "-netdev", "fault,id=f0,netdev=n0,reorder=0.7")
                .contains("bad reorder '0.7'"));
        assertTrue(error("-netdev", "hub,id=n0", "-netdev", "fault,id=f0,netdev=n0,delay=fast")
                .contains("bad delay 'fast'"));
        assertTrue(error("-netdev", "hub,id=n0", "-netdev", "fault,id=f0,netdev=n0,seed=x").contains("bad seed 'x'"));
        assertEquals("-netdev f0: no -netdev with id=n9", error("-netdev", "fault,id=f0,netdev=n9"));
        assertTrue(error("-netdev", "fault,id=f0,netdev=f1", "-netdev", "fault,id=f1,netdev=f0")
                .contains("loop: f0 -> f1 -> f0"));
    }

    @Test
    void main_exits_2_with_one_line_for_a_bad_netdev() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"-netdev", "udp,id=u0,local=:5555,remote=nowhere"},
                new PrintStream(out), new PrintStream(err));
        assertEquals(2, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("alos: -netdev udp: bad remote 'nowhere'"), text);
    }

    @Test
    void conf_files_are_checked_like_flags(@TempDir Path conf) throws Exception {
        Files.writeString(conf.resolve("org.alosj.netdev.udp-u0.cfg"), "local=:5555\nremote=localhost:1\n");
        UsageException e = assertThrows(UsageException.class, () -> MachineConfig.fromDirectory(conf, Map.of()));
        assertTrue(e.getMessage().startsWith("org.alosj.netdev.udp-u0.cfg: bad remote 'localhost:1'"), e.getMessage());
    }

    @Test
    void the_distribution_defaults_to_passt_on_lan0() throws Exception {
        Path conf = Path.of("src/main/dist/conf");
        MachineConfig config = MachineConfig.fromDirectory(conf, Map.of("alos.run", "/r", "alos.home", "/h"));
        ConfigEntry lan0 = config.entries().stream().filter(e -> "lan0".equals(e.name())).findFirst().orElseThrow();
        assertEquals("org.alosj.netdev.passt", lan0.factoryPid());
        assertTrue(CommandLine.USAGE.contains("-netdev passt"));
        assertTrue(CommandLine.USAGE.contains("-netdev udp"));
        assertTrue(CommandLine.USAGE.contains("-netdev fault"));
    }
}

package org.alosj.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of the passt, udp and fault netdevs' options, shared by the flags and the .cfg files,
 * so a bad value is one line and exit status 2 before anything boots. The backends check again
 * (a configuration may come from elsewhere); the messages agree.
 */
final class NetdevOptions {
    static final String PASST_FACTORY = "org.alosj.netdev.passt";
    static final String UDP_FACTORY = "org.alosj.netdev.udp";
    static final String FAULT_FACTORY = "org.alosj.netdev.fault";

    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern HOSTFWD = Pattern.compile("(?:(tcp|udp):)?([^:]*):([^-:]*)-([^:]*):(.*)");
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern DELAY = Pattern.compile("(\\d+(\\.\\d+)?)(ns|us|ms|s)?");

    private NetdevOptions() {
    }

    /** Turns flag options into configuration properties (paths absolute, names as the components read them). */
    static Map<String, String> fromFlags(String type, Map<String, String> o) {
        Map<String, String> p = new LinkedHashMap<>(o);
        if (type.equals("passt")) {
            if (p.containsKey("socket")) {
                p.put("socket", Path.of(p.get("socket")).toAbsolutePath().toString());
            }
            String dns = p.remove("dns-forward");
            if (dns != null) {
                p.put("dns.forward", dns);
            }
        }
        return p;
    }

    /** Checks a netdev's properties; {@code origin} starts the message. */
    static void check(String factory, Map<String, String> p, String origin) throws UsageException {
        switch (factory) {
            case PASST_FACTORY -> checkPasst(p, origin);
            case UDP_FACTORY -> {
                address(p.get("local"), false, origin, "local");
                address(p.get("remote"), true, origin, "remote");
            }
            case FAULT_FACTORY -> checkFault(p, origin);
            default -> {
                // hub and pcap are checked by MachineConfig
            }
        }
    }

    private static void checkPasst(Map<String, String> p, String origin) throws UsageException {
        List<String> forwards = hostForwards(p.get("hostfwd"));
        for (String f : forwards) {
            hostForward(f, origin);
        }
        String socket = p.get("socket");
        if (socket != null && socket.isBlank()) {
            throw new UsageException(origin + ": socket= needs the path of a passt socket");
        }
        if (socket != null && !forwards.isEmpty()) {
            throw new UsageException(origin + ": hostfwd works only when ALOS/J starts passt; the passt at "
                    + socket + " takes its own -t/-u options");
        }
        String mtu = p.get("mtu");
        if (mtu != null) {
            int m = -1;
            try {
                m = Integer.parseInt(mtu);
            } catch (NumberFormatException e) {
                // reported below
            }
            if (m != 0 && (m < 576 || m > 65520)) {
                throw new UsageException(origin + ": bad mtu '" + mtu + "': expected 576-65520, or 0 for passt's own");
            }
        }
        String netns = p.get("netns");
        if (netns != null && !NETNS.matcher(netns).matches()) {
            throw new UsageException(origin + ": bad netns '" + netns + "': a network namespace name");
        }
        String dns = p.get("dns.forward");
        if (dns != null && !IPV4.matcher(dns).matches()) {
            throw new UsageException(origin + ": bad dns-forward '" + dns + "': expected an IPv4 address");
        }
    }

    static List<String> hostForwards(String value) {
        List<String> list = new ArrayList<>();
        if (value != null) {
            for (String s : value.split("[\\s;]+")) {
                if (!s.isEmpty()) {
                    list.add(s);
                }
            }
        }
        return list;
    }

    /** QEMU's {@code [tcp|udp]:[HOSTADDR]:HOSTPORT-:GUESTPORT}. */
    static void hostForward(String spec, String origin) throws UsageException {
        Matcher m = HOSTFWD.matcher(spec);
        String expected = ": expected [tcp|udp]:[HOSTADDR]:HOSTPORT-:GUESTPORT, like tcp::8080-:80";
        if (!m.matches()) {
            throw new UsageException(origin + ": bad hostfwd '" + spec + "'" + expected);
        }
        if (!m.group(2).isEmpty() && !IPV4.matcher(m.group(2)).matches()) {
            throw new UsageException(origin + ": bad hostfwd '" + spec + "': host address '" + m.group(2)
                    + "' is not an IPv4 address");
        }
        if (!m.group(4).isEmpty()) {
            throw new UsageException(origin + ": bad hostfwd '" + spec
                    + "': passt forwards to the guest's own address; leave the guest address out (tcp::8080-:80)");
        }
        port(m.group(3), origin, "hostfwd '" + spec + "': host port");
        port(m.group(5), origin, "hostfwd '" + spec + "': guest port");
    }

    private static int port(String text, String origin, String what) throws UsageException {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(origin + ": bad " + what + " '" + text + "': expected a port 1-65535");
    }

    /** {@code HOST:PORT}: an IPv4 literal or {@code [IPv6]}; the local host may be empty (any address). */
    static void address(String text, boolean remote, String origin, String key) throws UsageException {
        String example = remote ? "127.0.0.1:5556" : "127.0.0.1:5555";
        if (text == null || text.isBlank()) {
            throw new UsageException(origin + ": needs " + key + "=HOST:PORT, like " + key + "=" + example);
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new UsageException(origin + ": bad " + key + " '" + text + "': expected HOST:PORT, like " + example);
        }
        String host = text.substring(0, colon);
        port(text.substring(colon + 1), origin, key + " '" + text + "': port");
        boolean v6 = host.startsWith("[") && host.endsWith("]") && host.length() > 2
                && host.substring(1, host.length() - 1).matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
        if (host.isEmpty() && !remote || v6 || IPV4.matcher(host).matches()) {
            if (remote && (host.equals("0.0.0.0") || host.equals("[::]") || isMulticast(host))) {
                throw new UsageException(origin + ": bad remote '" + text + "': expected the peer's unicast address");
            }
            return;
        }
        throw new UsageException(origin + ": bad " + key + " '" + text + "': "
                + (host.isEmpty() ? "the remote needs a host address" : "'" + host
                        + "' is not an IP address (numeric IPv4, or IPv6 in brackets)"));
    }

    private static boolean isMulticast(String host) {
        if (IPV4.matcher(host).matches()) {
            int first = Integer.parseInt(host.substring(0, host.indexOf('.')));
            return first >= 224 && first <= 239;
        }
        return host.toLowerCase().startsWith("[ff");
    }

    private static void checkFault(Map<String, String> p, String origin) throws UsageException {
        if (p.get("netdev") == null) {
            throw new UsageException(origin + ": needs netdev=ID, the netdev to wrap");
        }
        rate(p, "drop", 1, origin);
        rate(p, "dup", 1, origin);
        rate(p, "reorder", 0.5, origin);
        String delay = p.get("delay");
        if (delay != null) {
            Matcher m = DELAY.matcher(delay.trim().toLowerCase());
            if (!m.matches()) {
                throw new UsageException(origin + ": bad delay '" + delay + "': expected a time like 2ms, 500us or 1s");
            }
            String unit = m.group(3) == null ? "ms" : m.group(3);
            double seconds = Double.parseDouble(m.group(1)) * switch (unit) {
                case "ns" -> 1e-9;
                case "us" -> 1e-6;
                case "ms" -> 1e-3;
                default -> 1;
            };
            if (seconds > 10) {
                throw new UsageException(origin + ": delay '" + delay + "' is out of range: at most 10s");
            }
        }
        String seed = p.get("seed");
        if (seed != null) {
            try {
                Long.parseLong(seed.trim());
            } catch (NumberFormatException e) {
                throw new UsageException(origin + ": bad seed '" + seed + "': expected an integer");
            }
        }
    }

    private static void rate(Map<String, String> p, String key, double max, String origin) throws UsageException {
        String v = p.get(key);
        if (v == null) {
            return;
        }
        double r;
        try {
            r = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            r = Double.NaN;
        }
        if (!(r >= 0 && r <= max)) {
            throw new UsageException(origin + ": bad " + key + " '" + v + "': expected a rate from 0 to " + (max == 1 ? "1" : Double.toString(max))
                    + (key.equals("reorder") ? " (a frame is overtaken only by the next one)" : ""));
        }
    }
}

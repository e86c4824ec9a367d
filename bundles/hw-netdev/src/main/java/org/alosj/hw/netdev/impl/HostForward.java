package org.alosj.hw.netdev.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host port forward in QEMU's {@code hostfwd} spelling, {@code [tcp|udp]:[HOSTADDR]:HOSTPORT-:GUESTPORT}
 * ({@code tcp::8080-:80}), turned into passt's {@code -t}/{@code -u} argument
 * ({@code [HOSTADDR/]HOSTPORT:GUESTPORT}). passt forwards to the guest's one address, so the
 * guest address must be left out. With no host address the forward listens on 127.0.0.1 only:
 * the guest is not offered to every network the host is on unless the user names an address
 * ({@code tcp:0.0.0.0:8080-:80} for all of them).
 */
record HostForward(String protocol, String hostAddress, int hostPort, int guestPort) {
    static final String LOOPBACK = "127.0.0.1";
    private static final Pattern SPEC = Pattern.compile("(?:(tcp|udp):)?([^:]*):([^-:]*)-([^:]*):(.*)");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** Parses one forward; throws with the spec and what was expected. */
    static HostForward parse(String spec) {
        Matcher m = SPEC.matcher(spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad hostfwd '" + spec
                    + "': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-:GUESTPORT, like tcp::8080-:80");
        }
        String protocol = m.group(1) == null ? "tcp" : m.group(1);
        String host = m.group(2);
        if (!host.isEmpty() && !isIpv4(host)) {
            throw new IllegalArgumentException("bad hostfwd '" + spec + "': host address '" + host
                    + "' is not an IPv4 address like 127.0.0.1");
        }
        if (!m.group(4).isEmpty()) {
            throw new IllegalArgumentException("bad hostfwd '" + spec + "': passt forwards to the guest's own address;"
                    + " leave the guest address out (tcp::8080-:80)");
        }
        return new HostForward(protocol, host, port(m.group(3), spec, "host"), port(m.group(5), spec, "guest"));
    }

    /** A dotted-quad IPv4 literal, each part 0-255. */
    static boolean isIpv4(String text) {
        return IPV4.matcher(text).matches();
    }

    /** Parses a space- or semicolon-separated list; empty gives none. */
    static List<HostForward> parseList(String specs) {
        List<HostForward> list = new ArrayList<>();
        if (specs == null) {
            return list;
        }
        for (String s : specs.split("[\\s;]+")) {
            if (!s.isEmpty()) {
                list.add(parse(s));
            }
        }
        return list;
    }

    private static int port(String text, String spec, String which) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad hostfwd '" + spec + "': " + which + " port '" + text
                + "' is not a port number 1-65535");
    }

    /** passt's option and its argument. */
    List<String> passtArguments() {
        return List.of(protocol.equals("tcp") ? "-t" : "-u",
                (hostAddress.isEmpty() ? LOOPBACK : hostAddress) + "/" + hostPort + ":" + guestPort);
    }

    @Override
    public String toString() {
        return protocol + ":" + hostAddress + ":" + hostPort + "-:" + guestPort;
    }
}

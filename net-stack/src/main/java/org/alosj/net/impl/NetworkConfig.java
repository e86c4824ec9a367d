package org.alosj.net.impl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alosj.net.Ipv4Address;

/**
 * The network configuration, from Configuration Admin (PID {@code org.alosj.net}) or from
 * {@code /config/network.conf} (the same keys, one {@code key=value} a line, # comments):
 * <pre>
 * eth0.mode=dhcp            # dhcp, static or off
 * eth0.address=10.0.2.15/24 # static
 * eth0.gateway=10.0.2.2     # static: the default route
 * eth0.mtu=1500
 * dns=10.0.2.3,10.0.2.4
 * </pre>
 * Keys without an interface are eth0's, as the disk's network.conf writes them:
 * {@code mode=dhcp|static}, {@code ip=}, {@code netmask=}, {@code gateway=}, {@code mtu=}.
 */
public record NetworkConfig(Map<String, Iface> interfaces, List<Ipv4Address> dns) {
    /** What one interface should be. */
    public record Iface(String mode, Ipv4Address address, int prefixLength, Ipv4Address gateway, int mtu) {
    }

    public static NetworkConfig empty() {
        return new NetworkConfig(Map.of(), List.of());
    }

    /** The prefix length of a dotted netmask (24 when none is given). */
    static int prefixOf(Object netmask) {
        if (netmask == null) {
            return 24;
        }
        int m = Ipv4Address.parse(String.valueOf(netmask)).bits();
        int prefix = Integer.bitCount(m);
        if (m != Ipv4Address.mask(prefix)) {
            throw new IllegalArgumentException("netmask=" + netmask + " is not a contiguous mask");
        }
        return prefix;
    }

    /** Parses the text of a network.conf; errors name the line. */
    public static NetworkConfig parseText(String text) {
        Map<String, Object> props = new LinkedHashMap<>();
        int n = 0;
        for (String raw : text.split("\n")) {
            n++;
            String line = raw.replaceAll("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("network.conf line " + n + ": expected key=value, got '" + raw + "'");
            }
            props.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return of(props);
    }

    /** Builds the configuration from properties (Configuration Admin's, or parsed text). */
    public static NetworkConfig of(Map<String, ?> props) {
        Map<String, Iface> ifaces = new LinkedHashMap<>();
        List<Ipv4Address> dns = new ArrayList<>();
        Map<String, Map<String, String>> byIface = new LinkedHashMap<>();
        Map<String, Object> keyed = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : props.entrySet()) {
            switch (e.getKey()) {
                case "mode", "gateway", "mtu" -> keyed.put("eth0." + e.getKey(), e.getValue());
                case "ip" -> keyed.put("eth0.address", e.getValue() + "/" + prefixOf(props.get("netmask")));
                case "netmask" -> {
                    // folded into ip
                }
                default -> keyed.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, ?> e : keyed.entrySet()) {
            String key = e.getKey();
            String value = String.valueOf(e.getValue()).trim();
            if (key.equals("dns")) {
                for (String d : value.split("[,\\s]+")) {
                    if (!d.isEmpty()) {
                        dns.add(Ipv4Address.parse(d));
                    }
                }
                continue;
            }
            int dot = key.indexOf('.');
            if (dot > 0 && key.matches("(eth\\d+)\\.(mode|address|gateway|mtu)")) {
                byIface.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>()).put(key.substring(dot + 1), value);
            }
        }
        for (Map.Entry<String, Map<String, String>> e : byIface.entrySet()) {
            Map<String, String> m = e.getValue();
            String mode = m.getOrDefault("mode", m.containsKey("address") ? "static" : "dhcp");
            if (!mode.equals("dhcp") && !mode.equals("static") && !mode.equals("off")) {
                throw new IllegalArgumentException(e.getKey() + ".mode=" + mode + " (expected dhcp, static or off)");
            }
            Ipv4Address address = null;
            int prefix = 24;
            if (m.containsKey("address")) {
                String[] a = m.get("address").split("/");
                address = Ipv4Address.parse(a[0]);
                prefix = a.length > 1 ? Integer.parseInt(a[1]) : 24;
                Ipv4Address.mask(prefix);
            } else if (mode.equals("static")) {
                throw new IllegalArgumentException(e.getKey() + ".mode=static needs " + e.getKey() + ".address=A.B.C.D/N");
            }
            Ipv4Address gw = m.containsKey("gateway") ? Ipv4Address.parse(m.get("gateway")) : null;
            int mtu = m.containsKey("mtu") ? Integer.parseInt(m.get("mtu")) : 0;
            ifaces.put(e.getKey(), new Iface(mode, address, prefix, gw, mtu));
        }
        return new NetworkConfig(Map.copyOf(ifaces), List.copyOf(dns));
    }
}

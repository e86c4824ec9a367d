package org.alosj.shell.pci;

import java.util.List;

/**
 * lspci's command line: {@code -n}/{@code -nn} (numbers, numbers and names), {@code -v},
 * {@code -k}, {@code -x}/{@code -xxx}, {@code -s [[bus]:][slot][.[func]]},
 * {@code -d [vendor]:[device][:class[:prog-if]]} and {@code -i FILE}. Flags may be bundled
 * ({@code -vxnn}) and option values attached ({@code -s02.0}), as getopt allows.
 */
public record LspciOptions(int numeric, int verbose, boolean kernel, int hex, SlotFilter slot, IdFilter ids,
                           String idsFile) {
    public static final String USAGE =
            "usage: lspci [-n|-nn] [-v] [-k] [-x|-xxx] [-s [[bus]:][slot][.[func]]] [-d [vendor]:[device][:class]] [-i FILE]";

    public static LspciOptions defaults() {
        return new LspciOptions(0, 0, false, 0, SlotFilter.ANY, IdFilter.ANY, null);
    }

    /** @throws IllegalArgumentException with a one-line message for anything lspci would reject */
    public static LspciOptions parse(List<String> args) {
        int numeric = 0;
        int verbose = 0;
        boolean kernel = false;
        int hex = 0;
        SlotFilter slot = SlotFilter.ANY;
        IdFilter ids = IdFilter.ANY;
        String idsFile = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.length() < 2) {
                throw new IllegalArgumentException("lspci: unexpected argument '" + a + "'; " + USAGE);
            }
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                switch (c) {
                    case 'n' -> numeric++;
                    case 'v' -> verbose++;
                    case 'k' -> kernel = true;
                    case 'x' -> hex++;
                    case 's', 'd', 'i' -> {
                        String value;
                        if (j + 1 < a.length()) {
                            value = a.substring(j + 1);
                        } else if (i + 1 < args.size()) {
                            value = args.get(++i);
                        } else {
                            throw new IllegalArgumentException("lspci: option requires an argument -- '" + c + "'");
                        }
                        switch (c) {
                            case 's' -> slot = SlotFilter.parse(value);
                            case 'd' -> ids = IdFilter.parse(value);
                            default -> idsFile = value;
                        }
                        j = a.length();
                    }
                    default -> throw new IllegalArgumentException("lspci: invalid option -- '" + c + "'; " + USAGE);
                }
            }
        }
        if (verbose > 1) {
            // -vv decodes every register and capability in depth; printing -v output under
            // that name would not be what lspci prints, so say so instead.
            throw new IllegalArgumentException("lspci: -vv is not supported; use -v");
        }
        if (hex > 3) {
            throw new IllegalArgumentException("lspci: -xxxx needs extended configuration space, which is not supported; use -xxx");
        }
        return new LspciOptions(numeric, verbose, kernel, hex, slot, ids, idsFile);
    }

    /** Whether {@code f} passes both filters. */
    public boolean selects(PciFunctionView f) {
        return slot.matches(f) && ids.matches(f);
    }

    /** {@code -s}: -1 is a wildcard. */
    public record SlotFilter(int bus, int device, int function) {
        public static final SlotFilter ANY = new SlotFilter(-1, -1, -1);

        public static SlotFilter parse(String text) {
            String left = text;
            int function = -1;
            int dot = text.indexOf('.');
            if (dot >= 0) {
                function = field(text.substring(dot + 1), 7, "function");
                left = text.substring(0, dot);
            }
            String[] parts = left.split(":", -1);
            if (parts.length > 3) {
                throw new IllegalArgumentException("lspci: -s: Invalid slot number");
            }
            int device = field(parts[parts.length - 1], 0x1f, "slot");
            int bus = parts.length >= 2 ? field(parts[parts.length - 2], 0xff, "bus") : -1;
            if (parts.length == 3) {
                int domain = field(parts[0], 0xffff, "domain");
                if (domain > 0) {
                    throw new IllegalArgumentException("lspci: -s: only domain 0000 exists");
                }
            }
            return new SlotFilter(bus, device, function);
        }

        private static int field(String s, int max, String what) {
            if (s.isEmpty() || s.equals("*")) {
                return -1;
            }
            try {
                int v = Integer.parseInt(s, 16);
                if (v >= 0 && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("lspci: -s: Invalid " + what + " number");
        }

        boolean matches(PciFunctionView f) {
            return (bus < 0 || bus == f.address().bus()) && (device < 0 || device == f.address().device())
                    && (function < 0 || function == f.address().function());
        }
    }

    /** {@code -d}: -1 is a wildcard; the class is base class and subclass ({@code 0200}). */
    public record IdFilter(int vendor, int device, int deviceClass, int progIf) {
        public static final IdFilter ANY = new IdFilter(-1, -1, -1, -1);

        public static IdFilter parse(String text) {
            String[] p = text.split(":", -1);
            if (p.length < 2 || p.length > 4) {
                throw new IllegalArgumentException("lspci: -d: expected [vendor]:[device][:class[:prog-if]], got '" + text + "'");
            }
            return new IdFilter(field(p[0], 0xffff, "vendor ID"), field(p[1], 0xffff, "device ID"),
                    p.length > 2 ? field(p[2], 0xffff, "class code") : -1,
                    p.length > 3 ? field(p[3], 0xff, "programming interface") : -1);
        }

        private static int field(String s, int max, String what) {
            if (s.isEmpty() || s.equals("*")) {
                return -1;
            }
            try {
                int v = Integer.parseInt(s, 16);
                if (v >= 0 && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("lspci: -d: Invalid " + what + " '" + s + "'");
        }

        boolean matches(PciFunctionView f) {
            return (vendor < 0 || vendor == f.vendorId()) && (device < 0 || device == f.deviceId())
                    && (deviceClass < 0 || deviceClass == f.deviceClass()) && (progIf < 0 || progIf == f.progIf());
        }
    }
}

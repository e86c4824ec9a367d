package org.alosj.gui.apps;

/** Human-readable sizes and rates (binary units, as free -h and ls -h print them). */
final class Units {
    private Units() {
    }

    static String bytes(double n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (n >= 1024 && u < units.length - 1) {
            n /= 1024;
            u++;
        }
        return u == 0 ? String.format(java.util.Locale.ROOT, "%.0f %s", n, units[u]) : String.format(java.util.Locale.ROOT, "%.1f %s", n, units[u]);
    }

    static String rate(double bytesPerSecond) {
        return bytes(bytesPerSecond) + "/s";
    }
}

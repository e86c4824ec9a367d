package org.alosj.testkit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real peers a test checks against (gcc, tshark, lspci, passt, root for namespaces). On a
 * developer's machine a missing peer skips the test; where {@code CI=true} (the environment
 * variable CI systems set, and {@code .ci/run} after it installed them) it fails the test, so a
 * broken install step cannot pass green.
 */
public final class RealPeers {
    private RealPeers() {
    }

    /** True when the environment says this is CI: a missing peer is then a failure. */
    public static boolean strict() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the calling test (or fails it on CI) unless {@code present}; {@code what} says what is missing. */
    public static void require(boolean present, String what) {
        require(present, what, strict());
    }

    static void require(boolean present, String what, boolean strict) {
        if (present) {
            return;
        }
        if (strict) {
            fail(what + " (CI=true: a missing peer is a failure, not a skip)");
        }
        assumeTrue(false, what);
    }

    /** {@link #require} for a program on the PATH. */
    public static void requireTool(String tool, String why) {
        require(onPath(tool), tool + " is not installed" + (why == null || why.isEmpty() ? "" : " (" + why + ")"));
    }

    /** Whether {@code tool} is an executable in a directory of the PATH (or the sbin directories). */
    public static boolean onPath(String tool) {
        return which(tool) != null;
    }

    /** The executable {@code tool} on the PATH (then /usr/sbin, /sbin), or null. */
    public static Path which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool);
            }
        }
        return null;
    }

    /** Whether this JVM runs as root (network namespaces need it; CI runs as root). */
    public static boolean root() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}

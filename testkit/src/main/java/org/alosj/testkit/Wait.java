package org.alosj.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting in a test for something another thread (a device model, a driver, a peer) makes true:
 * polled every millisecond, and a failure naming what did not come once the time is up. The
 * bound is a limit against hanging, never a measurement.
 */
public final class Wait {
    /** How long {@link #until(String, BooleanSupplier)} waits: far beyond any healthy case, even under load. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Wait() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }
}

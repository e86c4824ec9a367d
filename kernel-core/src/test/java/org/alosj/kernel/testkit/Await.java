package org.alosj.kernel.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for the interrupt thread or the board clock: conditions, never fixed sleeps. */
public final class Await {
    /** Generous: a loaded CI machine with two CPUs must still pass. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    public static void until(BooleanSupplier condition, Supplier<String> what) {
        until(condition, DEFAULT, what);
    }

    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what.get());
            }
            sleep(1);
        }
    }

    /** Lets the interrupt thread run for a while, to show that something does NOT happen. */
    public static void quietPeriod() {
        sleep(150);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

package org.alosj.net.impl;

import java.util.concurrent.TimeUnit;

/**
 * What a blocking socket call waits for (data, a connection, a reply), signalled under the stack's
 * lock by whoever changes it. Unlike a {@link java.util.concurrent.locks.Condition} of that lock,
 * the waiter lets the lock go through {@link Stack#exit()}, which first processes the frames other
 * threads queued while it was held; a signal those frames raise is seen through the generation
 * read before the lock was let go, so it cannot be lost.
 */
final class Signal {
    private long generation;

    synchronized void signalAll() {
        generation++;
        notifyAll();
    }

    synchronized long generation() {
        return generation;
    }

    /**
     * Waits until a signal comes after {@code seen} was read, or {@code nanos} pass
     * ({@code Long.MAX_VALUE}: no limit); returns the nanoseconds left (&le; 0 when the time ran out).
     */
    synchronized long awaitAfter(long seen, long nanos) throws InterruptedException {
        if (nanos == Long.MAX_VALUE) {
            while (generation == seen) {
                wait();
            }
            return Long.MAX_VALUE;
        }
        long deadline = System.nanoTime() + nanos;
        while (generation == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return left;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return deadline - System.nanoTime();
    }
}

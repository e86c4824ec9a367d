package org.alosj.kernel.impl.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.kernel.proc.SysError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The futex wait queues: the word checked under the queue's lock, and no wake-up lost. */
class FutexesTest {
    private static final long KEY = 0x1234_5000L;

    private final Futexes futexes = new Futexes();

    @Test
    void aChangedWordQueuesNobodyAndLeavesNoQueue() throws SysError {
        assertNull(futexes.enqueue(KEY, () -> false));
        assertEquals(0, futexes.keys());
        assertEquals(0, futexes.wake(KEY, 1));
    }

    @Test
    void aWakeWakesAtMostCountWaitersInQueueOrder() throws SysError {
        List<Futexes.Waiter> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(futexes.enqueue(KEY, () -> true));
        }
        assertEquals(2, futexes.wake(KEY, 2));
        assertEquals(List.of(true, true, false), waiters.stream().map(w -> w.woken).toList());
        assertEquals(0, futexes.wake(KEY + 4, 5), "another word's waiters");
        assertEquals(1, futexes.wake(KEY, 5), "a woken waiter that has not left yet is not woken again");
        waiters.forEach(w -> futexes.leave(KEY, w));
        assertEquals(0, futexes.keys());
        assertEquals(0, futexes.wake(KEY, 1));
    }

    /**
     * The race of a waiter with the last waiter leaving: the new one found the queue in the map,
     * and the queue is dropped before the new one gets its lock. Played out in that order here:
     * this thread holds the queue's lock while the new waiter, having found the queue, is blocked
     * on it, and lets the old waiter leave meanwhile.
     */
    @Test
    void aWaiterThatFoundAQueueAboutToBeDroppedQueuesWhereTheWakeLooks() throws Exception {
        Futexes.Waiter old = futexes.enqueue(KEY, () -> true);
        Futexes.Waiter[] late = new Futexes.Waiter[1];
        Thread newcomer = new Thread(() -> {
            try {
                late[0] = futexes.enqueue(KEY, () -> true);
            } catch (SysError e) {
                throw new AssertionError(e);
            }
        }, "newcomer");
        synchronized (old.queue) {
            newcomer.start();
            while (newcomer.getState() != Thread.State.BLOCKED) {
                Thread.onSpinWait(); // until it waits for the queue's lock, which this thread holds
            }
            futexes.leave(KEY, old);
        }
        newcomer.join();
        assertNotNull(late[0]);
        assertTrue(late[0].queue != old.queue, "queued on the dropped queue, where no wake finds it");
        assertEquals(1, futexes.wake(KEY, 1));
        assertTrue(late[0].woken);
        futexes.leave(KEY, late[0]);
        assertEquals(0, futexes.keys());
    }

    /**
     * A futex mutex (0 free, 1 held, 2 held with waiters; the unlock wakes one waiter when it was
     * 2) taken by several threads many times: the count under it is exact, and every thread gets
     * through. A lost wake-up (a waiter queued on a queue just dropped from the map, where the
     * unlock's wake cannot find it) leaves a thread asleep for good: the timeout only turns that
     * hang into a failure.
     */
    @Test
    @Timeout(120)
    void threadsTakingAFutexMutexLoseNoWakeUp() throws Exception {
        AtomicInteger word = new AtomicInteger();
        long[] count = {0};
        int threads = 4;
        int rounds = 100_000;
        List<Thread> all = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        lock(word);
                        count[0]++;
                        unlock(word);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "futex mutex " + t);
            all.add(thread);
            thread.start();
        }
        for (Thread thread : all) {
            thread.join();
        }
        assertEquals(List.of(), failures);
        assertEquals((long) threads * rounds, count[0]);
        assertEquals(0, futexes.keys(), "queues left behind");
    }

    private void lock(AtomicInteger word) throws SysError, InterruptedException {
        int seen = word.compareAndExchange(0, 1);
        if (seen == 0) {
            return;
        }
        if (seen != 2) {
            seen = word.getAndSet(2);
        }
        while (seen != 0) {
            Futexes.Waiter w = futexes.enqueue(KEY, () -> word.get() == 2);
            if (w != null) {
                synchronized (w.queue) {
                    while (!w.woken) {
                        w.queue.wait();
                    }
                }
                futexes.leave(KEY, w);
            }
            seen = word.getAndSet(2);
        }
    }

    private void unlock(AtomicInteger word) {
        if (word.getAndSet(0) == 2) {
            futexes.wake(KEY, 1);
        }
    }
}

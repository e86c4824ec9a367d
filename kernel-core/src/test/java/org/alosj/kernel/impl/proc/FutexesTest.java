package org.alosj.kernel.impl.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    private static final long KEY2 = 0x1234_6000L;

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
        waiters.forEach(futexes::leave);
        assertEquals(0, futexes.keys());
        assertEquals(0, futexes.wake(KEY, 1));
    }

    @Test
    void aRequeueWakesSomeMovesSomeAndLeavesTheRest() throws SysError {
        List<Futexes.Waiter> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiters.add(futexes.enqueue(KEY, () -> true));
        }
        assertEquals(3, futexes.requeue(KEY, 1, KEY2, 2, null), "one woken and two moved");
        assertEquals(List.of(true, false, false, false), waiters.stream().map(w -> w.woken).toList());
        assertTrue(waiters.get(1).queue == waiters.get(2).queue && waiters.get(1).queue != waiters.get(3).queue);
        assertEquals(2, futexes.wake(KEY2, 5), "the moved ones wait on the second word");
        assertEquals(1, futexes.wake(KEY, 5), "the last stayed on the first");
        waiters.forEach(futexes::leave);
        assertEquals(0, futexes.keys());
    }

    @Test
    void aCompareRequeueWhoseWordChangedTouchesNobody() throws SysError {
        Futexes.Waiter w = futexes.enqueue(KEY, () -> true);
        SysError e = assertThrows(SysError.class, () -> futexes.requeue(KEY, 1, KEY2, 1, () -> false));
        assertEquals(SysError.EAGAIN, e.errno());
        assertFalse(w.woken);
        assertEquals(1, futexes.keys(), "no queue left for the second word");
        assertThrows(SysError.class, () -> futexes.requeue(KEY2, 1, KEY, 1, () -> false), "checked with no waiter too");
        assertEquals(0, futexes.requeue(KEY2, 1, KEY, 1, () -> true));
        futexes.leave(w);
        assertEquals(0, futexes.keys());
    }

    @Test
    void aRequeueOntoTheSameWordCountsButMovesNobody() throws SysError {
        Futexes.Waiter a = futexes.enqueue(KEY, () -> true);
        Futexes.Waiter b = futexes.enqueue(KEY, () -> true);
        assertEquals(2, futexes.requeue(KEY, 1, KEY, 5, null));
        assertTrue(a.woken && !b.woken && b.queue == a.queue);
        futexes.leave(a);
        futexes.leave(b);
        assertEquals(0, futexes.keys());
    }

    /**
     * A broadcast as musl makes it: the condition's waiters are moved onto the mutex's word, and
     * each unlock wakes one. Threads really asleep are moved (woken on the old queue, asleep again
     * on the new one); every one must come through, or the timeout turns the hang into a failure.
     */
    @Test
    @Timeout(60)
    void sleepersMovedToAnotherWordAreWokenThere() throws Exception {
        for (int round = 0; round < 200; round++) {
            int threads = 4;
            AtomicInteger through = new AtomicInteger();
            List<Thread> all = new ArrayList<>();
            List<Futexes.Waiter> waiting = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Futexes.Waiter w = futexes.enqueue(KEY, () -> true);
                waiting.add(w);
                Thread thread = new Thread(() -> {
                    try {
                        sleep(w);
                    } catch (InterruptedException e) {
                        return;
                    }
                    futexes.leave(w);
                    through.incrementAndGet();
                }, "waiter " + t);
                all.add(thread);
                thread.start();
            }
            assertEquals(threads, futexes.requeue(KEY, 1, KEY2, Integer.MAX_VALUE, null));
            while (through.get() < threads) {
                futexes.wake(KEY2, 1); // each unlock of the mutex
                Thread.onSpinWait();
            }
            for (Thread thread : all) {
                thread.join();
            }
            assertEquals(0, futexes.keys(), "queues left behind in round " + round);
        }
    }

    /** What Futexes.await does on a task: sleep on the waiter's queue, following it when moved. */
    private static void sleep(Futexes.Waiter w) throws InterruptedException {
        for (;;) {
            Futexes.Queue q = w.queue;
            synchronized (q) {
                while (!w.woken && w.queue == q) {
                    q.wait();
                }
            }
            if (w.woken) {
                return;
            }
        }
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
            futexes.leave(old);
        }
        newcomer.join();
        assertNotNull(late[0]);
        assertTrue(late[0].queue != old.queue, "queued on the dropped queue, where no wake finds it");
        assertEquals(1, futexes.wake(KEY, 1));
        assertTrue(late[0].woken);
        futexes.leave(late[0]);
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
                futexes.leave(w);
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

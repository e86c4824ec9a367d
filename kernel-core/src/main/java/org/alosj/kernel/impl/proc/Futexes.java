package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alosj.kernel.proc.SysError;

/**
 * futex(2) wait queues, keyed by the physical address of the 32-bit word: threads of a process
 * and processes sharing a page meet on the same key. Checking the word and queueing happen
 * under the queue's lock, so a wake that follows the waker's store cannot be missed.
 *
 * <p>A queue leaves the map when its last waiter leaves, and is then retired for good: a thread
 * that found it in the map just before must not queue on it (a waker would no longer find it),
 * and looks the key up again.
 */
final class Futexes {
    private final Map<Long, Queue> queues = new HashMap<>();

    /** The waiters of one key; its monitor guards them and is what they sleep on. */
    static final class Queue {
        private final List<Waiter> waiters = new ArrayList<>();
        private boolean retired;
    }

    /** One thread's wait; {@link #woken} is guarded by its queue. */
    static final class Waiter {
        final Queue queue;
        boolean woken;

        private Waiter(Queue queue) {
            this.queue = queue;
        }
    }

    /** The futex word's check, under the queue's lock: true while it holds the expected value. */
    @FunctionalInterface
    interface WordCheck {
        boolean unchanged() throws SysError;
    }

    void await(TaskImpl task, long address, int expected, long timeoutNanos) throws SysError {
        long key = key(task, address);
        Waiter w = enqueue(key, () -> task.memory().readInt(address) == expected);
        if (w == null) {
            throw new SysError(SysError.EAGAIN);
        }
        try {
            task.await(w.queue, () -> w.woken, timeoutNanos);
        } finally {
            leave(key, w);
        }
    }

    int wake(TaskImpl task, long address, int count) throws SysError {
        return wake(key(task, address), count);
    }

    private static long key(TaskImpl task, long address) throws SysError {
        if ((address & 3) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        return task.process.addressSpace().translate(address, false);
    }

    /**
     * Queues a waiter on {@code key} if {@code check} (run under the queue's lock) finds the word
     * unchanged; null if it changed. The caller sleeps on the waiter's queue until woken, then
     * {@link #leave}s.
     */
    Waiter enqueue(long key, WordCheck check) throws SysError {
        for (;;) {
            Queue q;
            synchronized (this) {
                q = queues.computeIfAbsent(key, k -> new Queue());
            }
            boolean queued = false;
            try {
                synchronized (q) {
                    if (q.retired) {
                        continue;
                    }
                    if (!check.unchanged()) {
                        return null;
                    }
                    Waiter w = new Waiter(q);
                    q.waiters.add(w);
                    queued = true;
                    return w;
                }
            } finally {
                if (!queued) {
                    dropIfEmpty(key, q);
                }
            }
        }
    }

    /** Takes a waiter off its queue (woken or not), dropping the queue when it was the last. */
    void leave(long key, Waiter w) {
        synchronized (w.queue) {
            w.queue.waiters.remove(w);
        }
        dropIfEmpty(key, w.queue);
    }

    /** Wakes up to {@code count} waiters of {@code key}; how many it woke. */
    int wake(long key, int count) {
        for (;;) {
            Queue q;
            synchronized (this) {
                q = queues.get(key);
            }
            if (q == null) {
                return 0;
            }
            synchronized (q) {
                if (q.retired) {
                    continue;
                }
                int woken = 0;
                for (Waiter w : q.waiters) {
                    if (woken >= count) {
                        break;
                    }
                    if (!w.woken) {
                        w.woken = true;
                        woken++;
                    }
                }
                q.notifyAll();
                return woken;
            }
        }
    }

    private synchronized void dropIfEmpty(long key, Queue q) {
        synchronized (q) {
            if (q.waiters.isEmpty() && !q.retired) {
                q.retired = true;
                queues.remove(key, q);
            }
        }
    }

    /** How many keys have a queue (waiters or a queue about to be dropped): for tests. */
    synchronized int keys() {
        return queues.size();
    }
}

package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
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
 *
 * <p>FUTEX_REQUEUE moves waiters from one queue to another with both queues locked; a moved
 * waiter's thread is woken on the old queue, sees that it moved and sleeps on the new one, where
 * a wake that came meanwhile has already marked it.
 */
final class Futexes {
    private final Map<Long, Queue> queues = new HashMap<>();

    /** The waiters of one key; its monitor guards them and is what they sleep on. */
    static final class Queue {
        private final long key;
        private final List<Waiter> waiters = new ArrayList<>();
        private boolean retired;

        private Queue(long key) {
            this.key = key;
        }
    }

    /**
     * One thread's wait. Both fields change under the lock of the queue the waiter is on ({@link
     * #queue} under the old and the new queue's): volatile, as its thread reads them under the
     * lock of the queue it sleeps on, which a move has just left.
     */
    static final class Waiter {
        volatile Queue queue;
        volatile boolean woken;

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
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            for (;;) {
                Queue q = w.queue;
                long left = timeoutNanos < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
                task.await(q, () -> w.woken || w.queue != q, left);
                if (w.woken) {
                    return;
                }
                // requeued: sleep on where it was moved
            }
        } finally {
            leave(w);
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
                q = queues.computeIfAbsent(key, Queue::new);
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
                    dropIfEmpty(q);
                }
            }
        }
    }

    /** Takes a waiter off its queue (woken or not), dropping the queue when it was the last. */
    void leave(Waiter w) {
        for (;;) {
            Queue q = w.queue;
            synchronized (q) {
                if (w.queue != q) {
                    continue; // moved meanwhile
                }
                q.waiters.remove(w);
            }
            dropIfEmpty(q);
            return;
        }
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

    /**
     * FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wakes up to {@code wake} waiters of {@code from} and
     * moves up to {@code count} of the others to {@code to}, where they sleep on without its word
     * being checked; {@code check} (null: none) runs first, under both queues' locks. How many it
     * woke or moved, as Linux counts them.
     */
    int requeue(TaskImpl task, long from, int wake, long to, int count, WordCheck check) throws SysError {
        return requeue(key(task, from), wake, key(task, to), count, check);
    }

    int requeue(long fromKey, int wake, long toKey, int count, WordCheck check) throws SysError {
        for (;;) {
            Queue from;
            Queue to;
            synchronized (this) {
                from = queues.get(fromKey);
                to = from == null || toKey == fromKey ? from : queues.computeIfAbsent(toKey, Queue::new);
            }
            if (from == null) {
                if (check != null && !check.unchanged()) {
                    throw new SysError(SysError.EAGAIN);
                }
                return 0;
            }
            // Two queue locks: always in key order, so two requeues in opposite directions cannot deadlock.
            Queue first = fromKey <= toKey ? from : to;
            Queue second = first == from ? to : from;
            try {
                synchronized (first) {
                    synchronized (second) {
                        if (from.retired || to.retired) {
                            continue;
                        }
                        if (check != null && !check.unchanged()) {
                            throw new SysError(SysError.EAGAIN);
                        }
                        return moveWaiters(from, wake, to, count);
                    }
                }
            } finally {
                dropIfEmpty(from);
                dropIfEmpty(to);
            }
        }
    }

    /** Under both queues' locks. */
    private static int moveWaiters(Queue from, int wake, Queue to, int count) {
        int woken = 0;
        int moved = 0;
        for (Iterator<Waiter> it = from.waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.woken) {
                continue; // leaving already
            }
            if (woken < wake) {
                w.woken = true;
                woken++;
            } else if (moved < count) {
                if (to != from) {
                    it.remove();
                    w.queue = to;
                    to.waiters.add(w);
                }
                moved++;
            } else {
                break;
            }
        }
        from.notifyAll(); // the woken, and the moved, which go to sleep on their new queue
        return woken + moved;
    }

    private synchronized void dropIfEmpty(Queue q) {
        synchronized (q) {
            if (q.waiters.isEmpty() && !q.retired) {
                q.retired = true;
                queues.remove(q.key, q);
            }
        }
    }

    /** How many keys have a queue (waiters or a queue about to be dropped): for tests. */
    synchronized int keys() {
        return queues.size();
    }
}

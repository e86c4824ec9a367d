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
 */
final class Futexes {
    private final Map<Long, Queue> queues = new HashMap<>();

    private static final class Queue {
        final List<Waiter> waiters = new ArrayList<>();
    }

    private static final class Waiter {
        boolean woken;
    }

    private synchronized Queue queue(long key, boolean create) {
        Queue q = queues.get(key);
        if (q == null && create) {
            q = new Queue();
            queues.put(key, q);
        }
        return q;
    }

    private synchronized void dropIfEmpty(long key, Queue q) {
        synchronized (q) {
            if (q.waiters.isEmpty()) {
                queues.remove(key, q);
            }
        }
    }

    void await(TaskImpl task, long address, int expected, long timeoutNanos) throws SysError {
        if ((address & 3) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        long key = task.process.addressSpace().translate(address, false);
        Queue q = queue(key, true);
        Waiter w = new Waiter();
        boolean changed;
        synchronized (q) {
            changed = task.memory().readInt(address) != expected;
            if (!changed) {
                q.waiters.add(w);
            }
        }
        if (changed) {
            dropIfEmpty(key, q);
            throw new SysError(SysError.EAGAIN);
        }
        try {
            task.await(q, () -> w.woken, timeoutNanos);
        } finally {
            synchronized (q) {
                q.waiters.remove(w);
            }
            dropIfEmpty(key, q);
        }
    }

    int wake(TaskImpl task, long address, int count) throws SysError {
        if ((address & 3) != 0) {
            throw new SysError(SysError.EINVAL);
        }
        long key = task.process.addressSpace().translate(address, false);
        Queue q = queue(key, false);
        if (q == null) {
            return 0;
        }
        int woken = 0;
        synchronized (q) {
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
        }
        return woken;
    }
}

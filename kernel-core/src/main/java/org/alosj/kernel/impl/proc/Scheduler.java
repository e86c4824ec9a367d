package org.alosj.kernel.impl.proc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler: hands out the machine's virtual CPUs to threads that want to run user code.
 * Four priority levels, 0 the highest; round-robin within a level. A thread holds a CPU while it
 * runs user code or kernel code on its behalf, and gives it back when it blocks (a wait queue)
 * or is preempted: at the PIT tick when its time slice is spent and a thread of its level waits,
 * or at once when a thread of a higher level becomes runnable.
 *
 * <p>Each thread of a process runs on its own Java thread (its kernel stack); a thread waiting
 * for a CPU is parked. All state is guarded by this object's monitor.
 */
final class Scheduler {
    static final int LEVELS = 4;
    /** Ticks a thread may keep its CPU while another of its level waits. */
    static final int SLICE_TICKS = 2;

    private final int cpus;
    private int free;
    /** Which virtual CPUs are held: a thread runs on the index it was granted (getcpu, /proc). */
    private final boolean[] held;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<TaskImpl>[] ready = new ArrayDeque[LEVELS];
    private final List<TaskImpl> running = new ArrayList<>();
    private long ticks;
    private long switches;

    Scheduler(int cpus) {
        this.cpus = cpus;
        this.free = cpus;
        this.held = new boolean[cpus];
        for (int i = 0; i < LEVELS; i++) {
            ready[i] = new ArrayDeque<>();
        }
    }

    int cpus() {
        return cpus;
    }

    /** Blocks until {@code t} holds a CPU. */
    void acquire(TaskImpl t) {
        synchronized (this) {
            if (free > 0 && !waitingAtOrAbove(t.level())) {
                free--;
                grant(t, lowestFree());
                return;
            }
            t.granted = false;
            ready[t.level()].addLast(t);
            preemptBelow(t.level());
        }
        while (true) {
            synchronized (this) {
                if (t.granted) {
                    return;
                }
            }
            LockSupport.park(this);
        }
    }

    private int lowestFree() {
        for (int i = 0; i < held.length; i++) {
            if (!held[i]) {
                return i;
            }
        }
        throw new IllegalStateException("no virtual CPU free");
    }

    private void grant(TaskImpl t, int cpu) {
        held[cpu] = true;
        t.cpuIndex = cpu;
        t.granted = true;
        t.sliceStart = ticks;
        running.add(t);
    }

    /** Gives {@code t}'s CPU to the next waiting thread, or back to the pool. */
    void release(TaskImpl t) {
        TaskImpl next;
        synchronized (this) {
            if (!running.remove(t)) {
                return;
            }
            t.granted = false;
            held[t.cpuIndex] = false;
            next = pickNext();
            if (next == null) {
                free++;
                return;
            }
            switches++;
            grant(next, t.cpuIndex);
        }
        LockSupport.unpark(next.thread());
    }

    /** At a preemption point: lets a waiting thread of the same or a higher level run. */
    void yield(TaskImpl t) {
        synchronized (this) {
            if (!waitingAtOrAbove(t.level())) {
                t.sliceStart = ticks;
                return;
            }
        }
        release(t);
        acquire(t);
    }

    private TaskImpl pickNext() {
        for (ArrayDeque<TaskImpl> q : ready) {
            TaskImpl n = q.pollFirst();
            if (n != null) {
                return n;
            }
        }
        return null;
    }

    private boolean waitingAtOrAbove(int level) {
        for (int i = 0; i <= level; i++) {
            if (!ready[i].isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private void preemptBelow(int level) {
        for (TaskImpl r : running) {
            if (r.level() > level) {
                r.preempt();
                return;
            }
        }
    }

    /** The PIT tick: preempts threads whose slice is spent while another waits. */
    void tick() {
        synchronized (this) {
            ticks++;
            for (TaskImpl r : running) {
                int level = r.level();
                boolean higherWaits = level > 0 && waitingAtOrAbove(level - 1);
                if (higherWaits || (!ready[level].isEmpty() && ticks - r.sliceStart >= SLICE_TICKS)) {
                    r.preempt();
                }
            }
        }
    }

    /** The thread changed level: requeue it if it is waiting. */
    synchronized void levelChanged(TaskImpl t, int oldLevel) {
        if (ready[oldLevel].remove(t)) {
            ready[t.level()].addLast(t);
        }
    }

    synchronized long contextSwitches() {
        return switches;
    }
}

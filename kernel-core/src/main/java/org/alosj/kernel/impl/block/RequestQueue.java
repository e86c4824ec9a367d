package org.alosj.kernel.impl.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.alosj.kernel.device.BlockDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request queue in front of one disk: callers on any thread submit reads, writes and flushes
 * and wait for them; one worker thread (kblockd-NAME) hands them to the driver in submission
 * order, so a flush is a barrier: everything submitted before it is on the medium when it
 * completes, nothing submitted after it starts before. The disk's name outlives its driver:
 * when the driver goes, requests wait up to the grace period for a driver of the same disk to
 * come back (a hot swap) and then fail with an IOException, which filesystems turn into EIO.
 * A request the driver fails because it is going away (it was detached meanwhile) goes back to
 * the head of the queue for the next driver: reads, writes and flushes may be done twice.
 */
final class RequestQueue implements BlockDevice {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.block");

    enum Kind { READ, WRITE, FLUSH }

    private static final class Request {
        final Kind kind;
        final long lba;
        final ByteBuffer buffer;
        boolean done;
        IOException failure;

        Request(Kind kind, long lba, ByteBuffer buffer) {
            this.kind = kind;
            this.lba = lba;
            this.buffer = buffer;
        }
    }

    final String name;
    private final int sectorSize;
    private final long sectorCount;
    private final boolean readOnly;
    private final long graceNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition completed = lock.newCondition();
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    private final Thread worker;
    private BlockDevice backend;
    private long goneSince;
    private boolean dead;
    private long requests;
    private long requeued;

    RequestQueue(String name, BlockDevice backend, long graceMillis) {
        this.name = name;
        this.backend = backend;
        this.sectorSize = backend.sectorSize();
        this.sectorCount = backend.sectorCount();
        this.readOnly = backend.readOnly();
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMillis);
        this.worker = new Thread(this::run, "kblockd-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    /** Whether {@code other} is the same disk (a driver swap), not a different one under the same name. */
    boolean sameGeometry(BlockDevice other) {
        return other.sectorSize() == sectorSize && other.sectorCount() == sectorCount;
    }

    /** The driver that took over; returns how many requests were waiting for it. */
    int attach(BlockDevice newBackend) {
        lock.lock();
        try {
            backend = newBackend;
            work.signalAll();
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    void detach(BlockDevice old) {
        lock.lock();
        try {
            if (backend == old) {
                backend = null;
                goneSince = System.nanoTime();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean present() {
        lock.lock();
        try {
            return backend != null && !dead;
        } finally {
            lock.unlock();
        }
    }

    /** The disk is gone for good: pending and later requests fail, the worker ends. */
    void shutdown() {
        lock.lock();
        try {
            dead = true;
            backend = null;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long requestCount() {
        lock.lock();
        try {
            return requests;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    @Override
    public long sectorCount() {
        return sectorCount;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
        check(lba, dst.remaining(), "read");
        submit(new Request(Kind.READ, lba, dst));
    }

    @Override
    public void write(long lba, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException(name + ": the disk is read-only");
        }
        check(lba, src.remaining(), "write");
        submit(new Request(Kind.WRITE, lba, src));
    }

    @Override
    public void flush() throws IOException {
        submit(new Request(Kind.FLUSH, 0, null));
    }

    private void check(long lba, int bytes, String what) throws IOException {
        if (bytes % sectorSize != 0) {
            throw new IOException(name + ": " + what + " of " + bytes + " bytes is not a multiple of the "
                    + sectorSize + "-byte sector");
        }
        long sectors = bytes / sectorSize;
        if (lba < 0 || lba > sectorCount - sectors) {
            throw new IOException(name + ": " + what + " of sectors " + lba + "-" + (lba + sectors - 1)
                    + " beyond the end of the disk (" + sectorCount + " sectors)");
        }
    }

    private void submit(Request r) throws IOException {
        lock.lock();
        try {
            if (dead) {
                throw new IOException(name + ": the disk is gone");
            }
            pending.addLast(r);
            requests++;
            work.signalAll();
            boolean interrupted = false;
            while (!r.done) {
                try {
                    completed.await();
                } catch (InterruptedException e) {
                    interrupted = true; // the request is the driver's now: wait for it, keep the flag
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (r.failure != null) {
                throw r.failure;
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Request r;
            BlockDevice device;
            lock.lock();
            try {
                while (pending.isEmpty() && !dead) {
                    work.awaitUninterruptibly();
                }
                if (pending.isEmpty()) {
                    return;
                }
                r = pending.peekFirst();
                long deadline = goneSince + graceNanos;
                while (backend == null && !dead) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        work.awaitNanos(left);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                device = backend;
                pending.pollFirst();
            } finally {
                lock.unlock();
            }
            IOException failure = null;
            if (device == null) {
                failure = new IOException(name + ": no such device (its driver is gone)");
            } else {
                try {
                    switch (r.kind) {
                        case READ -> device.read(r.lba, r.buffer);
                        case WRITE -> device.write(r.lba, r.buffer);
                        case FLUSH -> device.flush();
                    }
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    LOG.error("{}: the driver failed a {} at sector {}", name, r.kind, r.lba, e);
                    failure = new IOException(name + ": the driver failed: " + e, e);
                }
            }
            lock.lock();
            try {
                if (failure != null && device != null && backend != device && !dead) {
                    // The driver let go of the disk while the request was with it (it refuses work
                    // once it is unbinding, and fails what its reset cut short): the request was
                    // not done, so the next driver does it again, as after any swap.
                    pending.addFirst(r);
                    requeued++;
                    continue;
                }
                r.failure = failure;
                r.done = true;
                completed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Requests a driver failed as it went away and the queue gave to the next one. */
    long requeuedCount() {
        lock.lock();
        try {
            return requeued;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

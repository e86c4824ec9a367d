package org.alosj.kernel.impl.proc;

import java.util.ArrayList;
import java.util.List;
import org.alosj.kernel.proc.OpenFile;
import org.alosj.kernel.proc.SysError;

/**
 * A file descriptor table: descriptor numbers to open file descriptions, with close-on-exec.
 * Shared by the threads of a process (CLONE_FILES); fork copies it, each description then
 * counted once more. A description is released when its last descriptor anywhere closes.
 */
final class FdTable {
    static final int MAX_FDS = 1024;

    /** An open file description and how many descriptors point at it. */
    static final class Ref {
        final OpenFile file;
        private int count = 1;

        Ref(OpenFile file) {
            this.file = file;
        }

        synchronized Ref retain() {
            count++;
            return this;
        }

        void drop() {
            boolean last;
            synchronized (this) {
                last = --count == 0;
            }
            if (last) {
                file.release();
            }
        }
    }

    private Ref[] slots = new Ref[16];
    /** Processes sharing this table (CLONE_FILES without CLONE_THREAD). */
    private int users = 1;

    synchronized FdTable retainTable() {
        users++;
        return this;
    }

    /** A process using the table ended: the last one closes every descriptor. */
    void releaseTable() {
        synchronized (this) {
            if (--users > 0) {
                return;
            }
        }
        closeAll();
    }

    private boolean[] cloexec = new boolean[16];

    synchronized OpenFile get(int fd) throws SysError {
        if (fd < 0 || fd >= slots.length || slots[fd] == null) {
            throw new SysError(SysError.EBADF);
        }
        return slots[fd].file;
    }

    synchronized Ref ref(int fd) throws SysError {
        if (fd < 0 || fd >= slots.length || slots[fd] == null) {
            throw new SysError(SysError.EBADF);
        }
        return slots[fd];
    }

    /** Installs a new reference (the caller's) at the lowest free slot at or above {@code min}. */
    synchronized int install(Ref ref, int min, boolean closeOnExec) throws SysError {
        for (int fd = Math.max(0, min); fd < MAX_FDS; fd++) {
            if (fd >= slots.length) {
                grow(fd + 1);
            }
            if (slots[fd] == null) {
                slots[fd] = ref;
                cloexec[fd] = closeOnExec;
                return fd;
            }
        }
        ref.drop();
        throw new SysError(SysError.EMFILE);
    }

    void installAt(Ref ref, int fd, boolean closeOnExec) throws SysError {
        Ref old;
        synchronized (this) {
            if (fd < 0 || fd >= MAX_FDS) {
                ref.drop();
                throw new SysError(SysError.EBADF);
            }
            if (fd >= slots.length) {
                grow(fd + 1);
            }
            old = slots[fd];
            slots[fd] = ref;
            cloexec[fd] = closeOnExec;
        }
        if (old != null) {
            old.drop();
        }
    }

    private void grow(int min) {
        int n = Math.max(min, slots.length * 2);
        slots = java.util.Arrays.copyOf(slots, n);
        cloexec = java.util.Arrays.copyOf(cloexec, n);
    }

    void close(int fd) throws SysError {
        Ref old;
        synchronized (this) {
            if (fd < 0 || fd >= slots.length || slots[fd] == null) {
                throw new SysError(SysError.EBADF);
            }
            old = slots[fd];
            slots[fd] = null;
        }
        old.drop();
    }

    synchronized boolean closeOnExec(int fd) throws SysError {
        ref(fd);
        return cloexec[fd];
    }

    synchronized void setCloseOnExec(int fd, boolean value) throws SysError {
        ref(fd);
        cloexec[fd] = value;
    }

    synchronized List<Integer> open() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                out.add(i);
            }
        }
        return out;
    }

    /** fork's copy. */
    synchronized FdTable copy() {
        FdTable t = new FdTable();
        t.slots = new Ref[slots.length];
        t.cloexec = cloexec.clone();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                t.slots[i] = slots[i].retain();
            }
        }
        return t;
    }

    /** execve: closes the close-on-exec descriptors. */
    void closeOnExec() {
        List<Ref> gone = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null && cloexec[i]) {
                    gone.add(slots[i]);
                    slots[i] = null;
                }
            }
        }
        gone.forEach(Ref::drop);
    }

    void closeAll() {
        List<Ref> gone = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null) {
                    gone.add(slots[i]);
                    slots[i] = null;
                }
            }
        }
        gone.forEach(Ref::drop);
    }
}

package org.alosj.kernel.proc;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Starts, lists and signals processes. */
@ProviderType
public interface ProcessManager {
    /**
     * Starts {@code path} as a new session leader with {@code terminal} on descriptors 0, 1 and
     * 2 and working directory {@code cwd}, as root.
     *
     * @throws SysError ENOENT, EACCES, ENOEXEC (a bad ELF), ENOMEM, EAGAIN (the process limit)
     */
    Launched spawn(String path, List<String> argv, List<String> envp, Terminal terminal, String cwd)
            throws SysError;

    List<ProcessInfo> processes();

    Optional<ProcessInfo> process(int pid);

    /**
     * The CPU model's counters for a process (its threads', those that exited included) and its
     * CPU time, since it started; empty when there is no such process.
     */
    Optional<CpuUsage> cpuUsage(int pid);

    /**
     * The machine's: every guest thread's counters and CPU time since boot or the last
     * {@link #resetCpuUsage}, those of ended processes included.
     */
    CpuUsage cpuUsage();

    /** Starts the machine-wide counters again from zero (processes' own are kept). */
    void resetCpuUsage();

    /** kill(2): pid &gt; 0 one process, pid &lt; -1 a process group. */
    void kill(int pid, int signal) throws SysError;

    /** The scheduler's level of a process (0–3), as nice/setpriority would change it. */
    void setPriority(int pid, int level) throws SysError;

    /**
     * The next process {@link #spawn} starts is traced by {@code tracer}: it stops before its
     * first instruction. Closing the handle cancels a trace not yet started.
     */
    AutoCloseable traceNext(Tracer tracer);

    /** A process started from the console. */
    interface Launched {
        int pid();

        /** Waits for its end and reaps it. */
        ExitStatus waitFor() throws InterruptedException;

        /** Sends {@code signal} to its foreground process group (^C sends SIGINT). */
        void signalForeground(int signal);
    }
}

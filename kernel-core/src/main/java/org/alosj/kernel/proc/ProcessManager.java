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

    /** kill(2): pid &gt; 0 one process, pid &lt; -1 a process group. */
    void kill(int pid, int signal) throws SysError;

    /** The scheduler's level of a process (0–3), as nice/setpriority would change it. */
    void setPriority(int pid, int level) throws SysError;

    /** A process started from the console. */
    interface Launched {
        int pid();

        /** Waits for its end and reaps it. */
        ExitStatus waitFor() throws InterruptedException;

        /** Sends {@code signal} to its foreground process group (^C sends SIGINT). */
        void signalForeground(int signal);
    }
}

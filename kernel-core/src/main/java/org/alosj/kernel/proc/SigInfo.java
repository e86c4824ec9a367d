package org.alosj.kernel.proc;

/**
 * siginfo_t's fields the kernel fills: who sent the signal or what fault raised it
 * ({@code address}), and for SIGCHLD the child's {@code status}.
 */
public record SigInfo(int signo, int code, int pid, int uid, long address, int status) {
    /** si_code values. */
    public static final int SI_USER = 0;
    public static final int SI_KERNEL = 0x80;
    public static final int SI_TKILL = -6;
    public static final int SEGV_MAPERR = 1;
    public static final int SEGV_ACCERR = 2;
    public static final int CLD_EXITED = 1;
    public static final int CLD_KILLED = 2;
    public static final int CLD_DUMPED = 3;
    public static final int CLD_STOPPED = 5;
    public static final int CLD_CONTINUED = 6;

    public static SigInfo user(int signo, int pid, int uid) {
        return new SigInfo(signo, SI_USER, pid, uid, 0, 0);
    }

    public static SigInfo kernel(int signo) {
        return new SigInfo(signo, SI_KERNEL, 0, 0, 0, 0);
    }
}

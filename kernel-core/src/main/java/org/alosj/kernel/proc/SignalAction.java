package org.alosj.kernel.proc;

/**
 * sigaction(2)'s struct: {@code handler} is SIG_DFL (0), SIG_IGN (1) or an address; {@code mask}
 * a set of signals as a bit mask (bit n-1 for signal n).
 */
public record SignalAction(long handler, long flags, long restorer, long mask) {
    public static final long SIG_DFL = 0;
    public static final long SIG_IGN = 1;
    public static final long SA_NOCLDSTOP = 1;
    public static final long SA_NOCLDWAIT = 2;
    public static final long SA_SIGINFO = 4;
    public static final long SA_ONSTACK = 0x0800_0000L;
    public static final long SA_RESTART = 0x1000_0000L;
    public static final long SA_NODEFER = 0x4000_0000L;
    public static final long SA_RESETHAND = 0x8000_0000L;
    public static final long SA_RESTORER = 0x0400_0000L;

    public static final SignalAction DEFAULT = new SignalAction(SIG_DFL, 0, 0, 0);
}

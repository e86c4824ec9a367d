package org.alosj.kernel.proc;

/** Linux x86-64 signal numbers and default dispositions. */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGILL = 4;
    public static final int SIGTRAP = 5;
    public static final int SIGABRT = 6;
    public static final int SIGBUS = 7;
    public static final int SIGFPE = 8;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGSEGV = 11;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    public static final int SIGTSTP = 20;
    public static final int SIGTTIN = 21;
    public static final int SIGTTOU = 22;
    public static final int SIGURG = 23;
    public static final int SIGXCPU = 24;
    public static final int SIGXFSZ = 25;
    public static final int SIGVTALRM = 26;
    public static final int SIGPROF = 27;
    public static final int SIGWINCH = 28;
    public static final int SIGIO = 29;
    public static final int SIGPWR = 30;
    public static final int SIGSYS = 31;
    public static final int NSIG = 64;

    /** What SIG_DFL does. */
    public enum Default { TERMINATE, CORE, IGNORE, STOP, CONTINUE }

    public static Default defaultAction(int sig) {
        switch (sig) {
            case SIGCHLD: case SIGURG: case SIGWINCH:
                return Default.IGNORE;
            case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
                return Default.STOP;
            case SIGCONT:
                return Default.CONTINUE;
            case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
            case SIGXCPU: case SIGXFSZ: case SIGSYS:
                return Default.CORE;
            default:
                return Default.TERMINATE;
        }
    }

    public static long bit(int sig) {
        return 1L << (sig - 1);
    }

    /** Signals that can be neither caught, blocked nor ignored. */
    public static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
        "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    /** "INT" for 2; "RT34" beyond the classic ones. */
    public static String name(int sig) {
        return sig > 0 && sig < NAMES.length ? NAMES[sig] : "RT" + sig;
    }

    /** The number of "INT", "SIGINT" or "2"; -1 if none. */
    public static int parse(String s) {
        String t = s.startsWith("SIG") ? s.substring(3) : s;
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(t)) {
                return i;
            }
        }
        try {
            int n = Integer.parseInt(t);
            return n >= 0 && n <= NSIG ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private Signals() {
    }
}

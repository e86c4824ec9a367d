package org.alosj.kernel.proc;

/**
 * How a process ended: by exit with {@code code}, or killed by {@code signal} (non-zero).
 */
public record ExitStatus(int code, int signal, boolean coreDumped) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code & 0xFF, 0, false);
    }

    public static ExitStatus killed(int signal, boolean core) {
        return new ExitStatus(0, signal, core);
    }

    /** The wait(2) status word. */
    public int waitStatus() {
        return signal == 0 ? (code & 0xFF) << 8 : (signal & 0x7F) | (coreDumped ? 0x80 : 0);
    }

    /** What a shell's {@code $?} shows: the code, or 128 + the signal. */
    public int shellStatus() {
        return signal == 0 ? code : 128 + signal;
    }
}

package org.alosj.kernel.proc;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A system call table: how a thread asks the kernel for things. A bundle registers one as a
 * service with {@link #NAME} set; a program is bound to the ABI named for its executable format
 * (x86-64 ELF: {@value #LINUX_X86_64}) each time it makes a call, so an updated ABI bundle takes
 * over at the next call.
 */
@ConsumerType
public interface Abi {
    /** Service property: the ABI's name. */
    String NAME = "abi.name";
    String LINUX_X86_64 = "linux-x86_64";

    /**
     * Carries out the system call {@code task} just made (through SYSCALL or {@code int 0x80}):
     * reads its number and arguments from the registers and leaves the result there. Blocking
     * calls block here. Never throws for anything the program passed.
     */
    void syscall(Task task);

    /**
     * Pushes the frame that runs the handler of {@code info.signo()} on the thread's user stack
     * (or its alternate stack) and points the registers at the handler.
     *
     * @throws SysError EFAULT when the stack cannot take the frame (the kernel then kills)
     */
    void enterSignalHandler(Task task, SignalAction action, SigInfo info, long blockedBefore) throws SysError;
}

package org.alosj.userland;

import java.util.List;

/**
 * Every userland case again on {@code -smp 2}: threads and processes of the cases run on two
 * virtual CPUs at once, so the kernel's paths (fork, exec, exit, wait, signals, pipes, futexes,
 * memory maps and their TLB shootdowns) run concurrently for the same and for related processes.
 */
class UserlandOnTwoCpusTest extends UserlandOnAlosTest {
    @Override
    List<String> machine() {
        return List.of("-smp", "2");
    }
}

package org.alosj.cpu.x86_64;

import java.nio.file.Path;
import java.util.List;
import org.alosj.cpu.x86_64.impl.X86CpuFactory;
import org.alosj.hal.cpu.CpuFactory;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.TraceExit;

/**
 * Benchmark runner for bench/cpu.sh and bench/loop.sh (not a test): runs a static x86-64 program
 * (with the arguments after the run count) on the model as a ring-3 process, a few times to let
 * the JIT warm up, and prints its output and, per run,
 * instructions retired, wall and CPU time and instructions per second. The runs' CPUs come from
 * one factory, as a machine's do: the first run compiles its traces, the later ones find them
 * compiled (and the JVM's machine code for them warm), as a program run again on ALOS/J does.
 */
public final class CpuBench {
    private CpuBench() {
    }

    /**
     * This thread's time on a CPU, user + system, in nanoseconds (the scheduler's count in
     * /proc/thread-self/schedstat): /proc's stat ticks of 10 ms hid differences under 5 % of a 0.2 s run.
     */
    private static long threadCpuNanos() throws java.io.IOException {
        String schedstat = java.nio.file.Files.readString(Path.of("/proc/thread-self/schedstat"));
        return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
    }

    public static void main(String[] args) throws Exception {
        Path exe = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        // The program's own arguments follow (bench/userland.sh's busybox loop: sh -c '...').
        List<String> argv = new java.util.ArrayList<>(List.of(exe.toString()));
        argv.addAll(List.of(args).subList(Math.min(2, args.length), args.length));
        CpuFactory cpus = new X86CpuFactory();
        for (int run = 1; run <= runs; run++) {
            GuestProcess p = new GuestProcess(exe, argv, 256L << 20, cpus);
            long cpuStart = threadCpuNanos();
            long start = System.nanoTime();
            p.run(Long.MAX_VALUE);
            long ns = System.nanoTime() - start;
            long cpuNs = threadCpuNanos() - cpuStart;
            if (p.fault != null || p.exitCode == null || p.exitCode != 0) {
                System.err.println("run failed: fault " + p.fault + " exit " + p.exitCode + "\n" + p.output());
                System.exit(1);
            }
            long insns = p.cpu.instructionsRetired();
            // On a shared machine the thread's CPU time is the steadier figure; both are printed.
            System.out.printf("model run %d: %s  %d instructions in %.3f s = %.1f million instructions/s"
                    + " (CPU time %.3f s = %.1f million/s)%n", run, p.output().trim(), insns, ns / 1e9, insns / (ns / 1e3),
                    cpuNs / 1e9, insns / (cpuNs / 1e3));
            CpuStatistics st = p.cpu.statistics();
            StringBuilder exits = new StringBuilder();
            for (TraceExit e : TraceExit.values()) {
                exits.append(' ').append(e.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(st.traceExits(e));
            }
            System.out.printf("  tiers: %.1f %% traced, %.1f %% compiled blocks, %.1f %% interpreted; %d traces"
                    + " (%d instructions) compiled in %.1f ms = %.1f ms per 1,000 guest instructions; %d invalidated;"
                    + " trace exits:%s%n", 100.0 * st.instructionsTraced() / insns,
                    100.0 * (st.instructionsCompiled() - st.instructionsTraced()) / insns,
                    100.0 * st.instructionsInterpreted() / insns, st.tracesCompiled(), st.traceInstructionsCompiled(),
                    st.traceCompileNanos() / 1e6, st.traceCompileNanos() / 1e3 / Math.max(1.0, st.traceInstructionsCompiled()),
                    st.tracesInvalidated(), exits);
        }
    }
}

package org.alosj.shell.impl;

import java.io.PrintStream;
import java.util.Locale;
import org.alosj.hal.cpu.CpuStatistics;
import org.alosj.hal.cpu.RunExit;
import org.alosj.hal.cpu.TraceExit;
import org.alosj.hal.cpu.Vector;
import org.alosj.kernel.proc.CpuUsage;
import org.alosj.kernel.proc.ProcessManager;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code cpustat}: where the CPU model's time goes, from its counters (the same as
 * /proc/cpustat and /proc/PID/cpustat): instructions by tier, decoded blocks, code
 * invalidations, TLB misses, traps into ring 0 and run-loop exits, with rates over the guest
 * threads' CPU time.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = CpustatCommand.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=cpustat",
})
public final class CpustatCommand {
    static final String USAGE = "usage: cpustat [PID] | cpustat -r | cpustat --help";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ProcessManager processes;

    @Descriptor("the CPU model's counters: cpustat (machine-wide since boot or -r), cpustat PID (one process), cpustat -r (reset machine-wide)")
    public void cpustat(@Descriptor("[PID | -r | --help]") String... args) {
        PrintStream out = System.out;
        if (args.length == 1 && args[0].equals("--help")) {
            out.println(USAGE);
            out.println("  (none)  every guest thread since boot or the last reset, ended processes included");
            out.println("  PID     one process: all its threads, exited ones included, since it started");
            out.println("  -r      start the machine-wide counters again from zero");
            out.println("Rates are per second of the guest threads' CPU time. TLB misses are page walks.");
            out.flush();
            return;
        }
        if (args.length > 1) {
            throw new CommandErrors.CommandFailure("cpustat: too many arguments (" + USAGE + ")");
        }
        ProcessManager pm = processes;
        if (pm == null) {
            throw new CommandErrors.CommandFailure("cpustat: the kernel runs no programs (kernel-core is stopped)");
        }
        if (args.length == 0) {
            out.print(render("machine", pm.cpuUsage()));
        } else if (args[0].equals("-r")) {
            pm.resetCpuUsage();
            out.println("cpustat: machine-wide counters reset");
        } else {
            int pid;
            try {
                pid = Integer.parseInt(args[0]);
            } catch (NumberFormatException e) {
                throw new CommandErrors.CommandFailure("cpustat: '" + args[0] + "' is not a process id (" + USAGE + ")");
            }
            CpuUsage u = pm.cpuUsage(pid).orElseThrow(
                    () -> new CommandErrors.CommandFailure("cpustat: no process " + pid));
            out.print(render("process " + pid, u));
        }
        out.flush();
    }

    /** The table: one counter a line, with its rate per CPU second or its share where one helps. */
    static String render(String scope, CpuUsage u) {
        CpuStatistics c = u.counters();
        double secs = u.cpuNanos() / 1e9;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "CPU model counters, %s: %.3f s of guest CPU time%n", scope, secs));
        sb.append(String.format(Locale.ROOT, "%-26s %16s %14s%n", "COUNTER", "COUNT", "PER CPU SECOND"));
        long insns = c.instructionsRetired();
        row(sb, "instructions", insns, secs);
        row(sb, "  interpreted", c.instructionsInterpreted(), secs, share(c.instructionsInterpreted(), insns));
        row(sb, "  compiled", c.instructionsCompiled(), secs, share(c.instructionsCompiled(), insns));
        row(sb, "    in traces", c.instructionsTraced(), secs, share(c.instructionsTraced(), insns));
        row(sb, "blocks decoded", c.blocksDecoded(), secs);
        row(sb, "blocks compiled", c.blocksCompiled(), secs);
        row(sb, "traces compiled", c.tracesCompiled(), secs, c.traceInstructionsCompiled() == 0 ? null
                : String.format(Locale.ROOT, "%.1f us per 1000 insns compiled",
                        c.traceCompileNanos() / 1e3 / (c.traceInstructionsCompiled() / 1e3)));
        row(sb, "traces invalidated", c.tracesInvalidated(), secs);
        for (TraceExit e : TraceExit.values()) {
            row(sb, "trace exits: " + e.name().toLowerCase(Locale.ROOT).replace('_', ' '), c.traceExits(e), secs);
        }
        row(sb, "code writes (SMC)", c.codeWrites(), secs);
        row(sb, "code invalidations", c.codeInvalidations(), secs);
        row(sb, "blocks invalidated", c.blocksInvalidated(), secs);
        row(sb, "TLB misses", c.tlbMisses(), secs,
                String.format(Locale.ROOT, "%.3f per 1000 insns", u.tlbMissesPerKiloInstruction()));
        row(sb, "TLB flushes", c.tlbFlushes(), secs);
        row(sb, "TLB page invalidations", c.tlbPageInvalidations(), secs);
        row(sb, "syscalls", c.syscalls(), secs);
        for (int v = 0; v < Vector.SYSCALL; v++) {
            if (c.traps(v) != 0) {
                row(sb, "trap " + vectorName(v), c.traps(v), secs);
            }
        }
        for (RunExit e : RunExit.values()) {
            row(sb, "run exits: " + e.name().toLowerCase(Locale.ROOT), c.runExits(e), secs);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, long count, double secs) {
        row(sb, name, count, secs, null);
    }

    private static void row(StringBuilder sb, String name, long count, double secs, String note) {
        String rate = secs > 0 ? String.format(Locale.ROOT, "%.0f", count / secs) : "-";
        sb.append(String.format(Locale.ROOT, "%-26s %16d %14s", name, count, rate));
        if (note != null) {
            sb.append("  ").append(note);
        }
        sb.append(System.lineSeparator());
    }

    private static String share(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
    }

    /** The vector's mnemonic where it has one (#PF, #GP …), else its number. */
    static String vectorName(int v) {
        String[] names = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", null, "#TS", "#NP", "#SS",
            "#GP", "#PF", null, "#MF", "#AC", "#MC", "#XM"};
        if (v < names.length && names[v] != null) {
            return names[v] + " (" + v + ")";
        }
        return (v >= 32 ? "int " : "vector ") + v;
    }
}

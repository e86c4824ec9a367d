package org.alosj.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code alos}: boots the ALOS/J machine. Exit status: 0 after a clean interactive session or
 * when the last {@code -c} command succeeded, 1 when a command or the boot failed, 2 for a bad
 * command line or configuration.
 */
public final class Main {
    private static final String SAX_PARSER_FACTORY = "javax.xml.parsers.SAXParserFactory";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl;
        MachineConfig config;
        Path home;
        DiskLocks locks;
        DefaultDisk.Copy diskCopy;
        try {
            cl = CommandLine.parse(args);
            if (cl.help) {
                out.println(CommandLine.USAGE);
                return 0;
            }
            home = (cl.home != null ? cl.home : Path.of(System.getProperty("alos.home", "."))).toAbsolutePath();
            Path run = Path.of(System.getProperty("alos.run", home.resolve("run").toString())).toAbsolutePath();
            Files.createDirectories(run);
            Path conf = cl.confDir != null ? cl.confDir : home.resolve("conf");
            if (!Files.isDirectory(conf)) {
                throw new UsageException("--conf: " + conf.toAbsolutePath() + " is not a directory");
            }
            config = MachineConfig.fromDirectory(conf, Map.of("alos.home", home.toString(), "alos.run", run.toString()));
            cl.applyTo(config);
            checkNetdevReferences(config);
            checkRam(config);
            Launcher.trace(err, "configuration read");
            locks = DiskLocks.acquire(config, run.resolve(DefaultDisk.RUN_COPY));
            try {
                diskCopy = DefaultDisk.prepare(config, home, run, cl.keepDisk, locks);
            } catch (UsageException e) {
                locks.close();
                throw e;
            }
            System.setProperty("alos.run", run.toString());
            Path logback = conf.resolve("logback.xml");
            if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(logback)) {
                System.setProperty("logback.configurationFile", logback.toString());
            }
        } catch (UsageException e) {
            err.println("alos: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("alos: cannot read the configuration: " + e.getMessage());
            return 2;
        }
        // SCR parses each component description with a new SAX parser; without this property the
        // JDK looks for another implementation on the class path every time (a ServiceLoader scan
        // of every jar of lib/), about 5 % of a boot. The JDK's own parser is the one it finds.
        if (System.getProperty(SAX_PARSER_FACTORY) == null) {
            System.setProperty(SAX_PARSER_FACTORY, "com.sun.org.apache.xerces.internal.jaxp.SAXParserFactoryImpl");
        }
        warmUpLogging();
        Launcher launcher = new Launcher(home, config, cl, err);
        try (locks) {
            // The JVM's own start stamp (ms-precise; the process start time of /proc is coarser).
            Instant since = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
            String script = cl.script;
            while (true) {
                int status = launcher.boot(script, out, since, diskCopy);
                diskCopy = null;
                if (status != Launcher.REBOOT) {
                    return status;
                }
                // The guest reset the board: the same machine, its disks as they are, boots again
                // (a -c script ran on the first boot; the console is what follows a reboot).
                err.println("alos: the machine was reset, booting again");
                locks.renew();
                script = null;
                since = Instant.now();
            }
        } catch (UsageException e) {
            err.println("alos: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("alos: boot failed: " + (e.getMessage() == null ? e : e.getMessage()));
            return 1;
        }
    }

    /** What the emulator itself needs of the heap besides guest RAM (framework, bundles, buffers). */
    static final long HEAP_RESERVE_MIB = 192;

    /**
     * Guest RAM lives on the JVM's heap: a machine bigger than the heap can hold is refused in
     * one line before boot, with the way to give the JVM more.
     */
    static void checkRam(MachineConfig config) throws UsageException {
        long ramMiB = Long.parseLong(config.machine().properties().getOrDefault("ram.mib", "256"));
        long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
        if (ramMiB + HEAP_RESERVE_MIB > maxMiB) {
            throw new UsageException("-m: " + ramMiB + " MiB of guest RAM does not fit in this JVM's heap ("
                    + maxMiB + " MiB, " + HEAP_RESERVE_MIB + " MiB of it the emulator's own); give the JVM more, e.g."
                    + " ALOS_JAVA_OPTS='-XX:+UseSerialGC -Xmx" + ((ramMiB + HEAP_RESERVE_MIB) / 1024 + 1) + "g'");
        }
    }

    /**
     * Logback reads its configuration on first use, a few hundred milliseconds of work that
     * would otherwise fall into the first bundle to log; done here it overlaps Felix's start.
     */
    private static void warmUpLogging() {
        Thread t = new Thread(() -> org.slf4j.LoggerFactory.getLogger("alos"), "alos-logging-init");
        t.setDaemon(true);
        t.start();
    }

    private static void checkNetdevReferences(MachineConfig config) throws UsageException {
        Set<String> ids = new HashSet<>();
        for (ConfigEntry e : config.entries()) {
            if (e.isFactory() && e.factoryPid().startsWith(MachineConfig.NETDEV_PREFIX)) {
                ids.add(e.properties().get("id"));
            }
        }
        MachineConfig.checkNetdevChains(config.entries().stream().filter(e -> e.isFactory()
                && e.factoryPid().startsWith(MachineConfig.NETDEV_PREFIX)).toList(), "netdev");
        for (ConfigEntry e : config.entries()) {
            String ref = e.properties().get("netdev");
            if (e.isFactory() && ref != null && !ids.contains(ref)) {
                throw new UsageException(e.name() + ": netdev '" + ref + "' does not exist (netdevs: "
                        + (ids.isEmpty() ? "none" : String.join(", ", ids)) + ")");
            }
        }
    }
}

package org.alosj.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Boots Felix: a fresh bundle cache every run (so bundle ids are the same on every boot),
 * bundles installed in the order of {@code conf/bundles.list}, Configuration Admin fed before
 * any hardware or OS bundle starts, the Gogo console started last so its prompt follows the
 * boot line.
 */
final class Launcher {
    static final String CONFIGURATION_ADMIN = "org.osgi.service.cm.ConfigurationAdmin";
    static final String COMMAND_PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    static final String SYSTEM_CLOCK = "org.alosj.kernel.time.SystemClock";
    /** The shell's runner of shell text: the -c script and /config/startup.sh. */
    static final String SCRIPTS = "org.alosj.shell.console.Scripts";
    /** The shell's console: it takes the terminal, then shows the prompt. */
    static final String CONSOLE = "org.alosj.shell.console.Console";
    /** Gogo's builtins (echo, grep, each, if …); started last, it runs no console of its own. */
    static final String CONSOLE_BUNDLE = "org.apache.felix.gogo.jline";
    static final String JLINE_BUNDLE = "org.jline";
    static final String SHELL_BUNDLE = "org.alosj.shell";

    /** The framework property naming the driver repository's index (the kernel's driver locator reads it). */
    static final String DRIVER_REPOSITORY = "alos.driver.repository";

    /** The system property naming another deploy folder than the distribution's deploy/. */
    static final String DEPLOY_PROPERTY = "alos.deploy";

    /** What {@link #boot} returns when the guest reset the machine: boot it again. */
    static final int REBOOT = -1;
    /** The property of the launcher's power service: the board hands it power-off and reset. */
    static final String VMM_PROPERTY = "alos.vmm";

    private final Path home;
    private final MachineConfig config;
    private final PrintStream err;
    private final DeviceHotplug hotplug;
    private Path cache;

    /** {@code commandLine} parses the monitor's device_add as it parsed -device (null: none). */
    Launcher(Path home, MachineConfig config, CommandLine commandLine, PrintStream err) {
        this.home = home;
        this.config = config;
        this.err = err;
        this.hotplug = commandLine == null ? null : new DeviceHotplug(commandLine, config);
    }

    /**
     * Boots the machine and runs {@code script} or the console; returns the exit status, or
     * {@link #REBOOT} when the guest reset the machine. {@code since} is when this boot began;
     * {@code diskCopy}, if not null, the default disk's copy under way, awaited before any
     * bundle starts.
     */
    int boot(String script, PrintStream out, Instant since, DefaultDisk.Copy diskCopy) throws Exception {
        Instant jvmStart = since;
        Properties versions = new Properties();
        try (InputStream in = Launcher.class.getResourceAsStream("launcher.properties")) {
            versions.load(in);
        }
        cache = BundleCacheDir.create();
        Map<String, String> props = new HashMap<>();
        props.put("org.osgi.framework.storage", cache.toString());
        props.put("org.osgi.framework.storage.clean", "onFirstInit");
        String slf4j = versions.getProperty("slf4j.version");
        String logback = versions.getProperty("logback.version");
        props.put("org.osgi.framework.system.packages.extra", String.join(",",
                "org.slf4j;version=" + slf4j, "org.slf4j.event;version=" + slf4j,
                "org.slf4j.helpers;version=" + slf4j, "org.slf4j.spi;version=" + slf4j,
                "ch.qos.logback.classic;version=" + logback, "ch.qos.logback.classic.spi;version=" + logback,
                "ch.qos.logback.core;version=" + logback));
        // Gogo's own console stays off: the shell bundle's console (org.alosj.shell.console) takes the terminal.
        props.put("gosh.args", "--nointeractive --noshutdown");
        props.put("gosh.home", home.toString());
        props.put("felix.log.level", "1");
        // The driver repository the kernel's driver locator installs missing drivers from.
        Path driverIndex = home.resolve("repository/index.xml");
        if (Files.isRegularFile(driverIndex)) {
            props.put(DRIVER_REPOSITORY, driverIndex.toUri().toString());
        }
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        Framework framework = factory.newFramework(props);
        trace("Felix starting");
        framework.init();
        trace("Felix initialised");
        Thread hook = new Thread(() -> stopQuietly(framework), "alos-shutdown");
        DeployFolder deploy = null;
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            BundleContext ctx = framework.getBundleContext();
            AtomicReference<String> power = new AtomicReference<>();
            registerPowerService(ctx, framework, power);
            if (hotplug != null) {
                hotplug.register(ctx);
            }
            List<Bundle> bundles = install(ctx);
            trace("installed " + bundles.size() + " bundles");
            if (diskCopy != null) {
                diskCopy.await();
                trace("default disk ready");
            }
            framework.start();
            // One resolution of every bundle, not one a start: the same wires, a fraction of the work.
            framework.adapt(FrameworkWiring.class).resolveBundles(bundles);
            trace("resolved");
            Bundle console = null;
            for (Bundle b : bundles) {
                if (CONSOLE_BUNDLE.equals(b.getSymbolicName())) {
                    console = b;
                }
            }
            // Without a terminal (a script, input from a pipe) a dumb one is what is wanted: say so,
            // or JLine warns that it fell back to one. On a terminal JLine still uses it.
            System.setProperty("org.jline.terminal.dumb", "true");
            FutureTask<Void> consoleStart = null;
            for (Bundle b : bundles) {
                if (b == console) {
                    continue;
                }
                start(b);
                if ("org.apache.felix.configadmin".equals(b.getSymbolicName())) {
                    applyConfiguration(ctx);
                }
                if (consoleStart == null && console != null && SHELL_BUNDLE.equals(b.getSymbolicName())) {
                    consoleStart = startConsoleBeside(ctx, console, bundles, script == null);
                }
            }
            deploy = deployFolder(ctx);
            long bootMs = Duration.between(jvmStart, Instant.now()).toMillis();
            Long kernelMs = kernelBootMillis(ctx);
            if (kernelMs == null) {
                err.println("alos: the kernel is not running; see " + System.getProperty("alos.run") + "/alosj.log");
            }
            err.println("ALOS/J booted in " + bootMs + " ms" + (kernelMs == null ? "" : " (kernel " + kernelMs + " ms)"));
            if (console == null) {
                err.println("alos: no console bundle (" + CONSOLE_BUNDLE + ") in the distribution");
                return 1;
            }
            Object scripts = service(ctx, SCRIPTS);
            Object shellConsole = service(ctx, CONSOLE);
            if (scripts == null || shellConsole == null) {
                err.println("alos: the shell is not running; see " + System.getProperty("alos.run") + "/alosj.log");
                return 1;
            }
            if (consoleStart != null) {
                try {
                    consoleStart.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            } else {
                if (script == null) {
                    openTerminal(shellConsole);
                }
                startConsole(console, bundles);
            }
            InputStream none = new ByteArrayInputStream(new byte[0]);
            call(scripts, "runStartup", none, out, err);
            trace("startup script done");
            int status = 0;
            if (script != null) {
                onInterrupt(() -> {
                    try {
                        call(scripts, "interrupt");
                    } catch (Exception e) {
                        err.println("alos: " + e.getMessage());
                    }
                });
                try {
                    status = (Integer) call(scripts, "run", script, none, out, err);
                } catch (Exception e) {
                    if (power.get() == null) {
                        throw e;
                    }
                    // The machine went down under the script (the power button, a reset from
                    // elsewhere): what ran on it ends with it, as on a real machine.
                    status = 0;
                }
            } else {
                call(shellConsole, "start");
            }
            if (script == null || power.get() != null) {
                framework.waitForStop(0);
            }
            return RESET.equals(power.get()) ? REBOOT : status;
        } finally {
            if (deploy != null) {
                deploy.close();
            }
            stopQuietly(framework);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
            deleteCache();
        }
    }

    /**
     * Watches the deploy folder ({@code deploy/} of the distribution, or the system property
     * {@value #DEPLOY_PROPERTY}); none if it does not exist.
     */
    private DeployFolder deployFolder(BundleContext ctx) {
        String configured = System.getProperty(DEPLOY_PROPERTY);
        Path dir = configured != null ? Path.of(configured) : home.resolve("deploy");
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try {
            DeployFolder d = new DeployFolder(dir, ctx, err);
            d.start();
            return d;
        } catch (IOException e) {
            err.println("alos: deploy folder " + dir + ": " + e.getMessage());
            return null;
        }
    }

    private List<Bundle> install(BundleContext ctx) throws IOException, BundleException {
        Path list = home.resolve("conf/bundles.list");
        if (!Files.isRegularFile(list)) {
            throw new IllegalStateException("missing " + list);
        }
        List<Bundle> bundles = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Path jar = home.resolve("bundles").resolve(name);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("bundle " + jar + " listed in " + list + " is missing");
            }
            bundles.add(ctx.installBundle("reference:" + jar.toUri()));
        }
        return bundles;
    }

    /**
     * Gogo's console bundle brings its builtins (echo, grep, each, if …); with --nointeractive it
     * reads its profile and leaves the terminal alone. Its start (a dumb terminal, the profile:
     * ~60 ms of CPU) needs only Gogo and the shell, so once the shell's console is up it runs on
     * a thread of its own beside the bundles that follow; the console takes the terminal first.
     * Null if the shell's console is not up yet: the caller starts Gogo's console later itself.
     */
    private FutureTask<Void> startConsoleBeside(BundleContext ctx, Bundle console, List<Bundle> bundles, boolean interactive)
            throws Exception {
        Object shellConsole = service(ctx, CONSOLE);
        if (shellConsole == null || service(ctx, SCRIPTS) == null) {
            return null;
        }
        if (interactive) {
            openTerminal(shellConsole);
        }
        // A failure is the boot's, reported where the boot waits for it (not a stack trace here).
        FutureTask<Void> task = new FutureTask<>(() -> {
            startConsole(console, bundles);
            return null;
        });
        new Thread(task, "alos-console-start").start();
        return task;
    }

    /** JLine allows one system terminal a JVM: the console takes it before Gogo's bundle starts. */
    private static void openTerminal(Object shellConsole) throws Exception {
        call(shellConsole, "open", Path.of(System.getProperty("alos.run")).resolve("shell.history").toString());
    }

    /**
     * Starts Gogo's console. JLine (3.24 and later) finds its terminal providers (exec, FFM, JNI)
     * through the thread context class loader, which in a framework is not JLine's: with no
     * provider every terminal becomes a dumb one, without line editing. The console's shell
     * thread is created while its bundle starts and inherits this thread's context loader, so
     * JLine's own loader is set for that moment.
     */
    private void startConsole(Bundle console, List<Bundle> bundles) {
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        for (Bundle b : bundles) {
            BundleWiring wiring = JLINE_BUNDLE.equals(b.getSymbolicName()) ? b.adapt(BundleWiring.class) : null;
            if (wiring != null) {
                self.setContextClassLoader(wiring.getClassLoader());
            }
        }
        try {
            start(console);
        } finally {
            self.setContextClassLoader(before);
        }
    }

    private void start(Bundle b) {
        try {
            if (b.getHeaders().get("Fragment-Host") == null) {
                long t0 = System.nanoTime();
                b.start();
                trace("started " + b.getSymbolicName() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
        } catch (BundleException e) {
            err.println("alos: bundle " + b.getSymbolicName() + " did not start: " + e.getMessage());
        }
    }

    /** Hands every configuration to Configuration Admin (reflection: its API is the bundle's). */
    private void applyConfiguration(BundleContext ctx) throws Exception {
        ServiceReference<?> ref = ctx.getServiceReference(CONFIGURATION_ADMIN);
        if (ref == null) {
            throw new IllegalStateException("Configuration Admin did not start");
        }
        Object admin = ctx.getService(ref);
        for (ConfigEntry e : config.entries()) {
            DeviceHotplug.put(admin, e);
        }
        ctx.ungetService(ref);
    }

    private static Long kernelBootMillis(BundleContext ctx) {
        ServiceReference<?> ref = ctx.getServiceReference(SYSTEM_CLOCK);
        if (ref == null) {
            return null;
        }
        Object clock = ctx.getService(ref);
        try {
            Class<?> api = clock.getClass().getClassLoader().loadClass(SYSTEM_CLOCK);
            return (Long) api.getMethod("bootMillis").invoke(clock);
        } catch (ReflectiveOperationException e) {
            return null;
        } finally {
            ctx.ungetService(ref);
        }
    }

    /**
     * Ctrl-C while a -c script runs. Gogo's own console bundle holds the terminal's signals
     * (and ignores them): without this, Ctrl-C could not stop {@code alos -c 'sleep 100'}.
     */
    @SuppressWarnings("removal")
    private static void onInterrupt(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT here (or the JVM's -Xrs): Ctrl-C keeps its default
        }
    }

    static final String POWER_OFF = "poweroff";
    static final String RESET = "reset";

    /**
     * The board's line to whoever runs the machine (QEMU's shutdown and reset requests): a
     * {@code Consumer<String>} with {@code alos.vmm=power}, a JDK type both sides know. Power-off
     * and reset both stop the framework; which one it was decides whether it boots again.
     */
    private void registerPowerService(BundleContext ctx, Framework framework, AtomicReference<String> power) {
        Consumer<String> vmm = request -> {
            if (!POWER_OFF.equals(request) && !RESET.equals(request)) {
                return;
            }
            if (power.compareAndSet(null, request)) {
                // Not on the guest's thread: stopping waits for the bundles, the kernel's among them.
                Thread t = new Thread(() -> stopQuietly(framework), "alos-" + request);
                t.start();
            }
        };
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(VMM_PROPERTY, "power");
        ctx.registerService(Consumer.class.getName(), vmm, props);
    }

    /** The service registered under {@code name}, or null. */
    private static Object service(BundleContext ctx, String name) {
        ServiceReference<?> ref = ctx.getServiceReference(name);
        return ref == null ? null : ctx.getService(ref);
    }

    /**
     * Calls {@code method} of a bundle's service (its classes are the bundle's, not the
     * launcher's); the arguments' types are the JDK's. A failure inside is the command's.
     */
    private static Object call(Object service, String method, Object... args) throws Exception {
        for (Method m : service.getClass().getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(service, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            }
        }
        throw new IllegalStateException(service.getClass().getName() + " has no method " + method);
    }

    /**
     * With -Dalos.boot.trace=true, where boot time goes: ms since the JVM started, and the CPU
     * time this thread has used (on a busy machine the steadier figure of the two).
     */
    private void trace(String what) {
        trace(err, what);
    }

    static void trace(PrintStream err, String what) {
        if (Boolean.getBoolean("alos.boot.trace")) {
            long since = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000;
            err.println("[" + since + " ms, cpu " + cpu + " ms] " + what);
        }
    }

    private void stopQuietly(Framework framework) {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                framework.stop();
                framework.waitForStop(10_000);
            }
        } catch (BundleException | InterruptedException e) {
            err.println("alos: stopping the framework: " + e.getMessage());
        }
    }

    private void deleteCache() {
        if (cache == null) {
            return;
        }
        BundleCacheDir.delete(cache);
    }
}

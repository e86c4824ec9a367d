package org.alosj.launcher;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The launcher's half of the monitor's {@code device_add} and {@code device_del}: a device is a
 * Configuration Admin factory configuration that its model bundle consumes, whether it came
 * from {@code -device} at launch or from the monitor at run time, so both go through
 * {@link CommandLine}'s parsing and {@link #put}. Offered to the bundles as two
 * {@code UnaryOperator<String>} services (a JDK type both sides know) with {@code alos.vmm}
 * {@value #ADD} and {@value #DEL}; a refusal is an {@link IllegalArgumentException} whose
 * message is the one line to show.
 */
final class DeviceHotplug {
    static final String ADD = "device_add";
    static final String DEL = "device_del";
    static final String CONFIGURATION = "org.osgi.service.cm.Configuration";

    private final CommandLine commandLine;
    private final MachineConfig config;

    DeviceHotplug(CommandLine commandLine, MachineConfig config) {
        this.commandLine = commandLine;
        this.config = config;
    }

    void register(BundleContext ctx) {
        Dictionary<String, Object> add = new Hashtable<>();
        add.put(Launcher.VMM_PROPERTY, ADD);
        ctx.registerService(UnaryOperator.class.getName(), (UnaryOperator<String>) spec -> add(ctx, spec), add);
        Dictionary<String, Object> del = new Hashtable<>();
        del.put(Launcher.VMM_PROPERTY, DEL);
        ctx.registerService(UnaryOperator.class.getName(), (UnaryOperator<String>) id -> delete(ctx, id), del);
    }

    /** Parses {@code spec} as {@code -device} does and creates its configuration; returns its id. */
    String add(BundleContext ctx, String spec) {
        Set<String> netdevs = new HashSet<>();
        for (ConfigEntry e : config.entries()) {
            if (e.isFactory() && e.factoryPid().startsWith(MachineConfig.NETDEV_PREFIX)) {
                netdevs.add(e.properties().get("id"));
            }
        }
        ConfigEntry device;
        try {
            device = commandLine.parseHotplugDevice(spec, netdevs);
        } catch (UsageException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        withAdmin(ctx, admin -> {
            if (find(admin, device.name()) != null) {
                throw new IllegalArgumentException("device_add: duplicate ID '" + device.name() + "' for device");
            }
            put(admin, device);
            return null;
        });
        return device.name();
    }

    /** Deletes the configuration of the device {@code id}; its model then leaves the machine. */
    String delete(BundleContext ctx, String id) {
        return withAdmin(ctx, admin -> {
            Object c = find(admin, id);
            if (c == null) {
                throw new IllegalArgumentException("device_del: device '" + id + "' not found");
            }
            invoke(c, "delete");
            return id;
        });
    }

    /** The configuration of the device named {@code id}, or null. */
    private static Object find(Object admin, String id) {
        if (!id.matches("[A-Za-z][A-Za-z0-9_.-]{0,31}")) {
            return null;
        }
        Object[] found = (Object[]) invoke(admin, "listConfigurations",
                "(&(service.factoryPid=" + MachineConfig.DEVICE_PREFIX + "*)(name=" + id + "))");
        return found == null || found.length == 0 ? null : found[0];
    }

    /** Creates or updates one configuration: what boot does for every entry, and device_add for one. */
    static void put(Object admin, ConfigEntry e) {
        Object configuration = e.isFactory()
                ? invoke(admin, "getFactoryConfiguration", e.factoryPid(), e.name(), "?")
                : invoke(admin, "getConfiguration", e.pid(), "?");
        Dictionary<String, Object> d = new Hashtable<>(e.properties());
        invoke(configuration, "update", d);
    }

    private interface AdminWork<T> {
        T apply(Object admin);
    }

    private static <T> T withAdmin(BundleContext ctx, AdminWork<T> work) {
        ServiceReference<?> ref = ctx.getServiceReference(Launcher.CONFIGURATION_ADMIN);
        Object admin = ref == null ? null : ctx.getService(ref);
        if (admin == null) {
            throw new IllegalStateException("Configuration Admin is not running");
        }
        try {
            return work.apply(admin);
        } finally {
            ctx.ungetService(ref);
        }
    }

    /**
     * Calls a Configuration Admin method by name and argument count: its classes are its
     * bundle's, so the launcher reaches them by reflection, with the JDK's types as arguments.
     */
    static Object invoke(Object target, String method, Object... args) {
        for (Method m : publicInterfaceMethods(target.getClass())) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length
                    && accepts(m.getParameterTypes(), args)) {
                try {
                    m.setAccessible(true);
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    throw new IllegalStateException(cause.getMessage() == null ? cause.toString() : cause.getMessage(),
                            cause);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException(target.getClass().getName() + " has no method " + method);
    }

    private static boolean accepts(Class<?>[] types, Object[] args) {
        for (int i = 0; i < types.length; i++) {
            if (args[i] != null && !types[i].isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    /** The methods of the service's public interfaces (its class is the bundle's private one). */
    private static java.util.List<Method> publicInterfaceMethods(Class<?> type) {
        java.util.List<Method> out = new java.util.ArrayList<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                out.addAll(java.util.List.of(i.getMethods()));
            }
        }
        return out;
    }
}

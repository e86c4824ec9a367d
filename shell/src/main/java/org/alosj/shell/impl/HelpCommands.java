package org.alosj.shell.impl;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * help for the alos scope: finds the commands on Gogo's whiteboard (services with
 * {@code osgi.command.scope=alos}) and reads their {@link Descriptor}s, so a command bundle
 * documents itself and help follows bundles as they come and go.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = HelpCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=help",
})
public final class HelpCommands {
    static final String SCOPE = "alos";

    private final BundleContext context;

    @Activate
    public HelpCommands(BundleContext context) {
        this.context = context;
    }

    /** One command: its name and the methods Gogo may call for it. */
    record Command(String name, List<Method> methods) {
        String summary() {
            for (Method m : methods) {
                Descriptor d = m.getAnnotation(Descriptor.class);
                if (d != null) {
                    return d.value().lines().findFirst().orElse("");
                }
            }
            return "";
        }
    }

    @Descriptor("list the alos commands, or describe one: help [COMMAND]")
    public void help(@Descriptor("command (optional)") String... command) throws InvalidSyntaxException {
        Map<String, Command> commands = commands();
        if (command.length == 0) {
            System.out.println("alos commands (help COMMAND for details):");
            for (Command c : commands.values()) {
                System.out.println(String.format("  %-12s %s", c.name(), c.summary()));
            }
            System.out.println("CMD --help describes CMD. Ctrl-C interrupts the command running; exit, quit or Ctrl-D"
                    + " leave the console (the machine stops); poweroff turns it off cleanly, reboot restarts it.");
        } else if (command.length == 1) {
            String name = command[0].startsWith(SCOPE + ":") ? command[0].substring(SCOPE.length() + 1) : command[0];
            Command c = commands.get(name);
            if (c == null) {
                throw new IllegalArgumentException("help: no alos command '" + command[0] + "' (commands: "
                        + String.join(", ", commands.keySet()) + ")");
            }
            System.out.print(details(c));
        } else {
            throw new IllegalArgumentException("usage: help [COMMAND]");
        }
        System.out.flush();
    }

    static String details(Command c) {
        StringBuilder out = new StringBuilder();
        for (Method m : c.methods()) {
            out.append("usage: ").append(c.name());
            for (Parameter p : m.getParameters()) {
                if (p.getType() == CommandSession.class) {
                    continue;
                }
                Descriptor pd = p.getAnnotation(Descriptor.class);
                String what = pd != null ? pd.value() : p.getType().getSimpleName();
                boolean spelled = what.contains("[") || what.contains("...") || what.equals(what.toUpperCase());
                out.append(spelled ? " " + what : p.isVarArgs() ? " [" + what + "...]" : " <" + what + ">");
            }
            out.append('\n');
            Descriptor d = m.getAnnotation(Descriptor.class);
            if (d != null) {
                d.value().lines().forEach(l -> out.append("  ").append(l).append('\n'));
            }
        }
        return out.toString();
    }

    /** The whiteboard's alos commands now, by name. */
    private Map<String, Command> commands() throws InvalidSyntaxException {
        Map<String, Command> out = new TreeMap<>();
        // By filter alone: command services are registered under their own classes, and a class
        // argument of Object would match only services registered as java.lang.Object.
        ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(osgi.command.scope=" + SCOPE + ")");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Object service = context.getService(ref);
            if (service == null) {
                continue;
            }
            try {
                for (String function : functions(ref.getProperty("osgi.command.function"))) {
                    List<Method> methods = new ArrayList<>();
                    // A name Java cannot spell (mkfs.ext2) is documented by a method with '_' for '.'.
                    String javaName = function.replace('.', '_');
                    for (Method m : service.getClass().getMethods()) {
                        if (m.getName().equalsIgnoreCase(function) || m.getName().equalsIgnoreCase(javaName)) {
                            methods.add(m);
                        }
                    }
                    out.put(function, new Command(function, methods));
                }
            } finally {
                context.ungetService(ref);
            }
        }
        return out;
    }

    private static List<String> functions(Object property) {
        if (property instanceof String[] a) {
            return List.of(a);
        }
        if (property instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return property == null ? List.of() : List.of(String.valueOf(property));
    }
}

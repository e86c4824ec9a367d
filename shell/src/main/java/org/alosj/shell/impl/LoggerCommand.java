package org.alosj.shell.impl;

import java.util.Arrays;
import java.util.Locale;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * logger: a line from the shell into the kernel log (dmesg, COM1 and run/alosj.log), as
 * util-linux's logger writes to the system log. Scripts mark their steps with it, so what they
 * did can be lined up with what the kernel did, by the log's timestamps.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = LoggerCommand.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=logger",
})
public final class LoggerCommand {
    /** syslog's facility for messages of user programs. */
    private static final Logger LOG = LoggerFactory.getLogger("user");

    @Descriptor("write a message to the kernel log (dmesg): logger [-p [user.]err|warning|notice|info|debug] MESSAGE")
    public void logger(@Descriptor("[-p PRIORITY] MESSAGE") String... args) {
        Level level = Level.INFO;
        int from = 0;
        if (args.length > 0 && args[0].equals("-p")) {
            if (args.length < 2) {
                throw new IllegalArgumentException("logger: -p needs a priority (err, warning, notice, info, debug)");
            }
            level = priority(args[1]);
            from = 2;
        }
        if (from >= args.length) {
            throw new IllegalArgumentException("logger: no message");
        }
        LOG.atLevel(level).log(String.join(" ", Arrays.copyOfRange(args, from, args.length)));
    }

    /** syslog's priority names (facility user or none) on SLF4J's levels; notice is info, as klog has no notice. */
    static Level priority(String name) {
        String p = name.toLowerCase(Locale.ROOT);
        if (p.startsWith("user.")) {
            p = p.substring(5);
        }
        return switch (p) {
            case "emerg", "alert", "crit", "err", "error" -> Level.ERROR;
            case "warning", "warn" -> Level.WARN;
            case "notice", "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            default -> throw new IllegalArgumentException("logger: unknown priority '" + name
                    + "' (expected err, warning, notice, info or debug)");
        };
    }
}

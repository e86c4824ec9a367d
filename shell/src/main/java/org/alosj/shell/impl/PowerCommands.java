package org.alosj.shell.impl;

import org.alosj.kernel.power.SystemPower;
import org.alosj.shell.console.ScriptRunner;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * poweroff, shutdown and reboot: through the kernel's power service (the PIIX4 PM function's
 * driver), which syncs and unmounts the filesystems and then asks the hardware; the shell then
 * stops reading, as the machine is going down.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = PowerCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=poweroff",
    "osgi.command.function=shutdown",
    "osgi.command.function=reboot",
})
public final class PowerCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SystemPower power;

    @Descriptor("sync and unmount the filesystems, then turn the machine off (ACPI S5); alos exits 0")
    public void poweroff(CommandSession session) {
        power("poweroff").powerOff();
        session.put(ScriptRunner.EXIT, 0);
    }

    @Descriptor("sync and unmount the filesystems, then reset the machine (0xCF9): it boots again")
    public void reboot(CommandSession session) {
        power("reboot").reboot();
        session.put(ScriptRunner.EXIT, 0);
    }

    @Descriptor("power off (-h, -P, the default) or reboot (-r) the machine: shutdown [-h|-P|-r] [now]")
    public void shutdown(CommandSession session, @Descriptor("[-h|-P|-r] [now]") String... args) {
        boolean reboot = false;
        for (String a : args) {
            switch (a) {
                case "-r" -> reboot = true;
                case "-h", "-P", "now", "+0" -> {
                }
                default -> throw new IllegalArgumentException("shutdown: unsupported argument '" + a
                        + "' (expected -h, -P, -r or now)");
            }
        }
        if (reboot) {
            reboot(session);
        } else {
            poweroff(session);
        }
    }

    private SystemPower power(String cmd) {
        SystemPower p = power;
        if (p == null) {
            throw new IllegalStateException(cmd + ": no power management (the PIIX4 PM function 00:01.3 has no driver)");
        }
        return p;
    }
}

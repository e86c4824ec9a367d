package org.alosj.shell.console;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.VfsContext;
import org.alosj.shell.impl.ShellContexts;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/** The console's own verbs: exit and quit (leave the console), source (run a script of the VFS). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = ConsoleCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=exit",
    "osgi.command.function=quit",
    "osgi.command.function=source",
})
public final class ConsoleCommands {
    private final ShellContexts contexts;

    @Activate
    public ConsoleCommands(@Reference ShellContexts contexts) {
        this.contexts = contexts;
    }

    @Descriptor("leave the console (the machine stops, as Ctrl-D); with -c, end the script with STATUS: exit [STATUS]")
    public void exit(CommandSession session, @Descriptor("[STATUS]") String... status) {
        int code = 0;
        if (status.length > 1) {
            throw new IllegalArgumentException("exit: too many arguments");
        }
        if (status.length == 1) {
            try {
                code = Integer.parseInt(status[0]) & 0xFF;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("exit: " + status[0] + ": numeric argument required");
            }
        }
        session.put(ScriptRunner.EXIT, code);
    }

    @Descriptor("leave the console, as exit")
    public void quit(CommandSession session) {
        exit(session);
    }

    @Descriptor("run a script of the VFS in this shell, one command a line (sh's '.'); its status is the last command's")
    public void source(CommandSession session, @Descriptor("FILE") String file) throws Exception {
        String script = read(contexts.of(session), file, "source");
        int status = ScriptRunner.run(session, script, System.out, System.err, () -> Thread.currentThread().isInterrupted());
        if (status != 0 && !ScriptRunner.exitRequested(session)) {
            throw new ScriptFailed("source: " + file + ": the last command failed (status " + status + ")");
        }
    }

    /** A script file of the VFS as text. */
    static String read(VfsContext c, String file, String cmd) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            org.alosj.shell.impl.FileCommands.readAll(c, file, (data, n) -> bytes.write(data, 0, n));
        } catch (FsException e) {
            throw new ScriptFailed(cmd + ": " + file + ": " + e.errno().text());
        } catch (Exception e) {
            throw new ScriptFailed(cmd + ": " + file + ": " + e.getMessage());
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A failure whose message is the whole story (the statements said theirs already). */
    static final class ScriptFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ScriptFailed(String message) {
            super(message, null, false, false);
        }
    }
}

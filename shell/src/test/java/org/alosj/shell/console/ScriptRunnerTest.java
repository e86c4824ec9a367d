package org.alosj.shell.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shell text through the real Gogo runtime, as the console and alos -c run it. */
class ScriptRunnerTest {
    ThreadIOImpl tio;
    CommandProcessorImpl processor;
    ByteArrayOutputStream out;
    ByteArrayOutputStream err;
    ConsoleSession session;
    final Commands commands = new Commands();

    /** Commands standing in for the alos scope's. */
    public static final class Commands {
        final CountDownLatch printing = new CountDownLatch(1);
        final AtomicInteger afterInterrupt = new AtomicInteger();

        @Descriptor("say TEXT")
        public void say(String text) {
            System.out.println(text);
        }

        public void fail() {
            throw new IllegalStateException("fail: it did not work");
        }

        public void wrapped() {
            throw new RuntimeException(new java.io.IOException("disk on fire"));
        }

        public void npe() {
            throw new NullPointerException();
        }

        /** cat /dev/zero: prints until interrupted, then once more, as a command that misses the interrupt would. */
        public void zeros() {
            byte[] block = new byte[4096];
            printing.countDown();
            while (!Thread.currentThread().isInterrupted()) {
                System.out.write(block, 0, block.length);
            }
            System.out.write(block, 0, 10);
            afterInterrupt.incrementAndGet();
        }
    }

    @BeforeEach
    void gogo() {
        tio = new ThreadIOImpl();
        tio.start();
        processor = new CommandProcessorImpl(tio);
        for (String f : new String[] {"say", "fail", "wrapped", "npe", "zeros"}) {
            processor.addCommand("alos", commands, f);
        }
        ConsoleCommands console = new ConsoleCommands(null);
        processor.addCommand("alos", console, "exit");
        processor.addCommand("alos", console, "quit");
        processor.addCommand("alos", new HelpStandIn(), "help");
        org.apache.felix.gogo.jline.Builtin builtin = new org.apache.felix.gogo.jline.Builtin();
        for (String f : new String[] {"new", "history", "keymap"}) {
            processor.addCommand("gogo", builtin, f);
        }
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        session = new ConsoleSession(processor, InputStream.nullInputStream(), out, err);
        session.put("SCOPE", "alos:gogo:*");
    }

    /** help as the alos scope's: names what it was asked about. */
    public static final class HelpStandIn {
        public void help(String command) {
            System.out.println("usage: " + command);
        }
    }

    @AfterEach
    void stop() {
        session.close();
        tio.stop();
    }

    int run(String script) {
        out.reset();
        err.reset();
        return ScriptRunner.run(session, script, new PrintStream(out, true), new PrintStream(err, true), () -> false);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void every_statement_runs_and_the_last_one_gives_the_status() {
        assertEquals(0, run("fail; say after"));
        assertEquals("after\n", out());
        assertEquals("fail: it did not work\n", err());
        assertEquals(1, run("say before; fail"));
        assertEquals("before\n", out());
    }

    @Test
    void errors_are_one_line_with_the_reason_and_no_java_type() {
        run("nosuch");
        assertEquals("alos: command not found: nosuch\n", err());
        run("wrapped");
        assertEquals("alos: disk on fire\n", err());
        run("npe");
        assertEquals("alos: internal error (null pointer exception); see alosj.log\n", err());
        run("say {");
        assertEquals(1, err().lines().count(), err());
        assertFalse(err().matches("(?s).*\\b(java|org)\\.[a-z]+\\..*"), err());
    }

    @Test
    void a_failure_inside_a_pipeline_is_the_same_one_line() {
        run("fail | say x");
        assertEquals("fail: it did not work\n", err());
        run("wrapped | say x");
        assertEquals("alos: disk on fire\n", err());
        run("say x | nosuch");
        assertFalse(err().contains("gogo:"), err());
        assertTrue(err().contains("command not found: nosuch"), err());
    }

    @Test
    void the_line_editors_verbs_in_a_script_say_so_in_one_line() {
        assertEquals(0, run("history"), err());
        assertEquals("", out() + err(), "no history in a script, as sh -c prints none");
        assertEquals(1, run("keymap"));
        assertEquals("keymap: only at the interactive console (it sets up its line editor)\n", err());
    }

    @Test
    void exit_ends_the_run_with_its_status() {
        assertEquals(3, run("say a; exit 3; say b"));
        assertEquals("a\n", out());
        assertTrue(ScriptRunner.exitRequested(session));
        assertFalse(ScriptRunner.exitRequested(session), "taken once");
        assertEquals(0, run("quit"));
        assertTrue(ScriptRunner.exitRequested(session));
        assertEquals(1, run("exit x"));
        assertEquals("exit: x: numeric argument required\n", err());
    }

    @Test
    void the_shell_reaches_no_java_object_and_no_host_file(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path canary = tmp.resolve("canary");
        java.nio.file.Files.writeString(canary, "SECRET");
        assertEquals(1, run("new java.io.FileReader " + canary));
        assertEquals("new: not available in the machine's shell (it would reach the host)\n", err());
        assertEquals(1, run("gogo:new java.io.File " + canary));
        assertEquals(1, run("\"x\" getClass"));
        assertEquals("alos: getClass: calling Java methods is off in the machine's shell\n", err());
        assertEquals(0, run("\"abc\" length"), "methods of plain values still work: " + err());
        assertEquals("3\n", out());
        java.nio.file.Path written = tmp.resolve("written");
        run("say leaked > " + written);
        assertFalse(java.nio.file.Files.exists(written), "no VFS here: a redirection goes nowhere, not to the host");
        assertFalse(out().contains("SECRET") || err().contains("SECRET"));
    }

    @Test
    void double_dash_help_runs_help_for_that_command() {
        assertEquals(0, run("say --help"));
        assertEquals("usage: say\n", out());
    }

    @Test
    void an_interrupted_printing_command_ends_and_the_session_still_prints() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger status = new AtomicInteger(-1);
        Thread console = new Thread(() -> status.set(ScriptRunner.run(session, "zeros", new PrintStream(out, true),
                new PrintStream(err, true), interrupted::get)));
        console.start();
        assertTrue(commands.printing.await(10, TimeUnit.SECONDS));
        Job job = null;
        for (int i = 0; i < 1000 && job == null; i++) {
            job = session.foregroundJob();
            Thread.sleep(1);
        }
        assertTrue(job != null, "the command is the foreground job");
        interrupted.set(true);
        job.interrupt(); // what the console's Ctrl-C handler does
        console.join(10_000);
        assertFalse(console.isAlive(), "the command ended");
        assertEquals(ScriptRunner.INTERRUPTED, status.get());
        // Gogo ends the job when it cancels the command's thread; the thread itself ends a moment later.
        for (int i = 0; i < 5000 && commands.afterInterrupt.get() == 0; i++) {
            Thread.sleep(1);
        }
        assertEquals(1, commands.afterInterrupt.get(), "the command saw its interrupt and ended");
        assertEquals("", err(), "an interrupt is not an error to report");
        assertEquals(0, run("say still-here"));
        assertEquals("still-here\n", out(), "the session's output survived the interrupt");
    }
}

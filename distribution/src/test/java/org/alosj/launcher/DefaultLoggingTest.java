package org.alosj.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultLoggingTest {
    private static final Path SHIPPED = Path.of("src/main/dist/conf/logback.xml");

    @TempDir
    Path run;

    @Test
    void theShippedConfigurationBuiltInCodeIsWhatLogbackReadsFromTheFile() throws Exception {
        LoggerContext fromXml = new LoggerContext();
        fromXml.putProperty("alos.run", run.toString());
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(SHIPPED.toFile());

        LoggerContext inCode = new LoggerContext();
        DefaultLogging defaults = new DefaultLogging();
        defaults.setContext(inCode);
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, defaults.configure(inCode, SHIPPED, run.toString()));

        assertEquals(describe(fromXml), describe(inCode));
        assertTrue(describe(inCode).contains(" file=" + run.resolve("alosj.log") + " "),
                "the log goes to the run directory: " + describe(inCode));
        fromXml.stop();
        inCode.stop();
    }

    @Test
    void anEditedConfigurationIsLeftToLogback() throws Exception {
        Path edited = run.resolve("logback.xml");
        Files.writeString(edited, Files.readString(SHIPPED).replace("<root level=\"INFO\">", "<root level=\"DEBUG\">"));
        LoggerContext context = new LoggerContext();
        DefaultLogging defaults = new DefaultLogging();
        defaults.setContext(context);
        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, defaults.configure(context, edited, run.toString()));
        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY,
                defaults.configure(context, run.resolve("missing.xml"), run.toString()));
        assertFalse(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());
        context.stop();
    }

    @Test
    void logbackFindsItAsAService() {
        List<String> found = new ArrayList<>();
        ServiceLoader.load(Configurator.class).forEach(c -> found.add(c.getClass().getName()));
        assertTrue(found.contains(DefaultLogging.class.getName()), "configurators found: " + found);
    }

    /** What matters of a context's set-up, as text: the root's level and each appender's settings. */
    private static String describe(LoggerContext context) {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        StringBuilder s = new StringBuilder("root " + root.getLevel());
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            s.append('\n').append(a.getName()).append(' ').append(a.getClass().getSimpleName());
            s.append(" started=").append(a.isStarted());
            if (a instanceof FileAppender<ILoggingEvent> f) {
                s.append(" file=").append(f.getFile()).append(" append=").append(f.isAppend());
            }
            if (a instanceof ConsoleAppender<ILoggingEvent> c) {
                s.append(" target=").append(c.getTarget());
            }
            if (a instanceof OutputStreamAppender<ILoggingEvent> o) {
                PatternLayoutEncoder e = (PatternLayoutEncoder) o.getEncoder();
                s.append(" pattern=").append(e.getPattern()).append(" immediateFlush=").append(o.isImmediateFlush());
            }
            a.getCopyOfAttachedFiltersList().forEach(f -> s.append(" filter=").append(f.getClass().getSimpleName()));
            s.append(" WARN passes=").append(passes(a, ch.qos.logback.classic.Level.WARN))
                    .append(" INFO passes=").append(passes(a, ch.qos.logback.classic.Level.INFO));
        }
        return s.toString();
    }

    private static boolean passes(Appender<ILoggingEvent> a, ch.qos.logback.classic.Level level) {
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent();
        event.setLevel(level);
        event.setMessage("probe");
        return a.getFilterChainDecision(event) != ch.qos.logback.core.spi.FilterReply.DENY;
    }
}

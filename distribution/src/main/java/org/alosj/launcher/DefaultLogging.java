package org.alosj.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The distribution's logging set-up, conf/logback.xml as shipped, built in code. Logback's XML
 * reader (Joran) costs about 120 ms of CPU and 350 classes at every boot; this does the same in
 * a few milliseconds. It acts only while the configuration file is byte for byte the shipped
 * one (a copy is in this jar): a file the user edited, or another one named by
 * {@code logback.configurationFile}, is read by Logback as usual. Logback finds this class
 * through the service loader before its own configurators.
 */
public final class DefaultLogging extends ContextAwareBase implements Configurator {
    /** Where the build puts the shipped conf/logback.xml in this jar. */
    static final String SHIPPED = "logback.xml";
    static final String FILE_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";
    static final String CONSOLE_PATTERN = "%-5level %logger{24}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String file = System.getProperty("logback.configurationFile");
        String run = System.getProperty("alos.run");
        if (file == null || run == null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        return configure(context, Path.of(file), run);
    }

    /** Configures {@code context} as {@code file} would if it is the shipped one; otherwise leaves it to Logback. */
    ExecutionStatus configure(LoggerContext context, Path file, String runDir) {
        if (!isShipped(file)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        FileAppender<ILoggingEvent> toFile = new FileAppender<>();
        toFile.setContext(context);
        toFile.setName("FILE");
        toFile.setFile(Path.of(runDir, "alosj.log").toString());
        toFile.setAppend(false);
        toFile.setEncoder(encoder(context, FILE_PATTERN));
        toFile.start();

        ThresholdFilter warnings = new ThresholdFilter();
        warnings.setContext(context);
        warnings.setLevel(Level.WARN.levelStr);
        warnings.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setTarget("System.err");
        console.addFilter(warnings);
        console.setEncoder(encoder(context, CONSOLE_PATTERN));
        console.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(toFile);
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(context);
        e.setPattern(pattern);
        e.start();
        return e;
    }

    private static boolean isShipped(Path file) {
        try (InputStream shipped = DefaultLogging.class.getResourceAsStream(SHIPPED)) {
            return shipped != null && Arrays.equals(shipped.readAllBytes(), Files.readAllBytes(file));
        } catch (IOException unreadable) {
            return false; // Logback reports it in its own words
        }
    }
}

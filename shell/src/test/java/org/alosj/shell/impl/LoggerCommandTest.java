package org.alosj.shell.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** logger puts one line into the log the kernel log collects, at the syslog priority asked for. */
class LoggerCommandTest {
    private final Logger user = (Logger) LoggerFactory.getLogger("user");
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    @BeforeEach
    void listen() {
        seen.start();
        user.addAppender(seen);
    }

    @AfterEach
    void stopListening() {
        user.detachAppender(seen);
    }

    @Test
    void theWordsBecomeOneInfoLineOfTheUserLogger() {
        new LoggerCommand().logger("ext2", "stream:", "started");
        assertEquals(1, seen.list.size());
        assertEquals("ext2 stream: started", seen.list.get(0).getFormattedMessage());
        assertEquals(Level.INFO, seen.list.get(0).getLevel());
    }

    @Test
    void dashPSetsThePriorityWithOrWithoutTheUserFacility() {
        new LoggerCommand().logger("-p", "user.warning", "disk", "nearly", "full");
        new LoggerCommand().logger("-p", "err", "gone");
        assertEquals(Level.WARN, seen.list.get(0).getLevel());
        assertEquals("disk nearly full", seen.list.get(0).getFormattedMessage());
        assertEquals(Level.ERROR, seen.list.get(1).getLevel());
    }

    @Test
    void noMessageOrAnUnknownPriorityIsAOneLineErrorAndLogsNothing() {
        assertEquals("logger: no message",
                assertThrows(IllegalArgumentException.class, () -> new LoggerCommand().logger()).getMessage());
        assertEquals("logger: unknown priority 'loud' (expected err, warning, notice, info or debug)",
                assertThrows(IllegalArgumentException.class,
                        () -> new LoggerCommand().logger("-p", "loud", "x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LoggerCommand().logger("-p"));
        assertEquals(0, seen.list.size());
    }
}

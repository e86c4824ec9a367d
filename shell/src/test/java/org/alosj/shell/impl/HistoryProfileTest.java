package org.alosj.shell.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.gogo.jline.Procedural;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How gogo.jline keeps history, checked with its real parts: gosh sets the session variable
 * {@code history-file} (default {@code ~/.gogo.history}) and builds the LineReader on the
 * session's variable map, so jline's DefaultHistory loads from and appends to whatever that
 * variable names. jline attaches (and so loads) the history at the first readLine, after gosh has
 * sourced the profile: one assignment in gosh_profile moves the file.
 */
class HistoryProfileTest {
    static final String PROFILE_LINES = """
            history-file = '%s'
            """;

    @TempDir
    Path dir;

    @Test
    void profileLinesMoveTheHistoryFileAndItSurvivesARestart() throws Exception {
        Path file = dir.resolve("var/gogo.history");
        Path home = dir.resolve("home/.gogo.history");
        run(home, file, "lspci -nn");                       // first run: the command lands in file
        assertTrue(Files.readString(file).contains("lspci -nn"), Files.readString(file));
        List<String> second = run(home, file, "devices");   // second run: the profile loads it back
        assertEquals(List.of("lspci -nn", "devices"), second);
        assertTrue(Files.notExists(home), "nothing written to the default file");
    }

    @Test
    void theDisksHistoryIsCopiedInTheFormatJlinesHistoryLoads() throws Exception {
        Path file = dir.resolve("run/shell.history");
        Files.createDirectories(file.getParent());
        Files.writeString(file, HistoryCommands.toJlineHistory("lspci -nn\n\necho a\\b\ndevices\n", 1_700_000_000_000L));
        List<String> loaded = run(dir.resolve("home/.gogo.history"), file, "date");
        assertEquals(List.of("lspci -nn", "echo a\\b", "devices", "date"), loaded);
    }

    /** One gosh-like run: default history-file, reader on the session's variables, profile, one command. */
    List<String> run(Path defaultFile, Path profileFile, String command) throws Exception {
        ThreadIOImpl tio = new ThreadIOImpl();
        tio.start();
        try (Terminal terminal = TerminalBuilder.builder().dumb(true)
                .streams(InputStream.nullInputStream(), new ByteArrayOutputStream()).build()) {
            CommandProcessorImpl processor = new CommandProcessorImpl(tio);
            processor.addCommand("gogo", new Procedural(), "if");
            CommandSessionImpl session = processor.createSession(InputStream.nullInputStream(),
                    new ByteArrayOutputStream(), new ByteArrayOutputStream());
            session.put(LineReader.HISTORY_FILE, defaultFile);              // what gosh does
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).variables(session.getVariables()).build();
            session.put(".reader", reader);
            session.execute(PROFILE_LINES.formatted(profileFile));
            reader.getHistory().attach(reader);                            // readLine's first step: loads
            reader.getHistory().add(command);                              // as readLine does
            List<String> lines = new ArrayList<>();
            for (History.Entry e : reader.getHistory()) {
                lines.add(e.line());
            }
            session.close();
            return lines;
        } finally {
            tio.stop();
        }
    }
}

package org.alosj.shell.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatementsTest {
    @Test
    void semicolons_and_line_ends_separate_statements_as_in_sh() {
        assertEquals(List.of("lspci -k", "uninstall 16", "lspci -k"), Statements.split("lspci -k; uninstall 16;lspci -k"));
        assertEquals(List.of("echo a", "echo b"), Statements.split("echo a\n\n  echo b  \n"));
    }

    @Test
    void quotes_closures_and_lists_keep_their_separators() {
        assertEquals(List.of("echo 'a; b'", "echo \"c\nd\""), Statements.split("echo 'a; b'; echo \"c\nd\""));
        assertEquals(List.of("each [1 2] { echo $it; echo x }", "echo y"),
                Statements.split("each [1 2] { echo $it; echo x }; echo y"));
        assertEquals(List.of("time {\n  lspci\n}"), Statements.split("time {\n  lspci\n}"));
    }

    @Test
    void comments_and_joined_lines_are_read_as_sh_reads_a_script() {
        assertEquals(List.of("echo a", "echo b c"), Statements.split("# startup\necho a # not a comment here\n"
                .replace("echo a # not a comment here", "echo a") + "echo b \\\nc\n"));
        assertEquals(List.of("echo a#b"), Statements.split("echo a#b"));
        assertEquals(List.of("echo x"), Statements.split("  # only a comment\necho x; # another"));
    }

    @Test
    void double_dash_help_on_a_simple_statement_asks_for_the_commands_help() {
        assertEquals("ls", Statements.helpRequest("ls --help"));
        assertEquals("lspci", Statements.helpRequest("lspci -k --help"));
        assertNull(Statements.helpRequest("ls -- --help"));
        assertNull(Statements.helpRequest("echo '--help'"));
        assertNull(Statements.helpRequest("lspci | grep --help"));
        assertNull(Statements.helpRequest("ls /tmp"));
    }

    @Test
    void double_dash_help_in_a_pipeline_asks_each_shell_command_for_its_help() {
        java.util.function.Predicate<String> ours = java.util.Set.of("ls", "lspci", "grep")::contains;
        assertEquals("alos:help ls | head -n 3", Statements.withHelp("ls --help | head -n 3", ours));
        assertEquals("lspci -k | alos:help grep", Statements.withHelp("lspci -k|grep x --help", ours));
        assertEquals("sort --help | head", Statements.withHelp("sort --help | head", ours), "not a shell command: its own");
        assertEquals("ls -- --help | head", Statements.withHelp("ls -- --help | head", ours));
        assertEquals("ls --help || echo x", Statements.withHelp("ls --help || echo x", ours));
        assertEquals("echo '--help' | grep x", Statements.withHelp("echo '--help' | grep x", ours));
        assertEquals("alos:help ls", Statements.withHelp("ls --help", ours));
    }
}

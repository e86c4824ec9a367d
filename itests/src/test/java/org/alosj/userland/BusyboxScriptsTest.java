package org.alosj.userland;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code busybox sh -c SCRIPT} on ALOS/J gives what the same busybox gives natively: each script
 * below runs on the host in a fresh {@link Fixture} tree (dates fixed, {@link GuestBatch#tree}) with
 * only busybox's applets on PATH, and on ALOS/J in the same tree on an attached disk with the same
 * binary and applet links ({@link GuestBatch}); standard output, standard error and exit status
 * must be equal, byte for byte.
 *
 * <p>The scripts are written to be deterministic: listings with numeric owners, directory sizes
 * and link counts masked (they are the filesystem's, not the program's) and dates fixed; {@code ps}
 * looked at through the pids the script knows; {@code kill} checked through exit statuses; what
 * depends on the order of a directory read sorted; nothing that depends on the host ({@code id},
 * {@code ulimit}, {@code df}) or on how long something takes. Without busybox, mkfs.ext2 or debugfs these tests
 * skip saying why; with CI=true they fail.
 */
class BusyboxScriptsTest {
    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    /** The environment of every script, host and guest alike, but for PATH. */
    private static final List<String> ENV = List.of("TZ=UTC0");
    /** The scripts checked by a method of their own below (so that one can be disabled alone). */
    private static final Set<String> OWN_METHOD = Set.of("ps");

    /** Name to script; see the class comment for how each is made deterministic. */
    static final Map<String, String> SCRIPTS = new LinkedHashMap<>();

    static {
        SCRIPTS.put("pipes", """
                cat notes.txt poem.txt | grep -v '^$' | wc -l
                cat notes.txt | tr a-z A-Z | head -n 2
                printf '%s\\n' c a b | sort | tr '\\n' ' '; echo
                seq 1 20000 | grep 7 | wc -l
                seq 1 20000 | md5sum
                ls sub | cat -n
                yes | head -n 3
                """);
        SCRIPTS.put("redirections", """
                echo one > f
                echo two >> f
                cat < f
                wc -c < f
                ls nosuch 2> err; echo "ls status $?"
                cat err
                exec 3> g; echo three >&3; echo four >&3; exec 3>&-
                cat g
                cat f missing.txt 2>&1 >/dev/null | sed 's/^/stderr: /'
                { echo grouped; echo lines; } > h; cat h
                cat <<EOF
                here $((1 + 2)) document
                EOF
                : > f; wc -c f
                """);
        SCRIPTS.put("command-substitution", """
                n=$(wc -l < notes.txt); echo "notes has $n lines"
                echo "$(echo nested $(echo deeper))"
                files=$(ls sub); echo $files
                echo "`echo backquotes`"
                x=$(cat poem.txt); echo "${#x} characters"
                echo "$(printf 'a\\n\\n\\n')|"
                """);
        SCRIPTS.put("loops", """
                for f in *.txt; do printf '%s %s\\n' "$f" "$(wc -c < "$f")"; done
                i=0; while [ $i -lt 5 ]; do i=$((i + 1)); printf '%d ' $i; done; echo
                until [ $i -eq 0 ]; do i=$((i - 1)); done; echo "i=$i"
                for w in $(cat poem.txt); do echo "$w"; done | sort | uniq -c
                while read -r line; do echo "[$line]"; done < notes.txt
                for d in sub sub/deeper; do for f in "$d"/*; do echo "$f"; done; done
                case notes.txt in *.txt) echo text;; *) echo other;; esac
                """);
        SCRIPTS.put("listing", """
                ls
                ls -a
                ls -1F
                ls -ln . sub sub/deeper | awk '/^total/ { next } /^d/ { $2 = "-"; $5 = "-" } { print }'
                ls -lnA | awk '/^total/ { next } /^d/ { $2 = "-"; $5 = "-" } { print }'
                ls -lnd link run.sh notes.txt
                ls -R sub
                stat -c '%n %s %a %F' notes.txt empty.txt run.sh link .hidden
                """);
        SCRIPTS.put("text-tools", """
                cat -n poem.txt
                wc notes.txt poem.txt empty.txt
                wc -lwc < notes.txt
                grep -n two poem.txt
                grep -c '' notes.txt poem.txt
                grep -i ALOS notes.txt
                grep -v e poem.txt
                grep -rl inside . | sort
                grep -q nosuch notes.txt; echo "grep -q: $?"
                sed -n '2,3p' notes.txt
                sed 's/three/3/g; s/^/> /' poem.txt
                sed '1!G;h;$!d' notes.txt
                awk '{ n += NF } END { print NR, n }' notes.txt poem.txt
                awk '{ print NF ": " $NF }' poem.txt
                awk 'BEGIN { for (i = 1; i <= 3; i++) s = s i ","; print s; print toupper("x"), 7 % 3, length("four") }'
                awk '{ c[$1]++ } END { for (k in c) print k, c[k] }' poem.txt | sort
                sort -r poem.txt
                printf '10\\n9\\n100\\n-1\\n' | sort -n
                printf 'b\\na\\nb\\n' | sort -u
                cut -d' ' -f1,3 notes.txt
                tr -s ' ' < notes.txt
                head -c 20 notes.txt; echo
                tail -n 2 notes.txt
                """);
        SCRIPTS.put("awk-floats", """
                awk 'BEGIN { printf "%.3f %e %g %d\\n", 22 / 7, 1e10 / 3, 1 / 3, 2.9 }'
                awk '{ s += length($0) } END { printf "%.2f\\n", s / NR }' notes.txt
                """);
        SCRIPTS.put("find", """
                find . | sort
                find . -type f -name '*.txt' | sort
                find . -type l
                find sub -type d | sort
                find . -size 0
                find . -name '*.sh' -perm -u+x
                find . -maxdepth 1 -type d | sort
                find sub -type f -exec wc -c {} \\; | sort
                """);
        SCRIPTS.put("ps", """
                sleep 9 & p=$!
                ps | head -n 1
                ps -o pid,comm | awk -v s=$$ '$1 == s { print "this shell:", $2 }'
                ps -o pid | awk -v p=$p '$1 == p { print "the background job is listed" }'
                ps -o pid,ppid | awk -v p=$p -v s=$$ '$1 == p && $2 == s { print "its parent is this shell" }'
                kill $p; wait $p 2>/dev/null; echo "sleep: $?"
                ps -o pid | awk -v p=$p '$1 == p' | wc -l
                """);
        // wait's "Terminated"/"Killed" line depends on whether the shell saw the child die before
        // its wait began (a race natively too): the statuses are what is compared.
        SCRIPTS.put("kill", """
                sleep 20 & p=$!
                kill -0 $p && echo "alive"
                kill -TERM $p; wait $p 2>/dev/null; echo "after TERM: $?"
                kill -0 $p 2>/dev/null || echo "gone"
                sleep 30 & q=$!; kill -9 $q; wait $q 2>/dev/null; echo "after KILL: $?"
                trap 'echo "got USR1"' USR1; kill -USR1 $$; echo "after USR1"
                kill -l 15
                sh -c 'kill -INT $$'; echo "self-INT: $?"
                """);
        SCRIPTS.put("sleep-and-test", """
                sleep 0.1 && echo "slept"
                sleep 1; echo "sleep 1: $?"
                sleep nonsense 2>&1; echo "bad sleep: $?"
                (sleep 1; echo "background done") & wait; echo "waited: $?"
                test -f notes.txt && echo "-f"
                [ -d sub ] && echo "-d"
                [ -L link ] && echo "-L"
                [ -x run.sh ] && echo "-x"
                [ -s empty.txt ] || echo "not -s"
                [ -e nosuch ]; echo "-e nosuch: $?"
                test 3 -gt 2; echo "-gt: $?"
                [ abc = abd ]; echo "=: $?"
                [ -n "" ] || echo "-n empty"
                [ -z "" ] && echo "-z empty"
                [ notes.txt -nt poem.txt ]; echo "-nt: $?"
                [ 1 -eq 1 -a 2 -ne 3 ] && echo "-a"
                test; echo "test alone: $?"
                """);
        SCRIPTS.put("exit-status", """
                false; echo "false: $?"
                sh -c 'exit 7'; echo "sh -c exit 7: $?"
                ( exit 3 ); echo "subshell: $?"
                nosuchcommand 2>&1; echo "not found: $?"
                ./notes.txt 2>&1; echo "not executable: $?"
                ! true; echo "! true: $?"
                true && false || echo "or"
                exit 5
                """);
        SCRIPTS.put("functions-and-arithmetic", """
                f() { echo "f: $# args, first $1"; return 4; }
                f a "b c" d; echo "f returned $?"
                x=5; y=$((x * (x + 1) / 2)); echo "$y"
                echo "${x:-unset} ${z:-default} ${#x}"
                s="hello world"; echo "${s%world}|${s#hello }|${s%%o*}"
                set -- p q r; echo "$# $2 $*"
                echo $((0x10 + 010)) $((7 / 2)) $((-7 % 3)) $((1 << 10))
                """);
        SCRIPTS.put("files", """
                mkdir -p a/b/c
                touch a/b/c/file
                cp notes.txt a/copy.txt
                mv a/copy.txt a/moved.txt
                ln -s moved.txt a/link2
                cat a/link2 | wc -l
                rm -r a/b
                ls -R a
                cp -r sub sub2; find sub2 | sort
                rm -rf sub2; [ -e sub2 ] || echo "sub2 removed"
                chmod 600 run.sh; ls -ln run.sh | awk '{ print $1 }'
                readlink link
                ln notes.txt hard; ls -ln hard notes.txt | awk '{ print $1, $2, $NF }'
                rmdir a 2>&1; echo "rmdir: $?"
                for i in 1 2 3; do (echo "job $i" > out$i) & done; wait; cat out1 out2 out3
                """);
        SCRIPTS.put("scripts", """
                printf '#!/bin/sh\\necho "script $0 $1"\\n' > s1; chmod +x s1; ./s1 one
                echo 'echo "no #! line: run by this shell, $# arguments"' > s2; chmod +x s2; ./s2 a b
                printf '#!/bin/sh -e\\nfalse\\necho never\\n' > s3; chmod +x s3; ./s3; echo "sh -e: $?"
                printf '#!/nonexistent/interpreter\\n' > s4; chmod +x s4; ./s4 2>&1; echo "no interpreter: $?"
                echo 'echo "sourced $1"' > s5; . ./s5 arg
                chmod -x s1; ./s1 2>&1; echo "not executable: $?"
                sh s1 direct
                ./run.sh
                """);
        SCRIPTS.put("devices", """
                head -c 100000 /dev/urandom | wc -c
                head -c 16 /dev/random | wc -c
                dd if=/dev/zero bs=1k count=64 2>/dev/null | wc -c
                echo discarded > /dev/null; wc -c < /dev/null
                """);
        SCRIPTS.put("checksums", """
                md5sum notes.txt poem.txt
                sha256sum poem.txt
                od -c poem.txt | head -n 3
                ls *.txt | xargs wc -l
                basename /a/b/c.txt .txt; dirname /a/b/c.txt
                """);
    }

    @TempDir
    static Path work;

    private static final Map<String, GuestBatch.Outcome> NATIVE = new LinkedHashMap<>();
    private static GuestBatch.Run run;

    @BeforeAll
    static void runEveryScriptOnTheHostAndOnAlos() throws Exception {
        Path dist = Path.of(System.getProperty("alosj.dist", "../distribution/target/alosj")).toAbsolutePath().normalize();
        Path userland = Path.of(System.getProperty("userland.bin", "../userland/target/bin")).toAbsolutePath().normalize();
        require(Files.isExecutable(BUSYBOX), "the host has no " + BUSYBOX + " (Debian package busybox-static)");
        require(UserlandOnAlosTest.onPath("mkfs.ext2") && UserlandOnAlosTest.onPath("debugfs"),
                "mkfs.ext2 or debugfs missing (Debian package e2fsprogs)");
        assertTrue(Files.isDirectory(dist.resolve("lib")), "no distribution at " + dist + ": run mvn verify");

        Path hostBin = Files.createDirectories(work.resolve("host/bin"));
        for (String applet : GuestBatch.applets(BUSYBOX)) {
            Files.createSymbolicLink(hostBin.resolve(applet), BUSYBOX);
        }
        Path noPrograms = Files.createDirectories(work.resolve("no-userland"));
        GuestBatch batch = new GuestBatch(work.resolve("guest"), BUSYBOX, Files.isDirectory(userland) ? userland : noPrograms);
        for (Map.Entry<String, String> s : SCRIPTS.entrySet()) {
            NATIVE.put(s.getKey(), runNatively(work.resolve("host").resolve(s.getKey()), hostBin, s.getValue()));
            String guestBin = GuestBatch.MOUNT + "/bin";
            batch.add(s.getKey(), guestBin + "/busybox env -i PATH=" + guestBin + " " + String.join(" ", ENV)
                    + " sh -c \"$(" + guestBin + "/busybox cat ../script)\"", new byte[0],
                    Map.of("script", s.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        run = batch.run(dist, 1200);
    }

    @AfterAll
    static void forget() {
        run = null;
        NATIVE.clear();
    }

    /** busybox env -i PATH=BIN ... sh -c SCRIPT in a fresh tree under {@code dir}, as the guest runs it. */
    private static GuestBatch.Outcome runNatively(Path dir, Path bin, String script) throws Exception {
        Files.createDirectories(dir);
        Path tree = dir.resolve("tree");
        GuestBatch.tree(tree);
        Path in = Files.write(dir.resolve("stdin"), new byte[0]);
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        List<String> command = new java.util.ArrayList<>(List.of(BUSYBOX.toString(), "env", "-i", "PATH=" + bin));
        command.addAll(ENV);
        command.addAll(List.of("sh", "-c", script));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tree.toFile())
                .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("the script did not finish natively in 120 s:\n" + script);
        }
        return new GuestBatch.Outcome(Files.readAllBytes(out), Files.readAllBytes(err), p.exitValue());
    }

    @TestFactory
    Stream<DynamicTest> everyScriptGivesTheNativeOutputOnAlos() {
        return SCRIPTS.keySet().stream().filter(n -> !OWN_METHOD.contains(n))
                .map(n -> DynamicTest.dynamicTest(n, () -> check(n)));
    }

    @Test
    void ps() {
        check("ps");
    }

    @Test
    void theMachineRanEveryScriptAndExited() {
        assertTrue(run.finished() && run.status() == 0 && run.console().contains("jobs done"), run::describe);
    }

    private static void check(String name) {
        GuestBatch.Outcome host = NATIVE.get(name);
        String script = "\n--- script\n" + SCRIPTS.get(name);
        // The script itself must work natively: no errors but the shell's reports of the jobs it
        // killed, and only exit-status ends with a status of its own.
        assertEquals("", host.stderrText().replaceAll("(?m)^(Terminated|Killed)\n", ""),
                () -> "stderr of " + name + " natively" + script);
        assertEquals(name.equals("exit-status") ? 5 : 0, host.status(), () -> "exit status of " + name + " natively" + script);
        GuestBatch.Outcome guest = run.outcome(name);
        assertEquals(host.stdoutText(), guest.stdoutText(),
                () -> "stdout of " + name + " on ALOS/J (expected: natively); its stderr: " + guest.stderrText() + script);
        assertEquals(host.stderrText(), guest.stderrText(), () -> "stderr of " + name + " on ALOS/J" + script);
        assertEquals(host.status(), guest.status(), () -> "exit status of " + name + " on ALOS/J" + script);
    }

    private static void require(boolean present, String what) {
        if (!present && CI) {
            fail(what + ", and CI=true requires it");
        }
        if (!present) {
            System.err.println("BusyboxScriptsTest skipped: " + what);
        }
        Assumptions.assumeTrue(present, what);
    }
}

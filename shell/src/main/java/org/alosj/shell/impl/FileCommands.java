package org.alosj.shell.impl;

import static org.alosj.kernel.vfs.OpenFlags.O_APPEND;
import static org.alosj.kernel.vfs.OpenFlags.O_CREAT;
import static org.alosj.kernel.vfs.OpenFlags.O_RDONLY;
import static org.alosj.kernel.vfs.OpenFlags.O_TRUNC;
import static org.alosj.kernel.vfs.OpenFlags.O_WRONLY;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileAttributes;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.DeviceNumbers;
import org.alosj.kernel.vfs.FileStatus;
import org.alosj.kernel.vfs.VfsContext;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/**
 * The file commands, on the VFS through the session's context (its working directory is the
 * shell's): ls, cat, mkdir, rmdir, rm, cp, mv, ln, touch, truncate, stat, write, sha256sum, hexdump, cd
 * and pwd. Options and messages are coreutils'; an error does not stop the command at the
 * next argument, but the command fails.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = FileCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=ls",
    "osgi.command.function=cat",
    "osgi.command.function=mkdir",
    "osgi.command.function=rmdir",
    "osgi.command.function=rm",
    "osgi.command.function=cp",
    "osgi.command.function=mv",
    "osgi.command.function=ln",
    "osgi.command.function=touch",
    "osgi.command.function=truncate",
    "osgi.command.function=stat",
    "osgi.command.function=write",
    "osgi.command.function=sha256sum",
    "osgi.command.function=hexdump",
    "osgi.command.function=cd",
    "osgi.command.function=pwd",
})
public final class FileCommands {
    static final int BUFFER = 64 * 1024;
    private static final DateTimeFormatter LS_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm", Locale.ROOT);
    private static final DateTimeFormatter STAT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.nnnnnnnnn '+0000'", Locale.ROOT);

    private final ShellContexts contexts;

    @Activate
    public FileCommands(@Reference ShellContexts contexts) {
        this.contexts = contexts;
    }

    /** Splits leading options (single letters, bundled: -la) from operands; "--" ends them. */
    record Args(String options, List<String> operands) {
        static Args parse(String cmd, String allowed, String... args) {
            StringBuilder opts = new StringBuilder();
            List<String> operands = new ArrayList<>();
            boolean done = false;
            for (String a : args) {
                if (!done && a.equals("--")) {
                    done = true;
                } else if (!done && a.startsWith("--")) {
                    throw new CommandErrors.CommandFailure(cmd + ": unrecognized option '" + a + "'");
                } else if (!done && a.length() > 1 && a.startsWith("-")) {
                    for (char c : a.substring(1).toCharArray()) {
                        if (allowed.indexOf(c) < 0) {
                            throw new CommandErrors.CommandFailure(cmd + ": invalid option -- '" + c + "'");
                        }
                        opts.append(c);
                    }
                } else {
                    operands.add(a);
                }
            }
            return new Args(opts.toString(), operands);
        }

        boolean has(char c) {
            return options.indexOf(c) >= 0;
        }
    }

    private static void usage(String line) {
        throw new CommandErrors.CommandFailure(line);
    }

    // ---- cd, pwd ----

    @Descriptor("change the shell's working directory (default /)")
    public void cd(CommandSession session, @Descriptor("[DIR]") String... args) {
        if (args.length > 1) {
            usage("cd: too many arguments");
        }
        String dir = args.length == 0 ? "/" : args[0];
        try {
            contexts.of(session).chdir(dir);
            contexts.followWorkingDirectory(session);
        } catch (FsException e) {
            usage("cd: " + dir + ": " + e.errno().text());
        }
    }

    @Descriptor("print the shell's working directory")
    public void pwd(CommandSession session) {
        try {
            System.out.println(contexts.of(session).cwd());
            System.out.flush();
        } catch (FsException e) {
            usage("pwd: " + e.errno().text());
        }
    }

    // ---- ls ----

    @Descriptor("list directory contents: ls [-l] [-a] [-d] [PATH...]\n"
            + "  -l  long format (mode, links, uid, gid, size, time)\n"
            + "  -a  also names starting with .\n"
            + "  -d  list directories themselves, not their contents")
    public void ls(CommandSession session, @Descriptor("[-l] [-a] [-d] [PATH...]") String... args) {
        Args a = Args.parse("ls", "lad1", args);
        VfsContext c = contexts.of(session);
        List<String> paths = a.operands().isEmpty() ? List.of(".") : a.operands();
        CommandErrors errors = new CommandErrors();
        List<String> files = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (String p : paths) {
            try {
                FileStatus s = c.stat(p);
                (s.isDirectory() && !a.has('d') ? dirs : files).add(p);
            } catch (FsException e) {
                try {
                    c.lstat(p); // a dangling symbolic link is listed as itself
                    files.add(p);
                } catch (FsException again) {
                    errors.add("ls", "cannot access", p, e);
                }
            }
        }
        PrintStream out = System.out;
        for (String f : files) {
            try {
                out.println(a.has('l') ? longLine(c, f, f) : f);
            } catch (FsException e) {
                errors.add("ls", "cannot access", f, e);
            }
        }
        boolean headers = paths.size() > 1;
        boolean first = files.isEmpty();
        for (String d : dirs) {
            if (headers) {
                out.println((first ? "" : "\n") + d + ":");
            }
            first = false;
            try {
                List<DirEntry> entries = new ArrayList<>(c.readdir(d));
                entries.removeIf(e -> !a.has('a') && e.name().startsWith("."));
                entries.sort(Comparator.comparing(DirEntry::name));
                if (a.has('l')) {
                    long blocks = 0;
                    List<String> lines = new ArrayList<>();
                    for (DirEntry e : entries) {
                        String path = d.endsWith("/") ? d + e.name() : d + "/" + e.name();
                        try {
                            blocks += c.lstat(path).attributes().blocks();
                            lines.add(longLine(c, path, e.name()));
                        } catch (FsException ex) {
                            errors.add("ls", "cannot access", path, ex);
                        }
                    }
                    out.println("total " + blocks / 2);
                    lines.forEach(out::println);
                } else {
                    entries.forEach(e -> out.println(e.name()));
                }
            } catch (FsException e) {
                errors.add("ls", "cannot open directory", d, e);
            }
        }
        errors.finish();
    }

    private static String longLine(VfsContext c, String path, String name) throws FsException {
        FileAttributes a = c.lstat(path).attributes();
        String size = a.type() == FileType.BLOCK_DEVICE || a.type() == FileType.CHARACTER_DEVICE
                ? DeviceNumbers.major(a.rdev()) + ", " + DeviceNumbers.minor(a.rdev())
                : Long.toString(a.size());
        String line = String.format("%s %2d %4d %4d %8s %s %s", modeString(a), a.links(), a.uid(), a.gid(), size,
                LS_TIME.format(a.modified().atOffset(ZoneOffset.UTC)), name);
        if (a.type() == FileType.SYMLINK) {
            line += " -> " + c.readlink(path);
        }
        return line;
    }

    /** ls's mode column: type letter and rwx with s/S, t/T. */
    static String modeString(FileAttributes a) {
        char type = switch (a.type()) {
            case DIRECTORY -> 'd';
            case SYMLINK -> 'l';
            case BLOCK_DEVICE -> 'b';
            case CHARACTER_DEVICE -> 'c';
            case FIFO -> 'p';
            case SOCKET -> 's';
            case REGULAR -> '-';
        };
        int p = a.permissions();
        StringBuilder b = new StringBuilder().append(type);
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = p >> shift;
            b.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-');
            boolean x = (bits & 1) != 0;
            int special = shift == 6 ? p & 04000 : shift == 3 ? p & 02000 : p & 01000;
            char on = shift == 0 ? 't' : 's';
            b.append(special != 0 ? (x ? on : Character.toUpperCase(on)) : x ? 'x' : '-');
        }
        return b.toString();
    }

    // ---- cat, write, sha256sum, hexdump ----

    /** Reads a whole file through {@code sink}, a buffer at a time. */
    public interface Sink {
        void accept(byte[] data, int length) throws Exception;
    }

    public static void readAll(VfsContext c, String path, Sink sink) throws Exception {
        int fd = c.open(path, O_RDONLY, 0);
        try {
            ByteBuffer b = ByteBuffer.allocate(BUFFER);
            while (true) {
                b.clear();
                int n = c.read(fd, b);
                if (n <= 0) {
                    return;
                }
                sink.accept(b.array(), n);
            }
        } finally {
            c.close(fd);
        }
    }

    /** The output went away: stop reading, as SIGPIPE stops cat. */
    private static final class ReaderGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReaderGone() {
            super(null, null, false, false);
        }
    }

    @Descriptor("print files")
    public void cat(CommandSession session, @Descriptor("FILE...") String... files) throws Exception {
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        PrintStream out = System.out;
        for (String f : files) {
            try {
                readAll(c, f, (data, n) -> {
                    out.write(data, 0, n);
                    if (out.checkError() || Thread.currentThread().isInterrupted()) {
                        throw new ReaderGone(); // a closed pipe (cat /dev/zero | head) or ^C
                    }
                });
            } catch (FsException e) {
                errors.add("cat: " + f + ": " + e.errno().text());
            } catch (ReaderGone e) {
                break;
            }
        }
        out.flush();
        errors.finish();
    }

    @Descriptor("write TEXT (the words joined by spaces, then a newline) into FILE: write [-a] FILE TEXT...\n"
            + "  -a  append instead of replacing the file")
    public void write(CommandSession session, @Descriptor("[-a] FILE TEXT...") String... args) throws Exception {
        boolean append = args.length > 0 && args[0].equals("-a");
        int first = append ? 1 : 0;
        if (args.length - first < 1) {
            usage("usage: write [-a] FILE TEXT...");
        }
        String file = args[first];
        String text = String.join(" ", java.util.Arrays.copyOfRange(args, first + 1, args.length)) + "\n";
        VfsContext c = contexts.of(session);
        try {
            int fd = c.open(file, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);
            try {
                writeFully(c, fd, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            } finally {
                c.close(fd);
            }
        } catch (FsException e) {
            usage("write: " + file + ": " + e.errno().text());
        }
    }

    static void writeFully(VfsContext c, int fd, ByteBuffer b) throws FsException {
        while (b.hasRemaining()) {
            if (c.write(fd, b) == 0) {
                throw new FsException(Errno.ENOSPC, "short write");
            }
        }
    }

    @Descriptor("print SHA-256 checksums, as sha256sum")
    public void sha256sum(CommandSession session, @Descriptor("FILE...") String... files) throws Exception {
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (String f : files) {
            MessageDigest md = sha256();
            try {
                readAll(c, f, (data, n) -> md.update(data, 0, n));
                System.out.println(HexFormat.of().formatHex(md.digest()) + "  " + f);
            } catch (FsException e) {
                errors.add("sha256sum: " + f + ": " + e.errno().text());
            }
        }
        errors.finish();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    @Descriptor("dump a file in hex, as hexdump: -C canonical (hex bytes and ASCII), else 16-bit words\n"
            + "  -n LENGTH  only the first LENGTH bytes;  -s OFFSET  start at OFFSET")
    public void hexdump(CommandSession session, @Descriptor("[-C] [-n LENGTH] [-s OFFSET] FILE")
            String... args) throws Exception {
        boolean canonical = false;
        long length = Long.MAX_VALUE;
        long skip = 0;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-C" -> canonical = true;
                case "-n" -> length = number("hexdump", args, ++i);
                case "-s" -> skip = number("hexdump", args, ++i);
                default -> {
                    if (file != null) {
                        usage("hexdump: one file at a time");
                    }
                    file = args[i];
                }
            }
        }
        if (file == null) {
            usage("usage: hexdump [-C] [-n LENGTH] [-s OFFSET] FILE");
        }
        VfsContext c = contexts.of(session);
        HexDump dump = new HexDump(System.out, canonical, skip);
        try {
            int fd = c.open(file, O_RDONLY, 0);
            try {
                ByteBuffer b = ByteBuffer.allocate(BUFFER);
                long pos = skip;
                long left = length;
                while (left > 0) {
                    b.clear();
                    b.limit((int) Math.min(BUFFER, left));
                    int n = c.pread(fd, b, pos);
                    if (n <= 0) {
                        break;
                    }
                    dump.feed(b.array(), n);
                    pos += n;
                    left -= n;
                }
            } finally {
                c.close(fd);
            }
        } catch (FsException e) {
            usage("hexdump: " + file + ": " + e.errno().text());
        }
        dump.end();
        System.out.flush();
    }

    private static long number(String cmd, String[] args, int i) {
        if (i >= args.length) {
            usage(cmd + ": option requires an argument -- '" + args[i - 1].substring(1) + "'");
        }
        try {
            return Long.decode(args[i]);
        } catch (NumberFormatException e) {
            usage(cmd + ": invalid number '" + args[i] + "'");
            return 0;
        }
    }

    // ---- mkdir, rmdir, rm, touch, ln ----

    @Descriptor("make directories: mkdir [-p] DIR...\n  -p  make parents as needed, no error if it exists")
    public void mkdir(CommandSession session, @Descriptor("[-p] DIR...") String... args) {
        Args a = Args.parse("mkdir", "p", args);
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (String d : a.operands()) {
            try {
                if (a.has('p')) {
                    mkdirs(c, d);
                } else {
                    c.mkdir(d, 0777);
                }
            } catch (FsException e) {
                errors.add("mkdir", "cannot create directory", d, e);
            }
        }
        errors.finish();
    }

    private static void mkdirs(VfsContext c, String path) throws FsException {
        StringBuilder prefix = new StringBuilder(path.startsWith("/") ? "/" : "");
        for (String part : path.split("/+")) {
            if (part.isEmpty()) {
                continue;
            }
            prefix.append(part);
            try {
                c.mkdir(prefix.toString(), 0777);
            } catch (FsException e) {
                if (e.errno() != Errno.EEXIST || !c.stat(prefix.toString()).isDirectory()) {
                    throw e;
                }
            }
            prefix.append('/');
        }
    }

    @Descriptor("remove empty directories")
    public void rmdir(CommandSession session, @Descriptor("DIR...") String... dirs) {
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (String d : dirs) {
            try {
                c.rmdir(d);
            } catch (FsException e) {
                errors.add("rmdir", "failed to remove", d, e);
            }
        }
        errors.finish();
    }

    @Descriptor("remove files: rm [-r] [-f] PATH...\n  -r  directories and what they hold\n"
            + "  -f  no error for what does not exist")
    public void rm(CommandSession session, @Descriptor("[-r] [-f] PATH...") String... args) {
        Args a = Args.parse("rm", "rRf", args);
        boolean recursive = a.has('r') || a.has('R');
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (String p : a.operands()) {
            String trimmed = p.replaceAll("/+$", "");
            if (trimmed.isEmpty() || trimmed.endsWith("/.") || trimmed.equals(".") || trimmed.endsWith("/..")
                    || trimmed.equals("..")) {
                errors.add("rm: refusing to remove '.' or '..' directory: skipping '" + p + "'");
                continue;
            }
            try {
                FileStatus s = c.lstat(p);
                if (s.isDirectory()) {
                    if (!recursive) {
                        errors.add("rm: cannot remove '" + p + "': Is a directory");
                        continue;
                    }
                    removeTree(c, p, errors);
                } else {
                    c.unlink(p);
                }
            } catch (FsException e) {
                if (!(a.has('f') && e.errno() == Errno.ENOENT)) {
                    errors.add("rm", "cannot remove", p, e);
                }
            }
        }
        errors.finish();
    }

    private static void removeTree(VfsContext c, String dir, CommandErrors errors) throws FsException {
        for (DirEntry e : c.readdir(dir)) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            String path = dir.endsWith("/") ? dir + e.name() : dir + "/" + e.name();
            try {
                if (c.lstat(path).isDirectory()) {
                    removeTree(c, path, errors);
                } else {
                    c.unlink(path);
                }
            } catch (FsException ex) {
                errors.add("rm", "cannot remove", path, ex);
            }
        }
        c.rmdir(dir);
    }

    @Descriptor("make files exist and set their times to now")
    public void touch(CommandSession session, @Descriptor("FILE...") String... files) {
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (String f : files) {
            try {
                int fd = c.open(f, O_WRONLY | O_CREAT, 0666);
                c.close(fd);
                Instant now = Instant.now();
                c.utimes(f, now, now);
            } catch (FsException e) {
                errors.add("touch", "cannot touch", f, e);
            }
        }
        errors.finish();
    }

    @Descriptor("shrink or extend files to SIZE bytes (K, M, G suffixes), made if missing: truncate -s SIZE FILE...")
    public void truncate(CommandSession session, @Descriptor("-s SIZE FILE...") String... args) {
        if (args.length < 3 || !args[0].equals("-s")) {
            usage("usage: truncate -s SIZE FILE...");
        }
        long size = 0;
        try {
            String v = args[1].toUpperCase(Locale.ROOT);
            long unit = v.endsWith("K") ? 1L << 10 : v.endsWith("M") ? 1L << 20 : v.endsWith("G") ? 1L << 30 : 1;
            size = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
        } catch (NumberFormatException e) {
            usage("truncate: invalid number: '" + args[1] + "'");
        }
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (int i = 2; i < args.length; i++) {
            try {
                int fd = c.open(args[i], O_WRONLY | O_CREAT, 0666);
                try {
                    c.ftruncate(fd, size);
                } finally {
                    c.close(fd);
                }
            } catch (FsException e) {
                errors.add("truncate", "cannot open", args[i], e);
            }
        }
        errors.finish();
    }

    @Descriptor("make links: ln [-s] TARGET LINK\n  -s  a symbolic link (TARGET is stored as given)")
    public void ln(CommandSession session, @Descriptor("[-s] TARGET LINK") String... args) {
        Args a = Args.parse("ln", "sf", args);
        if (a.operands().size() != 2) {
            usage("usage: ln [-s] TARGET LINK");
        }
        String target = a.operands().get(0);
        String link = a.operands().get(1);
        VfsContext c = contexts.of(session);
        try {
            if (a.has('f')) {
                try {
                    c.unlink(link);
                } catch (FsException e) {
                    // nothing to replace
                }
            }
            if (a.has('s')) {
                c.symlink(target, link);
            } else {
                c.link(target, link);
            }
        } catch (FsException e) {
            String what = a.has('s') ? "symbolic link" : "hard link";
            usage("ln: failed to create " + what + " '" + link + "': " + e.errno().text());
        }
    }

    // ---- cp, mv ----

    @Descriptor("copy files: cp SOURCE DEST, or cp SOURCE... DIRECTORY")
    public void cp(CommandSession session, @Descriptor("SOURCE... DEST") String... args) {
        transfer(session, "cp", args, false);
    }

    @Descriptor("move or rename: mv SOURCE DEST, or mv SOURCE... DIRECTORY")
    public void mv(CommandSession session, @Descriptor("SOURCE... DEST") String... args) {
        transfer(session, "mv", args, true);
    }

    private void transfer(CommandSession session, String cmd, String[] args, boolean move) {
        Args a = Args.parse(cmd, "f", args);
        List<String> ops = a.operands();
        if (ops.size() < 2) {
            usage(cmd + ": missing destination file operand after '" + (ops.isEmpty() ? "" : ops.get(0)) + "'");
        }
        VfsContext c = contexts.of(session);
        String dest = ops.get(ops.size() - 1);
        boolean intoDir;
        try {
            intoDir = c.stat(dest).isDirectory();
        } catch (FsException e) {
            intoDir = false;
        }
        if (ops.size() > 2 && !intoDir) {
            usage(cmd + ": target '" + dest + "' is not a directory");
        }
        CommandErrors errors = new CommandErrors();
        for (String src : ops.subList(0, ops.size() - 1)) {
            String base = src.replaceAll("/+$", "");
            base = base.substring(base.lastIndexOf('/') + 1);
            String to = intoDir ? (dest.endsWith("/") ? dest + base : dest + "/" + base) : dest;
            try {
                if (move) {
                    try {
                        c.rename(src, to);
                    } catch (FsException e) {
                        if (e.errno() != Errno.EXDEV || c.lstat(src).isDirectory()) {
                            throw e;
                        }
                        copyFile(c, src, to); // another filesystem: copy, then remove, as mv does
                        c.unlink(src);
                    }
                } else {
                    if (c.stat(src).isDirectory()) {
                        errors.add("cp: -r not specified; omitting directory '" + src + "'");
                        continue;
                    }
                    copyFile(c, src, to);
                }
            } catch (FsException e) {
                errors.add(move ? "mv: cannot move '" + src + "' to '" + to + "': " + e.errno().text()
                        : "cp: cannot copy '" + src + "' to '" + to + "': " + e.errno().text());
            }
        }
        errors.finish();
    }

    static void copyFile(VfsContext c, String from, String to) throws FsException {
        int in = c.open(from, O_RDONLY, 0);
        try {
            int mode = c.fstat(in).attributes().permissions();
            int out = c.open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
            try {
                ByteBuffer b = ByteBuffer.allocate(BUFFER);
                while (true) {
                    b.clear();
                    if (c.read(in, b) <= 0) {
                        break;
                    }
                    b.flip();
                    writeFully(c, out, b);
                }
            } finally {
                c.close(out);
            }
        } finally {
            c.close(in);
        }
    }

    // ---- stat ----

    @Descriptor("file status, as coreutils stat (symbolic links themselves, not followed)")
    public void stat(CommandSession session, @Descriptor("PATH...") String... paths) {
        VfsContext c = contexts.of(session);
        CommandErrors errors = new CommandErrors();
        for (String p : paths) {
            try {
                FileStatus s = c.lstat(p);
                FileAttributes a = s.attributes();
                String name = a.type() == FileType.SYMLINK ? "'" + p + "' -> '" + c.readlink(p) + "'" : p;
                System.out.println("  File: " + name);
                System.out.println(String.format("  Size: %-15d Blocks: %-10d IO Block: 4096   %s", a.size(),
                        a.blocks(), typeName(a)));
                String dev = Integer.toHexString(DeviceNumbers.major(s.device())) + "h/"
                        + DeviceNumbers.minor(s.device()) + "d";
                String line = String.format("Device: %-15s Inode: %-11d Links: %d", dev, a.ino(), a.links());
                if (a.type() == FileType.BLOCK_DEVICE || a.type() == FileType.CHARACTER_DEVICE) {
                    line += String.format("     Device type: %d,%d", DeviceNumbers.major(a.rdev()),
                            DeviceNumbers.minor(a.rdev()));
                }
                System.out.println(line);
                System.out.println(String.format("Access: (%04o/%s)  Uid: (%5d)   Gid: (%5d)", a.permissions(),
                        modeString(a), a.uid(), a.gid()));
                System.out.println("Access: " + STAT_TIME.format(a.accessed().atOffset(ZoneOffset.UTC)));
                System.out.println("Modify: " + STAT_TIME.format(a.modified().atOffset(ZoneOffset.UTC)));
                System.out.println("Change: " + STAT_TIME.format(a.changed().atOffset(ZoneOffset.UTC)));
            } catch (FsException e) {
                errors.add("stat", "cannot statx", p, e);
            }
        }
        errors.finish();
    }

    static String typeName(FileAttributes a) {
        return switch (a.type()) {
            case REGULAR -> a.size() == 0 ? "regular empty file" : "regular file";
            case DIRECTORY -> "directory";
            case SYMLINK -> "symbolic link";
            case BLOCK_DEVICE -> "block special file";
            case CHARACTER_DEVICE -> "character special file";
            case FIFO -> "fifo";
            case SOCKET -> "socket";
        };
    }
}

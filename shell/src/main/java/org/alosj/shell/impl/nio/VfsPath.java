package org.alosj.shell.impl.nio;

import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.alosj.kernel.fs.FsException;

/**
 * A path of the VFS as java.nio sees it: a string of '/'-separated names, absolute or relative
 * to the session's working directory. Only what Gogo's redirection and file builtins need is
 * deep; every operation is on the string, the VFS is asked only by {@link #toRealPath}.
 */
final class VfsPath implements Path {
    private final VfsNioFileSystem fs;
    private final String path;

    VfsPath(VfsNioFileSystem fs, String path) {
        this.fs = fs;
        String p = path.replaceAll("/+", "/");
        this.path = p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private List<String> names() {
        List<String> out = new ArrayList<>();
        for (String n : path.split("/")) {
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public VfsNioFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return path.startsWith("/");
    }

    @Override
    public Path getRoot() {
        return isAbsolute() ? new VfsPath(fs, "/") : null;
    }

    @Override
    public Path getFileName() {
        List<String> n = names();
        return n.isEmpty() ? null : new VfsPath(fs, n.get(n.size() - 1));
    }

    @Override
    public Path getParent() {
        List<String> n = names();
        if (n.isEmpty() || (n.size() == 1 && !isAbsolute())) {
            return null;
        }
        String parent = String.join("/", n.subList(0, n.size() - 1));
        return new VfsPath(fs, isAbsolute() ? "/" + parent : parent);
    }

    @Override
    public int getNameCount() {
        return names().size();
    }

    @Override
    public Path getName(int index) {
        return new VfsPath(fs, names().get(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return new VfsPath(fs, String.join("/", names().subList(beginIndex, endIndex)));
    }

    @Override
    public boolean startsWith(Path other) {
        if (other.isAbsolute() != isAbsolute()) {
            return false;
        }
        List<String> a = names();
        List<String> b = new VfsPath(fs, other.toString()).names();
        return b.size() <= a.size() && a.subList(0, b.size()).equals(b);
    }

    @Override
    public boolean endsWith(Path other) {
        List<String> a = names();
        List<String> b = new VfsPath(fs, other.toString()).names();
        if (other.isAbsolute()) {
            return isAbsolute() && a.equals(b);
        }
        return b.size() <= a.size() && a.subList(a.size() - b.size(), a.size()).equals(b);
    }

    @Override
    public Path normalize() {
        List<String> out = new ArrayList<>();
        for (String n : names()) {
            if (n.equals(".")) {
                continue;
            }
            if (n.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                out.remove(out.size() - 1);
            } else if (!(n.equals("..") && isAbsolute())) {
                out.add(n);
            }
        }
        return new VfsPath(fs, (isAbsolute() ? "/" : "") + String.join("/", out));
    }

    @Override
    public Path resolve(Path other) {
        // Any Path will do (Gogo hands over the host's Paths.get of what was typed): its string.
        String o = other.toString();
        if (o.startsWith("/")) {
            return new VfsPath(fs, o);
        }
        if (o.isEmpty()) {
            return this;
        }
        return new VfsPath(fs, path.isEmpty() ? o : path + "/" + o);
    }

    @Override
    public Path relativize(Path other) {
        List<String> a = names();
        List<String> b = new VfsPath(fs, other.toString()).names();
        int common = 0;
        while (common < a.size() && common < b.size() && a.get(common).equals(b.get(common))) {
            common++;
        }
        List<String> out = new ArrayList<>();
        for (int i = common; i < a.size(); i++) {
            out.add("..");
        }
        out.addAll(b.subList(common, b.size()));
        return new VfsPath(fs, String.join("/", out));
    }

    @Override
    public URI toUri() {
        return URI.create(VfsFileSystemProvider.SCHEME + "://" + toAbsolutePath());
    }

    @Override
    public Path toAbsolutePath() {
        if (isAbsolute()) {
            return this;
        }
        try {
            return new VfsPath(fs, fs.context().cwd()).resolve(this);
        } catch (FsException e) {
            return new VfsPath(fs, "/").resolve(this);
        }
    }

    @Override
    public Path toRealPath(LinkOption... options) throws java.io.IOException {
        return new VfsPath(fs, fs.context().realpath(path));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("the VFS has no watch service");
    }

    @Override
    public int compareTo(Path other) {
        return path.compareTo(other.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VfsPath p && p.fs == fs && p.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return path;
    }

    String vfsPath() {
        return path.isEmpty() ? "." : path;
    }

    static String[] split(String s) {
        return Arrays.stream(s.split("/")).filter(n -> !n.isEmpty()).toArray(String[]::new);
    }
}

package org.alosj.shell.impl.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.FileStatus;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.VfsContext;

/**
 * java.nio's side of the VFS for one session: byte channels over file descriptors, directory
 * listings, mkdir, delete, move (rename) and basic attributes, each the VFS call of the same
 * meaning with its errno turned into the java.nio exception that says it.
 */
final class VfsFileSystemProvider extends FileSystemProvider {
    static final String SCHEME = "alosvfs";

    private final VfsNioFileSystem fs;

    VfsFileSystemProvider(VfsNioFileSystem fs) {
        this.fs = fs;
    }

    private VfsContext c() {
        return fs.context();
    }

    private static String path(Path p) {
        if (!(p instanceof VfsPath v)) {
            throw new ProviderMismatchException("not a VFS path: " + p);
        }
        return v.vfsPath();
    }

    /** The java.nio exception for a VFS error. */
    static IOException io(FsException e, String path) {
        String why = e.errno().text(); // the message reads "PATH: strerror", as the shell shows it
        return switch (e.errno()) {
            case ENOENT -> new NoSuchFileException(path, null, why);
            case EEXIST -> new FileAlreadyExistsException(path, null, why);
            case EACCES, EPERM -> new AccessDeniedException(path, null, why);
            default -> new FileSystemException(path, null, why);
        };
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("one VFS per shell session, made by the shell");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        return fs;
    }

    @Override
    public Path getPath(URI uri) {
        return new VfsPath(fs, uri.getPath());
    }

    @Override
    public SeekableByteChannel newByteChannel(Path p, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        boolean read = options.contains(StandardOpenOption.READ) || !write;
        int flags = read && write ? OpenFlags.O_RDWR : write ? OpenFlags.O_WRONLY : OpenFlags.O_RDONLY;
        if (options.contains(StandardOpenOption.APPEND)) {
            flags |= OpenFlags.O_APPEND;
        }
        if (options.contains(StandardOpenOption.CREATE_NEW)) {
            flags |= OpenFlags.O_CREAT | OpenFlags.O_EXCL;
        } else if (options.contains(StandardOpenOption.CREATE)) {
            flags |= OpenFlags.O_CREAT;
        }
        if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && write) {
            flags |= OpenFlags.O_TRUNC;
        }
        String path = path(p);
        try {
            return new Channel(c(), c().open(path, flags, 0666));
        } catch (FsException e) {
            throw io(e, path);
        }
    }

    /** A descriptor as a SeekableByteChannel. */
    private static final class Channel implements SeekableByteChannel {
        private final VfsContext c;
        private final int fd;
        private boolean open = true;

        Channel(VfsContext c, int fd) {
            this.c = c;
            this.fd = fd;
        }

        private void check() throws ClosedChannelException {
            if (!open) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            check();
            try {
                int n = c.read(fd, dst);
                return n == 0 && dst.hasRemaining() ? -1 : n;
            } catch (FsException e) {
                throw io(e, "fd " + fd);
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            check();
            try {
                return c.write(fd, src);
            } catch (FsException e) {
                throw io(e, "fd " + fd);
            }
        }

        @Override
        public long position() throws IOException {
            check();
            try {
                return c.lseek(fd, 0, OpenFlags.SEEK_CUR);
            } catch (FsException e) {
                throw io(e, "fd " + fd);
            }
        }

        @Override
        public SeekableByteChannel position(long newPosition) throws IOException {
            check();
            try {
                c.lseek(fd, newPosition, OpenFlags.SEEK_SET);
                return this;
            } catch (FsException e) {
                throw io(e, "fd " + fd);
            }
        }

        @Override
        public long size() throws IOException {
            check();
            try {
                return c.fstat(fd).size();
            } catch (FsException e) {
                throw io(e, "fd " + fd);
            }
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            check();
            try {
                if (size < c.fstat(fd).size()) {
                    c.ftruncate(fd, size);
                }
                return this;
            } catch (FsException e) {
                throw io(e, "fd " + fd);
            }
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            if (open) {
                open = false;
                try {
                    c.close(fd);
                } catch (FsException e) {
                    throw io(e, "fd " + fd);
                }
            }
        }
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        String path = path(dir);
        List<Path> entries = new ArrayList<>();
        try {
            for (DirEntry e : c().readdir(path)) {
                if (!e.name().equals(".") && !e.name().equals("..")) {
                    Path child = dir.resolve(e.name());
                    if (filter == null || filter.accept(child)) {
                        entries.add(child);
                    }
                }
            }
        } catch (FsException e) {
            throw io(e, path);
        }
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                return entries.iterator();
            }

            @Override
            public void close() {
                // a snapshot: nothing held
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        try {
            c().mkdir(path(dir), 0777);
        } catch (FsException e) {
            throw io(e, path(dir));
        }
    }

    @Override
    public void delete(Path p) throws IOException {
        String path = path(p);
        try {
            if (c().lstat(path).isDirectory()) {
                c().rmdir(path);
            } else {
                c().unlink(path);
            }
        } catch (FsException e) {
            throw io(e, path);
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        throw new UnsupportedOperationException("use cp");
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        try {
            c().rename(path(source), path(target));
        } catch (FsException e) {
            throw io(e, path(source));
        }
    }

    @Override
    public boolean isSameFile(Path a, Path b) throws IOException {
        try {
            FileStatus x = c().stat(path(a));
            FileStatus y = c().stat(path(b));
            return x.device() == y.device() && x.attributes().ino() == y.attributes().ino();
        } catch (FsException e) {
            throw io(e, path(a));
        }
    }

    @Override
    public boolean isHidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    @Override
    public FileStore getFileStore(Path p) {
        throw new UnsupportedOperationException("use df");
    }

    @Override
    public void checkAccess(Path p, AccessMode... modes) throws IOException {
        int mode = 0;
        for (AccessMode m : modes) {
            mode |= switch (m) {
                case READ -> OpenFlags.R_OK;
                case WRITE -> OpenFlags.W_OK;
                case EXECUTE -> OpenFlags.X_OK;
            };
        }
        try {
            c().access(path(p), mode);
        } catch (FsException e) {
            throw io(e, path(p));
        }
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path p, Class<V> type, LinkOption... options) {
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path p, Class<A> type, LinkOption... options)
            throws IOException {
        if (type != BasicFileAttributes.class) {
            throw new UnsupportedOperationException("only basic attributes");
        }
        boolean follow = !List.of(options).contains(LinkOption.NOFOLLOW_LINKS);
        try {
            FileStatus s = follow ? c().stat(path(p)) : c().lstat(path(p));
            return (A) new Attributes(s);
        } catch (FsException e) {
            throw io(e, path(p));
        }
    }

    private record Attributes(FileStatus s) implements BasicFileAttributes {
        @Override
        public FileTime lastModifiedTime() {
            return FileTime.from(s.attributes().modified());
        }

        @Override
        public FileTime lastAccessTime() {
            return FileTime.from(s.attributes().accessed());
        }

        @Override
        public FileTime creationTime() {
            return FileTime.from(s.attributes().changed());
        }

        @Override
        public boolean isRegularFile() {
            return s.type() == FileType.REGULAR;
        }

        @Override
        public boolean isDirectory() {
            return s.type() == FileType.DIRECTORY;
        }

        @Override
        public boolean isSymbolicLink() {
            return s.type() == FileType.SYMLINK;
        }

        @Override
        public boolean isOther() {
            return !isRegularFile() && !isDirectory() && !isSymbolicLink();
        }

        @Override
        public long size() {
            return s.size();
        }

        @Override
        public Object fileKey() {
            return s.device() + ":" + s.attributes().ino();
        }
    }

    @Override
    public Map<String, Object> readAttributes(Path p, String attributes, LinkOption... options) throws IOException {
        BasicFileAttributes a = readAttributes(p, BasicFileAttributes.class, options);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size", a.size());
        out.put("lastModifiedTime", a.lastModifiedTime());
        out.put("lastAccessTime", a.lastAccessTime());
        out.put("creationTime", a.creationTime());
        out.put("isRegularFile", a.isRegularFile());
        out.put("isDirectory", a.isDirectory());
        out.put("isSymbolicLink", a.isSymbolicLink());
        out.put("isOther", a.isOther());
        out.put("fileKey", a.fileKey());
        return out;
    }

    @Override
    public void setAttribute(Path p, String attribute, Object value, LinkOption... options) {
        throw new UnsupportedOperationException("use chmod, touch");
    }
}

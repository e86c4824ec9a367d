package org.alosj.shell.impl.nio;

import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;
import org.alosj.kernel.vfs.VfsContext;

/**
 * One shell session's VFS as a java.nio FileSystem, so that Gogo, which resolves {@code >},
 * {@code >>} and the file arguments of its builtins against the session's current directory
 * with java.nio, reads and writes VFS files once that directory is a {@link VfsPath}.
 */
public final class VfsNioFileSystem extends FileSystem {
    private final VfsFileSystemProvider provider;
    private final VfsContext context;

    public VfsNioFileSystem(VfsContext context) {
        this.context = context;
        this.provider = new VfsFileSystemProvider(this);
    }

    VfsContext context() {
        return context;
    }

    /** The path {@code p} of this VFS (absolute, or relative to the context's working directory). */
    public Path path(String p) {
        return new VfsPath(this, p);
    }

    @Override
    public VfsFileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        // the session's context outlives it
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(new VfsPath(this, "/"));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic");
    }

    @Override
    public Path getPath(String first, String... more) {
        StringBuilder b = new StringBuilder(first);
        for (String m : more) {
            if (!m.isEmpty()) {
                b.append('/').append(m);
            }
        }
        return new VfsPath(this, b.toString());
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher host = java.nio.file.FileSystems.getDefault().getPathMatcher(syntaxAndPattern);
        return p -> host.matches(java.nio.file.Path.of(p.toString()));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException("no user principals in the VFS");
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("the VFS has no watch service");
    }
}

package org.alosj.net.impl.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.FileStatus;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.VfsContext;

/**
 * A document root in the VFS (/www by default). Every request path is resolved with realpath
 * first, and what it names must lie under the root's own real path, so neither ".." nor a
 * symbolic link leads out of it.
 */
public final class VfsDocumentRoot implements DocumentRoot {
    private final VfsContext vfs;
    private final String root;

    /** @throws FsException when {@code root} is not a directory of the VFS */
    public VfsDocumentRoot(VfsContext vfs, String root) throws FsException {
        this.vfs = vfs;
        this.root = vfs.realpath(root);
        if (!vfs.stat(this.root).isDirectory()) {
            throw new FsException(org.alosj.kernel.fs.Errno.ENOTDIR, root);
        }
    }

    @Override
    public Document open(String path) throws IOException {
        String real;
        FileStatus status;
        try {
            real = vfs.realpath(root + path);
            if (!real.equals(root) && !real.startsWith(root.equals("/") ? "/" : root + "/")) {
                return null;
            }
            status = vfs.stat(real);
            if (status.isDirectory()) {
                real = real + "/index.html";
                status = vfs.stat(real);
            }
        } catch (FsException missing) {
            return null;
        }
        if (status.type() != FileType.REGULAR) {
            return null;
        }
        int fd = vfs.open(real, OpenFlags.O_RDONLY, 0);
        return new Document(status.size(), new InputStream() {
            private boolean closed;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = vfs.read(fd, ByteBuffer.wrap(b, off, len));
                return n <= 0 ? -1 : n;
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    vfs.close(fd);
                }
            }
        });
    }

    @Override
    public String describe() {
        return root + " (VFS)";
    }
}

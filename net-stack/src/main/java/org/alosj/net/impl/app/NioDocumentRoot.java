package org.alosj.net.impl.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A document root over a directory of the host, through java.nio: a test and benchmark feature
 * ({@code httpd start PORT host:DIR}), read-only (the server only reads), never the host's root
 * directory, and said plainly in the server's status.
 */
public final class NioDocumentRoot implements DocumentRoot {
    private final Path root;

    public NioDocumentRoot(Path root) throws IOException {
        this.root = root.toRealPath();
        if (this.root.getParent() == null) {
            throw new IllegalArgumentException("httpd: host:" + root + " would serve the host's whole filesystem;"
                    + " name a directory of test files");
        }
    }

    @Override
    public Document open(String path) throws IOException {
        Path p = root.resolve(path.substring(1)).normalize();
        if (!p.startsWith(root)) {
            return null;
        }
        if (Files.isDirectory(p)) {
            p = p.resolve("index.html");
        }
        if (!Files.isRegularFile(p)) {
            return null;
        }
        Path real = p.toRealPath();
        if (!real.startsWith(root) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            return null; // a link out of the root
        }
        long size = Files.size(real);
        return new Document(size, new MappedFileInputStream(real, size));
    }

    @Override
    public String describe() {
        return "host directory " + root + " (read-only; a test and benchmark feature)";
    }
}

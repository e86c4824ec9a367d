package org.alosj.net.impl.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** A document root over a directory of the host, through java.nio (until the VFS serves /www). */
public final class NioDocumentRoot implements DocumentRoot {
    private final Path root;

    public NioDocumentRoot(Path root) throws IOException {
        this.root = root.toRealPath();
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
        return new Document(Files.size(real), Files.newInputStream(real));
    }

    @Override
    public String describe() {
        return root.toString();
    }
}

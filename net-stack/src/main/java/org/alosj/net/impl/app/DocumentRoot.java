package org.alosj.net.impl.app;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where the HTTP server finds documents: a tree of files under one root. Paths come already
 * checked (absolute, no "..", no NUL); an implementation must still never leave its root.
 */
public interface DocumentRoot {
    /** An open document. */
    record Document(long length, InputStream content) {
    }

    /** The document at {@code path} (a directory gives its index.html), or null when there is none. */
    Document open(String path) throws IOException;

    /** What the root is, for status lines. */
    String describe();
}

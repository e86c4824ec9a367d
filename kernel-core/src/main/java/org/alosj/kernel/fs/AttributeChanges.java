package org.alosj.kernel.fs;

import java.time.Instant;

/**
 * What setattr changes: each non-null field (chmod, chown, utimes). A filesystem also sets the
 * change time to now when it applies any of them. Size changes go through
 * {@link FileSystem#truncate}.
 */
public record AttributeChanges(Integer permissions, Integer uid, Integer gid, Instant accessed, Instant modified) {
    public static AttributeChanges permissions(int permissions) {
        return new AttributeChanges(permissions, null, null, null, null);
    }

    public static AttributeChanges owner(int uid, int gid) {
        return new AttributeChanges(null, uid, gid, null, null);
    }

    public static AttributeChanges times(Instant accessed, Instant modified) {
        return new AttributeChanges(null, null, null, accessed, modified);
    }
}

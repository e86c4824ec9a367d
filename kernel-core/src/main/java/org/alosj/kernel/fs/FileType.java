package org.alosj.kernel.fs;

/** What an inode is; {@link #modeBits()} are its bits in st_mode (S_IFMT). */
public enum FileType {
    FIFO(0010000),
    CHARACTER_DEVICE(0020000),
    DIRECTORY(0040000),
    BLOCK_DEVICE(0060000),
    REGULAR(0100000),
    SYMLINK(0120000),
    SOCKET(0140000);

    /** The S_IFMT mask of st_mode. */
    public static final int S_IFMT = 0170000;

    private final int modeBits;

    FileType(int modeBits) {
        this.modeBits = modeBits;
    }

    public int modeBits() {
        return modeBits;
    }

    /** The type of an st_mode value, or null if its S_IFMT bits name none. */
    public static FileType ofMode(int mode) {
        int bits = mode & S_IFMT;
        for (FileType t : values()) {
            if (t.modeBits == bits) {
                return t;
            }
        }
        return null;
    }
}

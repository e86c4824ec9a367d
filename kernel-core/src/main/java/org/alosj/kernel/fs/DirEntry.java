package org.alosj.kernel.fs;

/** One name in a directory, as getdents64 returns it ({@code type} may be null when unknown). */
public record DirEntry(String name, long ino, FileType type) {
}

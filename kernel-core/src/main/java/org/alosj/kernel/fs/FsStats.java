package org.alosj.kernel.fs;

/**
 * What statfs(2) reports, in blocks of {@code blockSize} bytes.
 *
 * @param available free blocks an unprivileged user may use (free less the reserved blocks)
 */
public record FsStats(String type, int blockSize, long totalBlocks, long freeBlocks, long available,
                      long totalInodes, long freeInodes, int maxNameLength) {
}

package org.alosj.fs.ext2.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alosj.kernel.device.BlockDevice;

/**
 * The buffer cache: filesystem blocks kept in memory, least recently used first out, dirty ones
 * written back on {@link #sync} or when evicted. Metadata (bitmaps, inode tables, directories,
 * indirect blocks) goes through it; bulk file data bypasses it through {@link #readRun}/{@link
 * #writeRun}, which still see (and update) any copy the cache holds, so the two never disagree.
 * Not thread-safe: the filesystem holds its lock around every call.
 */
final class BlockCache {
    private static final class Buffer {
        final byte[] data;
        boolean dirty;

        Buffer(byte[] data) {
            this.data = data;
        }
    }

    private final BlockDevice device;
    private final int blockSize;
    private final int sectorsPerBlock;
    private final int capacity;
    private final LinkedHashMap<Long, Buffer> buffers = new LinkedHashMap<>(256, 0.75f, true);
    private long hits;
    private long misses;

    BlockCache(BlockDevice device, int blockSize, int capacity) {
        this.device = device;
        this.blockSize = blockSize;
        this.sectorsPerBlock = blockSize / device.sectorSize();
        this.capacity = Math.max(64, capacity);
    }

    int blockSize() {
        return blockSize;
    }

    /** The block's bytes, read from the device on a miss; after changing them call {@link #markDirty}. */
    byte[] read(long block) throws IOException {
        Buffer buf = buffers.get(block);
        if (buf != null) {
            hits++;
            return buf.data;
        }
        misses++;
        byte[] data = new byte[blockSize];
        device.read(block * sectorsPerBlock, ByteBuffer.wrap(data));
        insert(block, new Buffer(data));
        return data;
    }

    /** A zeroed buffer for a block about to be filled from scratch (a new indirect or directory block), already dirty. */
    byte[] create(long block) throws IOException {
        Buffer buf = buffers.get(block);
        if (buf != null) {
            java.util.Arrays.fill(buf.data, (byte) 0);
            buf.dirty = true;
            return buf.data;
        }
        Buffer fresh = new Buffer(new byte[blockSize]);
        fresh.dirty = true;
        insert(block, fresh);
        return fresh.data;
    }

    /** Marks {@code data} (the array {@link #read} returned) as the block's new contents. */
    void markDirty(long block, byte[] data) throws IOException {
        Buffer buf = buffers.get(block);
        if (buf == null || buf.data != data) {
            // Evicted since it was read (the cache is far larger than one operation's working set,
            // so nobody else can have read a newer copy in between): take it back in.
            buf = new Buffer(data);
            insert(block, buf);
        }
        buf.dirty = true;
    }

    /** Drops a freed block so a stale copy is never written over whatever reuses it. */
    void invalidate(long block) {
        buffers.remove(block);
    }

    /** Reads {@code count} consecutive blocks from {@code first} into {@code dst} (count * blockSize bytes). */
    void readRun(long first, int count, ByteBuffer dst) throws IOException {
        int start = 0;
        for (int i = 0; i <= count; i++) {
            Buffer cached = i < count ? buffers.get(first + i) : null;
            if (i == count || cached != null) {
                if (i > start) {
                    ByteBuffer slice = dst.slice(dst.position() + start * blockSize, (i - start) * blockSize);
                    device.read((first + start) * sectorsPerBlock, slice);
                }
                if (cached != null) {
                    dst.put(dst.position() + i * blockSize, cached.data);
                }
                start = i + 1;
            }
        }
        dst.position(dst.position() + count * blockSize);
    }

    /** Writes {@code count} consecutive blocks straight to the device, updating cached copies. */
    void writeRun(long first, int count, ByteBuffer src) throws IOException {
        for (int i = 0; i < count; i++) {
            Buffer cached = buffers.get(first + i);
            if (cached != null) {
                src.get(src.position() + i * blockSize, cached.data);
                cached.dirty = false;
            }
        }
        device.write(first * sectorsPerBlock, src.slice(src.position(), count * blockSize));
        src.position(src.position() + count * blockSize);
    }

    /**
     * Writes every dirty block back, in block order, except those {@code last} names, which go
     * after all the others (the superblock and group descriptors: the summary is written once
     * what it summarises is on the medium); then, if {@code flush}, flushes the device.
     */
    void sync(java.util.Set<Long> last, boolean flush) throws IOException {
        List<Long> dirty = new ArrayList<>();
        for (Map.Entry<Long, Buffer> e : buffers.entrySet()) {
            if (e.getValue().dirty) {
                dirty.add(e.getKey());
            }
        }
        dirty.sort(null);
        List<Long> later = new ArrayList<>();
        for (long block : dirty) {
            if (last.contains(block)) {
                later.add(block);
            } else {
                writeBack(block, buffers.get(block));
            }
        }
        for (long block : later) {
            writeBack(block, buffers.get(block));
        }
        if (flush) {
            device.flush();
        }
    }

    private void writeBack(long block, Buffer buf) throws IOException {
        device.write(block * sectorsPerBlock, ByteBuffer.wrap(buf.data));
        buf.dirty = false;
    }

    int dirtyCount() {
        int n = 0;
        for (Buffer b : buffers.values()) {
            if (b.dirty) {
                n++;
            }
        }
        return n;
    }

    /** Forgets everything (after unmount or when the medium can no longer be trusted). */
    void clear() {
        buffers.clear();
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    private void insert(long block, Buffer buf) throws IOException {
        buffers.put(block, buf);
        if (buffers.size() <= capacity) {
            return;
        }
        Iterator<Map.Entry<Long, Buffer>> it = buffers.entrySet().iterator();
        while (buffers.size() > capacity && it.hasNext()) {
            Map.Entry<Long, Buffer> eldest = it.next();
            if (eldest.getKey() == block) {
                continue;
            }
            it.remove();
            if (eldest.getValue().dirty) {
                writeBack(eldest.getKey(), eldest.getValue());
            }
        }
    }
}

package org.alosj.cpu.x86_64;

import java.util.HashMap;
import java.util.Map;

/**
 * Test-side 4-level page tables built in guest RAM, with a bump allocator of physical frames,
 * and copies to and from linear addresses (what a kernel's copy_to_user would do).
 */
public final class PageTables {
    public static final long P = 1;
    public static final long RW = 2;
    public static final long US = 4;
    public static final long NX = 1L << 63;

    private final FlatRamBus bus;
    private long nextFrame;
    public final long pml4;
    private final Map<Long, Long> pages = new HashMap<>();

    public PageTables(FlatRamBus bus, long firstFrame) {
        this.bus = bus;
        this.nextFrame = firstFrame;
        this.pml4 = allocFrame();
    }

    long allocFrame() {
        long f = nextFrame;
        nextFrame += 0x1000;
        if (nextFrame > bus.ram().size()) {
            throw new IllegalStateException("test guest out of RAM");
        }
        bus.ram().fill(f, 0x1000, (byte) 0);
        return f;
    }

    /** Maps the 4 KiB page at {@code va} to a fresh frame (if not mapped) with {@code flags}. */
    public long map(long va, long flags) {
        va &= ~0xFFFL;
        Long existing = pages.get(va);
        if (existing != null) {
            setLeaf(va, existing | flags | P);
            return existing;
        }
        long frame = allocFrame();
        setLeaf(va, frame | flags | P);
        pages.put(va, frame);
        return frame;
    }

    void mapTo(long va, long pa, long flags) {
        pages.put(va & ~0xFFFL, pa & ~0xFFFL);
        setLeaf(va, (pa & ~0xFFFL) | flags | P);
    }

    public void unmap(long va) {
        long entry = leafAddress(va & ~0xFFFL);
        bus.ram().write(entry, 8, 0);
        pages.remove(va & ~0xFFFL);
    }

    public void setLeafFlags(long va, long flags) {
        long frame = pages.get(va & ~0xFFFL);
        setLeaf(va, frame | flags | P);
    }

    public long leafEntry(long va) {
        return bus.ram().read(leafAddress(va & ~0xFFFL), 8);
    }

    private void setLeaf(long va, long entry) {
        bus.ram().write(leafAddress(va), 8, entry);
    }

    private long leafAddress(long va) {
        long table = pml4;
        for (int shift = 39; shift > 12; shift -= 9) {
            long ea = table + (((va >>> shift) & 0x1FF) << 3);
            long e = bus.ram().read(ea, 8);
            if ((e & P) == 0) {
                e = allocFrame() | P | RW | US;
                bus.ram().write(ea, 8, e);
            }
            table = e & 0x000F_FFFF_FFFF_F000L;
        }
        return table + (((va >>> 12) & 0x1FF) << 3);
    }

    boolean mapped(long va) {
        return pages.containsKey(va & ~0xFFFL);
    }

    public long physical(long va) {
        Long f = pages.get(va & ~0xFFFL);
        if (f == null) {
            throw new IllegalArgumentException("unmapped " + Long.toHexString(va));
        }
        return f | (va & 0xFFF);
    }

    public void write(long va, byte[] data, int off, int len) {
        for (int i = 0; i < len;) {
            long pa = physical(va + i);
            int n = (int) Math.min(len - i, 0x1000 - ((va + i) & 0xFFF));
            bus.ram().write(pa, data, off + i, n);
            i += n;
        }
    }

    public void write(long va, byte[] data) {
        write(va, data, 0, data.length);
    }

    public byte[] read(long va, int len) {
        byte[] out = new byte[len];
        for (int i = 0; i < len;) {
            long pa = physical(va + i);
            int n = (int) Math.min(len - i, 0x1000 - ((va + i) & 0xFFF));
            bus.ram().read(pa, out, i, n);
            i += n;
        }
        return out;
    }

    long read64(long va) {
        return java.nio.ByteBuffer.wrap(read(va, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    void write64(long va, long v) {
        write(va, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}

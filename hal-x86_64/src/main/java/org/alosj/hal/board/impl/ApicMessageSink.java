package org.alosj.hal.board.impl;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.irq.InterruptPin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board's receiver of message-signalled interrupts: the part of a local APIC that a PCI
 * MSI/MSI-X write reaches, not a whole LAPIC. A message is a DWORD memory write into
 * 0xFEE0_0000–0xFEEF_FFFF (Intel SDM vol. 3, 11.11): address bits 19:12 name the destination
 * APIC ID, bit 3 is the redirection hint, bit 2 the destination mode; the data word carries the
 * vector (7:0), the delivery mode (10:8), the level (14) and the trigger mode (15).
 *
 * <p>The board has one CPU, APIC ID 0. A fixed or lowest-priority message for APIC ID 0 (or the
 * broadcast ID 0xFF) sets the vector's bit in the request register; the CPU's INTR then reads
 * the highest pending vector first, as a local APIC prioritises by vector. Anything else (a
 * message for another APIC, an SMI/NMI/INIT/SIPI/ExtINT delivery mode, an illegal vector below
 * 16, a write that is not a DWORD, a read) is a guest error: logged and dropped, as the APIC
 * drops it.
 */
final class ApicMessageSink implements MmioHandler, InterruptPin {
    private static final Logger LOG = LoggerFactory.getLogger("hw.apic");

    /** Where messages land: the local APIC's default base. */
    static final long MSI_BASE = 0xFEE0_0000L;
    static final long MSI_SIZE = 0x10_0000L;
    static final int MSI_ADDR_DEST_ID_SHIFT = 12;
    static final int MSI_ADDR_DEST_ID_MASK = 0xFF;
    static final int MSI_ADDR_REDIRECTION_HINT = 1 << 3;
    static final int MSI_ADDR_DEST_MODE_LOGICAL = 1 << 2;
    static final int MSI_DATA_VECTOR_MASK = 0xFF;
    static final int MSI_DATA_DELIVERY_SHIFT = 8;
    static final int MSI_DATA_DELIVERY_FIXED = 0;
    static final int MSI_DATA_DELIVERY_LOWPRI = 1;
    static final int MSI_DATA_TRIGGER_LEVEL = 1 << 15;
    static final int APIC_ID = 0;
    static final int BROADCAST_ID = 0xFF;
    /** Vectors 0–15 are reserved; the APIC flags "received illegal vector" and drops them. */
    static final int FIRST_LEGAL_VECTOR = 16;

    private final long[] irr = new long[4];
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private long accepted;
    private long dropped;

    @Override
    public long mmioRead(long offset, int size) {
        // Only the message window is modelled; the LAPIC's registers are not.
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    @Override
    public void mmioWrite(long offset, int size, long value) {
        if (size != 4 || (offset & 3) != 0) {
            drop("a %d-byte write at %#x (messages are aligned DWORDs)", size, MSI_BASE + offset);
            return;
        }
        deliver(MSI_BASE + offset, (int) value);
    }

    /** Accepts or drops one message; returns whether it became a pending vector. */
    boolean deliver(long address, int data) {
        int destination = (int) (address >>> MSI_ADDR_DEST_ID_SHIFT) & MSI_ADDR_DEST_ID_MASK;
        int vector = data & MSI_DATA_VECTOR_MASK;
        int deliveryMode = (data >>> MSI_DATA_DELIVERY_SHIFT) & 7;
        if ((address & ~(MSI_SIZE - 1)) != MSI_BASE) {
            drop("a message to %#x, outside 0xFEEx_xxxx", address);
            return false;
        }
        if (deliveryMode != MSI_DATA_DELIVERY_FIXED && deliveryMode != MSI_DATA_DELIVERY_LOWPRI) {
            drop("a message with delivery mode %d (only fixed 0 and lowest-priority 1), data %#x",
                    deliveryMode, data);
            return false;
        }
        boolean logical = (address & MSI_ADDR_DEST_MODE_LOGICAL) != 0;
        // Physical mode names an APIC ID; logical mode a bit in the flat model's LDR, where the
        // only CPU answers to bit 0.
        boolean forUs = logical ? (destination & 1) != 0
                : destination == APIC_ID || destination == BROADCAST_ID;
        if (!forUs) {
            drop("a message for APIC %s %#x, which is not on this board", logical ? "logical" : "ID",
                    destination);
            return false;
        }
        if (vector < FIRST_LEGAL_VECTOR) {
            drop("a message with illegal vector %d (16-255), data %#x", vector, data);
            return false;
        }
        synchronized (this) {
            irr[vector >>> 6] |= 1L << (vector & 63);
            accepted++;
        }
        for (Runnable l : listeners) {
            l.run();
        }
        return true;
    }

    private void drop(String format, Object... args) {
        long n;
        synchronized (this) {
            n = dropped++;
        }
        if (n < 20 || n % 1000 == 0) {
            LOG.warn("guest error: APIC dropped " + String.format(format, args));
        }
    }

    @Override
    public synchronized boolean pending() {
        return (irr[0] | irr[1] | irr[2] | irr[3]) != 0;
    }

    /** The highest pending vector, now taken; -1 when none is pending. */
    @Override
    public synchronized int acknowledge() {
        for (int w = 3; w >= 0; w--) {
            if (irr[w] != 0) {
                int bit = 63 - Long.numberOfLeadingZeros(irr[w]);
                irr[w] &= ~(1L << bit);
                return w * 64 + bit;
            }
        }
        return -1;
    }

    @Override
    public AutoCloseable onAssert(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    synchronized long accepted() {
        return accepted;
    }

    synchronized long dropped() {
        return dropped;
    }
}

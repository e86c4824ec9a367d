package org.alosj.cpu.x86_64.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The recorder's choice of path: a path recorded on a short loop's last iteration (it leaves
 * the loop at its head) becomes the loop, whose way out is then a side exit.
 */
class TraceRecorderTest {
    private final Map<Long, Block> decoded = new HashMap<>();

    /** A block at {@code vaddr}: a NOP, then a JCC to {@code taken} falling through to {@code next}. */
    private Block jcc(long vaddr, long taken, long next) {
        Insn nop = new Insn();
        nop.op = Op.NOP;
        nop.rip = vaddr;
        nop.next = vaddr + 1;
        Insn j = new Insn();
        j.op = Op.JCC;
        j.cond = 5;
        j.rip = vaddr + 1;
        j.next = next;
        j.imm = taken;
        Block b = new Block(vaddr, vaddr, new Insn[] {nop, j});
        decoded.put(vaddr, b);
        return b;
    }

    @Test
    void aSelfLoopRecordedOnItsLastIterationBecomesTheLoop() {
        // head: ...; jnz head   falls through to out: ...; jnz far
        Block head = jcc(0x1000, 0x1000, 0x1002);
        Block out = jcc(0x1002, 0x5000, 0x1004);
        TraceRecorder.Path p = TraceRecorder.preferLoop(new TraceRecorder.Path(List.of(head, out), false), decoded::get);
        assertTrue(p.loops());
        assertEquals(List.of(head), p.blocks());
    }

    @Test
    void aTwoBlockLoopLeftAtTheHeadBecomesTheLoop() {
        // head: jz body (loop goes on) else out; body: jz out2 else falls through back to head (musl's strcspn scan)
        Block head = jcc(0x2000, 0x2100, 0x2002);
        Block body = jcc(0x2100, 0x2200, 0x2000);
        Block out = jcc(0x2002, 0x6000, 0x2004);
        TraceRecorder.Path p = TraceRecorder.preferLoop(new TraceRecorder.Path(List.of(head, out), false), decoded::get);
        assertTrue(p.loops());
        assertEquals(List.of(head, body), p.blocks());
    }

    @Test
    void aPathWithoutALoopThroughItsHeadStaysAsRecorded() {
        Block head = jcc(0x3000, 0x3100, 0x3002);
        jcc(0x3100, 0x3200, 0x3102); // leads away, never back to the head
        Block out = jcc(0x3002, 0x7000, 0x3004);
        TraceRecorder.Path recorded = new TraceRecorder.Path(List.of(head, out), false);
        assertSame(recorded, TraceRecorder.preferLoop(recorded, decoded::get));
    }

    @Test
    void aLoopThroughBlocksNotYetDecodedIsNotFormed() {
        Block head = jcc(0x4000, 0x4100, 0x4002);
        Block out = jcc(0x4002, 0x8000, 0x4004);
        // 0x4100 would lead back to the head, but it was never decoded: nothing is known of it.
        TraceRecorder.Path recorded = new TraceRecorder.Path(List.of(head, out), false);
        TraceRecorder.Path p = TraceRecorder.preferLoop(recorded, decoded::get);
        assertFalse(p.loops());
        assertSame(recorded, p);
    }
}

package org.alosj.cpu.x86_64.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * Records the path execution takes from a hot block: the blocks the run loop runs next, in
 * order, until the path comes back to its head (a loop) or to another block on it (an inner
 * loop, left to a trace of its own), reaches a block that ends in something a trace cannot
 * continue past (an indirect jump other than RET, a system instruction), reaches
 * a block that already heads a trace, or grows to {@link #MAX_BLOCKS}.
 */
final class TraceRecorder {
    static final int MAX_BLOCKS = 16;

    /** A recorded path: its blocks, and whether the last one continues to the first. */
    record Path(List<Block> blocks, boolean loops) {
    }

    private final List<Block> path = new ArrayList<>();
    private Block head;

    boolean recording() {
        return head != null;
    }

    /** Starts a path at {@code b}, which is about to run; a finished path when {@code b} alone is all it can be. */
    Path start(Block b) {
        head = b;
        path.clear();
        path.add(b);
        return continues(b) ? null : finish(false);
    }

    /**
     * {@code b} is about to run after the blocks recorded so far: the finished path when the
     * recording ends here, else null.
     */
    Path next(Block b) {
        if (!follows(path.get(path.size() - 1), b.vaddr)) {
            abort(); // something else ran in between (an interrupt, a fault): not a path
            return null;
        }
        if (b == head) {
            return finish(true);
        }
        if (b.trace != null || b.paddr < 0 || !b.valid || path.contains(b)) {
            // Another trace's head, or an inner loop: that loop gets a trace of its own.
            return finish(false);
        }
        path.add(b);
        if (!continues(b) || path.size() >= MAX_BLOCKS) {
            return finish(false);
        }
        return null;
    }

    void abort() {
        head = null;
        path.clear();
    }

    private Path finish(boolean loops) {
        Path p = new Path(new ArrayList<>(path), loops);
        abort();
        return p;
    }

    /** Whether a trace can go on past the end of {@code b} into another block. */
    static boolean continues(Block b) {
        return continues(b.code[b.code.length - 1]);
    }

    static boolean continues(Insn last) {
        switch (last.op) {
            case Op.JCC:
                return true;
            case Op.JMP_REL:
            case Op.CALL_REL:
            case Op.RET:
                return TraceOps.isNative(last);
            default:
                return !Op.endsBlock(last.op) && !(StringOps.isString(last.op) && last.rep != 0);
        }
    }

    /** Whether {@code vaddr} is a place {@code b} can go on to by itself. */
    private static boolean follows(Block b, long vaddr) {
        Insn last = b.code[b.code.length - 1];
        switch (last.op) {
            case Op.JCC:
                return vaddr == last.imm || vaddr == b.endRip;
            case Op.JMP_REL:
            case Op.CALL_REL:
                return vaddr == last.imm;
            case Op.RET:
                return true;
            default:
                return vaddr == b.endRip;
        }
    }

    /** The most blocks of a loop {@link #preferLoop} looks for. */
    static final int MAX_LOOP_BLOCKS = 4;

    /**
     * A path recorded while a short loop ran its last iteration starts at the loop's head and
     * leaves the loop at once: a trace of it would exit at every other iteration (musl's
     * strcspn builds its byte set in a 5-iteration loop; recorded on the fifth, each iteration
     * became a trace exit and entry). When the head's branch has a direction the recording did
     * not take that comes back to the head within {@link #MAX_LOOP_BLOCKS} blocks already
     * decoded, that loop is the path instead, and the way out a side exit. Else {@code p}.
     */
    static Path preferLoop(Path p, java.util.function.LongFunction<Block> cached) {
        List<Block> blocks = p.blocks();
        Block head = blocks.get(0);
        Insn last = head.code[head.code.length - 1];
        if (p.loops() || last.op != Op.JCC || !TraceOps.isNative(last)) {
            return p;
        }
        long taken = blocks.size() > 1 ? blocks.get(1).vaddr : -1;
        for (long alt : new long[] {last.imm, last.next}) {
            if (alt == taken) {
                continue;
            }
            List<Block> loop = new ArrayList<>();
            loop.add(head);
            if (alt == head.vaddr || cycle(head, alt, cached, loop)) {
                return new Path(loop, true);
            }
        }
        return p;
    }

    /** Whether blocks from {@code at} lead back to {@code head}; appends them to {@code loop} if so. */
    private static boolean cycle(Block head, long at, java.util.function.LongFunction<Block> cached, List<Block> loop) {
        if (loop.size() >= MAX_LOOP_BLOCKS) {
            return false;
        }
        Block b = cached.apply(at);
        if (b == null || b.paddr < 0 || !b.valid || loop.contains(b) || !continues(b)) {
            return false;
        }
        loop.add(b);
        Insn last = b.code[b.code.length - 1];
        long[] next = switch (last.op) {
            case Op.JCC -> new long[] {last.imm, last.next};
            case Op.JMP_REL -> new long[] {last.imm};
            case Op.CALL_REL, Op.RET -> new long[0];
            default -> new long[] {b.endRip};
        };
        for (long n : next) {
            if (n == head.vaddr || cycle(head, n, cached, loop)) {
                return true;
            }
        }
        loop.remove(loop.size() - 1);
        return false;
    }

    /**
     * A path formed without running it (the tests' compile-on-first-run knob): taken branches
     * only back to the head, fall-through otherwise, direct jumps and calls followed, ended by a
     * RET or anything {@link #continues} refuses.
     */
    static Path formStatically(Block head, java.util.function.LongFunction<Block> find) {
        List<Block> blocks = new ArrayList<>();
        blocks.add(head);
        Block cur = head;
        while (blocks.size() < MAX_BLOCKS && continues(cur)) {
            Insn last = cur.code[cur.code.length - 1];
            long next;
            switch (last.op) {
                case Op.JCC -> next = last.imm == head.vaddr ? last.imm : last.next;
                case Op.JMP_REL, Op.CALL_REL -> next = last.imm;
                case Op.RET -> next = -1;
                default -> next = cur.endRip;
            }
            if (next == -1) {
                break;
            }
            if (next == head.vaddr) {
                return new Path(blocks, true);
            }
            Block nb = find.apply(next);
            if (nb == null || nb.paddr < 0 || !nb.valid) {
                break;
            }
            blocks.add(nb);
            cur = nb;
        }
        return new Path(blocks, false);
    }
}

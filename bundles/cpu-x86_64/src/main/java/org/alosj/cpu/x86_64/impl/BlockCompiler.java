package org.alosj.cpu.x86_64.impl;

import java.lang.invoke.MethodHandles;

/**
 * Turns a hot {@link Block} into a hidden class whose one method calls each instruction's
 * handler directly, in order: straight-line code with a direct call per instruction instead of
 * the interpreter's shared switch, whose indirect jump the host CPU mispredicts as the guest
 * opcode changes. HotSpot then compiles and inlines each block's method on its own.
 *
 * <p>The generated code, written through {@link Bytecode} as the trace compiler's is, has no
 * branches: before each instruction it
 * stores the instruction's index in {@link Interpreter#blockPos} (a fault or a store into code
 * tells the caller where the block stopped) and after each instruction that stores to memory it
 * calls {@link Interpreter#storeDone}, which throws {@link Interpreter.StaleBlock} when the store
 * hit decoded code.
 */
final class BlockCompiler {
    /**
     * A compiled block: runs {@code code} (the block's instructions) on {@code cpu}. A class
     * rather than an interface: a virtual call is cheaper than an interface call at the one call
     * site that sees every block.
     */
    abstract static class Compiled {
        abstract void run(Interpreter cpu, Insn[] code);
    }

    private static final String PKG = BlockCompiler.class.getPackageName().replace('.', '/') + "/";
    private static final String INTERPRETER = PKG + "Interpreter";

    /** Classes kept for reuse, least recently used out first: a few programs' worth of shapes. */
    static final int SHAPES = 8_192;

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private final java.util.Map<Shape, Compiled> shapes = new java.util.LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Shape, Compiled> eldest) {
            return size() > SHAPES;
        }
    };
    private long shapesReused;
    /**
     * Handler method of {@link Interpreter} per {@link Op}; ops not listed go through {@code exec}.
     * After a slash, the int arguments that follow the instruction, as constants: K its
     * sub-operation ({@link Insn#aux}), S its operand size, C its condition code, D the SSE
     * handler ({@link SseUnit#directKind}), so HotSpot folds the switches on them.
     */
    private final String[] handlers = new String[256];

    BlockCompiler() {
        handlers[Op.ALU_RR] = "aluRR/KS";
        handlers[Op.ALU_MR] = "aluMR/KS";
        handlers[Op.ALU_RM] = "aluRM/KS";
        handlers[Op.ALU_RI] = "aluRI/KS";
        handlers[Op.ALU_MI] = "aluMI/KS";
        handlers[Op.TEST_RR] = "testRR/S";
        handlers[Op.TEST_MR] = "testMR";
        handlers[Op.TEST_RI] = "testRI/S";
        handlers[Op.TEST_MI] = "testMI";
        handlers[Op.MOV_RR] = "movRR/S";
        handlers[Op.MOV_MR] = "movMR/S";
        handlers[Op.MOV_RM] = "movRM/S";
        handlers[Op.MOV_RI] = "movRI";
        handlers[Op.MOV_MI] = "movMI";
        handlers[Op.MOVZX] = "movzx";
        handlers[Op.MOVSX] = "movsx";
        handlers[Op.LEA] = "lea";
        handlers[Op.XCHG_RR] = "xchgRR";
        handlers[Op.XCHG_MR] = "xchgMR";
        handlers[Op.CMOV] = "cmov";
        handlers[Op.SETCC] = "setcc";
        handlers[Op.UNARY] = "unary";
        handlers[Op.SHIFT] = "shift";
        handlers[Op.SHLD] = "doubleShift";
        handlers[Op.SHRD] = "doubleShift";
        handlers[Op.MULDIV] = "mulDiv";
        handlers[Op.IMUL_RE] = "imulRE";
        handlers[Op.IMUL_REI] = "imulREI";
        handlers[Op.BT_R] = "bitTest";
        handlers[Op.BT_I] = "bitTest";
        handlers[Op.BSF] = "bitScan";
        handlers[Op.BSR] = "bitScan";
        handlers[Op.TZCNT] = "bitScan";
        handlers[Op.LZCNT] = "bitScan";
        handlers[Op.POPCNT] = "bitScan";
        handlers[Op.BSWAP] = "bswap";
        handlers[Op.CMPXCHG] = "cmpxchg";
        handlers[Op.CMPXCHG_DOUBLE] = "cmpxchgDouble";
        handlers[Op.XADD] = "xadd";
        handlers[Op.PUSH_R] = "pushR";
        handlers[Op.POP_R] = "popReg";
        handlers[Op.PUSH_I] = "pushI";
        handlers[Op.POP_E] = "popMem";
        handlers[Op.POPF] = "popf";
        handlers[Op.CALL_REL] = "callRel";
        handlers[Op.CALL_E] = "callE";
        handlers[Op.RET] = "ret";
        handlers[Op.JMP_REL] = "jmpRel";
        handlers[Op.JMP_E] = "jmpE";
        handlers[Op.JCC] = "jcc/C";
        handlers[Op.LOOP] = "loop";
        handlers[Op.ENTER] = "enter";
        handlers[Op.LEAVE] = "leave";
        handlers[Op.XLAT] = "xlat";
        handlers[Op.SSE] = "execSse";
        handlers[Op.X87] = "execX87";
    }

    /** False for instructions that touch only registers and flags and raise nothing. */
    private static boolean mayFault(Insn in) {
        switch (in.op) {
            case Op.ALU_RR:
            case Op.ALU_RI:
            case Op.TEST_RR:
            case Op.TEST_RI:
            case Op.MOV_RR:
            case Op.MOV_RI:
            case Op.LEA:
            case Op.JCC:
                return in.writesMem;
            default:
                return true;
        }
    }

    /**
     * The {@link Interpreter} method that runs {@code in} and, after a slash, the constant int
     * arguments that follow the instruction (see {@link #handlers}); the trace compiler calls
     * the same ones.
     */
    String handlerOf(Insn in) {
        String h = in.op >= 0 && in.op < handlers.length && handlers[in.op] != null ? handlers[in.op] : "exec";
        if (in.op == Op.SHIFT && in.rm >= 0 && in.size >= 4 && in.aux >= 4 && in.cond != 1) {
            h = "shiftRegisterImm/KS";
        }
        if (in.op == Op.SSE && SseUnit.directKind(in.aux) != 0) {
            h = "execSse/KD";
        }
        return h;
    }

    /**
     * The compiled form of {@code code}. Blocks of one shape (the same handlers with the same
     * constant arguments, instruction by instruction) share one class: their code differs only
     * in the {@link Insn}s it is given. The CPUs of a machine share this compiler, so a shape is
     * defined once for every CPU and every process (a shell starts a new process, and a new
     * CPU, for each command), and HotSpot warms one method where it had hundreds.
     */
    Compiled compile(Insn[] code) {
        byte[] bytes = write(code);
        Shape shape = new Shape(bytes);
        synchronized (shapes) {
            Compiled known = shapes.get(shape);
            if (known != null) {
                shapesReused++;
                return known;
            }
        }
        Compiled made;
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
            made = (Compiled) hidden.lookupClass().getDeclaredConstructor().newInstance(); // as TraceCompiler's
        } catch (Throwable e) {
            throw new IllegalStateException("block compiler produced an invalid class", e);
        }
        synchronized (shapes) {
            Compiled raced = shapes.putIfAbsent(shape, made);
            return raced != null ? raced : made;
        }
    }

    /** How many compilations found their shape's class already defined. */
    long shapesReused() {
        synchronized (shapes) {
            return shapesReused;
        }
    }

    /** A block's class bytes as a map key. */
    private record Shape(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && java.util.Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }
    }

    /** The class of a compiled block: a constructor and {@code run(Interpreter cpu, Insn[] code)}. */
    private byte[] write(Insn[] code) {
        Bytecode b = new Bytecode();
        for (int k = 0; k < code.length; k++) {
            Insn in = code[k];
            String h = handlerOf(in);
            int sseKind = in.op == Op.SSE ? SseUnit.directKind(in.aux) : 0;
            int slash = h.indexOf('/');
            String args = slash < 0 ? "" : h.substring(slash + 1);
            if (mayFault(in)) {
                b.op(0x2B); // aload_1
                b.pushInt(k);
                b.putField(INTERPRETER, "blockPos", "I");
            }
            b.op(0x2B); // aload_1
            b.op(0x2C); // aload_2
            b.pushInt(k);
            b.op(Bytecode.AALOAD);
            for (char c : args.toCharArray()) {
                b.pushInt(c == 'K' ? in.aux : c == 'C' ? in.cond : c == 'D' ? sseKind : in.size);
            }
            b.invokeVirtual(INTERPRETER, slash < 0 ? h : h.substring(0, slash),
                    "(L" + PKG + "Insn;" + "I".repeat(args.length()) + ")V");
            if (in.writesMem) {
                b.op(0x2B); // aload_1
                b.invokeVirtual(INTERPRETER, "storeDone", "()V");
            }
        }
        b.op(0xB1); // return
        return b.build(PKG + "CompiledBlock", PKG + "BlockCompiler$Compiled", "run",
                "(L" + INTERPRETER + ";[L" + PKG + "Insn;)V", 5, 3);
    }
}

package org.alosj.cpu.x86_64.impl;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a hot {@link Block} into a hidden class whose one method calls each instruction's
 * handler directly, in order: straight-line code with a direct call per instruction instead of
 * the interpreter's shared switch, whose indirect jump the host CPU mispredicts as the guest
 * opcode changes. HotSpot then compiles and inlines each block's method on its own.
 *
 * <p>The generated code has no branches (so needs no stack map frames): before each instruction it
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

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
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

    Compiled compile(Insn[] code) {
        ClassWriter w = new ClassWriter();
        byte[] bytes = w.build(code);
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
            return (Compiled) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("block compiler produced an invalid class", e);
        }
    }

    /** A class file with a constructor and {@code run}, written by hand (JVMS chapter 4). */
    private final class ClassWriter {
        private final ByteArrayOutputStream pool = new ByteArrayOutputStream();
        private final Map<String, Integer> entries = new HashMap<>();
        private int count = 1;

        private int utf8(String s) {
            return entry("U" + s, () -> {
                byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                pool.write(1);
                u2(pool, b.length);
                pool.writeBytes(b);
            });
        }

        private int classRef(String name) {
            int n = utf8(name);
            return entry("C" + name, () -> {
                pool.write(7);
                u2(pool, n);
            });
        }

        private int methodRef(String owner, String name, String desc, boolean itf) {
            int c = classRef(owner);
            int nm = utf8(name);
            int d = utf8(desc);
            int nt = entry("N" + name + desc, () -> {
                pool.write(12);
                u2(pool, nm);
                u2(pool, d);
            });
            return entry((itf ? "I" : "M") + owner + "." + name + desc, () -> {
                pool.write(itf ? 11 : 10);
                u2(pool, c);
                u2(pool, nt);
            });
        }

        private int fieldRef(String owner, String name, String desc) {
            int c = classRef(owner);
            int nm = utf8(name);
            int d = utf8(desc);
            int nt = entry("N" + name + desc, () -> {
                pool.write(12);
                u2(pool, nm);
                u2(pool, d);
            });
            return entry("F" + owner + "." + name + desc, () -> {
                pool.write(9);
                u2(pool, c);
                u2(pool, nt);
            });
        }

        private int entry(String key, Runnable write) {
            Integer i = entries.get(key);
            if (i != null) {
                return i;
            }
            write.run();
            entries.put(key, count);
            return count++;
        }

        byte[] build(Insn[] code) {
            int thisClass = classRef(PKG + "CompiledBlock");
            int superClass = classRef(PKG + "BlockCompiler$Compiled");
            int init = utf8("<init>");
            int voidDesc = utf8("()V");
            int superInit = methodRef(PKG + "BlockCompiler$Compiled", "<init>", "()V", false);
            int run = utf8("run");
            int runDesc = utf8("(L" + INTERPRETER + ";[L" + PKG + "Insn;)V");
            int codeAttr = utf8("Code");
            int pos = fieldRef(INTERPRETER, "blockPos", "I");
            int storeDone = methodRef(INTERPRETER, "storeDone", "()V", false);

            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int k = 0; k < code.length; k++) {
                Insn in = code[k];
                String h = handlerOf(in);
                int sseKind = in.op == Op.SSE ? SseUnit.directKind(in.aux) : 0;
                int slash = h.indexOf('/');
                String args = slash < 0 ? "" : h.substring(slash + 1);
                String desc = "(L" + PKG + "Insn;" + "I".repeat(args.length()) + ")V";
                int handler = methodRef(INTERPRETER, slash < 0 ? h : h.substring(0, slash), desc, false);
                if (mayFault(in)) {
                    body.write(0x2B); // aload_1
                    body.write(0x11); // sipush k
                    u2(body, k);
                    body.write(0xB5); // putfield blockPos
                    u2(body, pos);
                }
                body.write(0x2B); // aload_1
                body.write(0x2C); // aload_2
                body.write(0x11); // sipush k
                u2(body, k);
                body.write(0x32); // aaload
                for (char c : args.toCharArray()) {
                    body.write(0x11); // sipush
                    u2(body, c == 'K' ? in.aux : c == 'C' ? in.cond : c == 'D' ? sseKind : in.size);
                }
                body.write(0xB6); // invokevirtual handler
                u2(body, handler);
                if (in.writesMem) {
                    body.write(0x2B); // aload_1
                    body.write(0xB6); // invokevirtual storeDone
                    u2(body, storeDone);
                }
            }
            body.write(0xB1); // return

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            u4(out, 0xCAFEBABE);
            u2(out, 0);
            u2(out, 52);
            u2(out, count);
            out.writeBytes(pool.toByteArray());
            u2(out, 0x0030); // ACC_FINAL | ACC_SUPER
            u2(out, thisClass);
            u2(out, superClass);
            u2(out, 0); // interfaces
            u2(out, 0); // fields
            u2(out, 2); // methods
            // public <init>() { super(); }
            u2(out, 0x0001);
            u2(out, init);
            u2(out, voidDesc);
            u2(out, 1);
            byte[] ctor = {0x2A, (byte) 0xB7, (byte) (superInit >> 8), (byte) superInit, (byte) 0xB1};
            code(out, codeAttr, 1, 1, ctor);
            // void run(Interpreter cpu, Insn[] code)
            u2(out, 0x0000);
            u2(out, run);
            u2(out, runDesc);
            u2(out, 1);
            code(out, codeAttr, 5, 3, body.toByteArray());
            u2(out, 0); // class attributes
            return out.toByteArray();
        }

        private void code(ByteArrayOutputStream out, int codeAttr, int maxStack, int maxLocals, byte[] bytecode) {
            u2(out, codeAttr);
            u4(out, 12 + bytecode.length);
            u2(out, maxStack);
            u2(out, maxLocals);
            u4(out, bytecode.length);
            out.writeBytes(bytecode);
            u2(out, 0); // exception table
            u2(out, 0); // attributes
        }
    }

    private static void u2(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void u4(ByteArrayOutputStream out, int v) {
        u2(out, v >>> 16);
        u2(out, v);
    }
}

package org.alosj.cpu.x86_64.impl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A class file with one constructor and one method, written by hand (JVMS chapter 4) for the
 * trace and block compilers: a constant pool, a code buffer with forward and backward labels, and an
 * exception table. Version 49, so the method needs no stack map frames (the verifier infers
 * the types), which keeps branchy generated code simple to emit.
 */
final class Bytecode {
    static final int ALOAD = 0x19;
    static final int LLOAD = 0x16;
    static final int ILOAD = 0x15;
    static final int LSTORE = 0x37;
    static final int ISTORE = 0x36;
    static final int ASTORE = 0x3A;
    static final int LCONST_0 = 0x09;
    static final int LCONST_1 = 0x0A;
    static final int ICONST_0 = 0x03;
    static final int ICONST_1 = 0x04;
    static final int LADD = 0x61;
    static final int LSUB = 0x65;
    static final int LMUL = 0x69;
    static final int LAND = 0x7F;
    static final int LOR = 0x81;
    static final int LXOR = 0x83;
    static final int LSHL = 0x79;
    static final int LSHR = 0x7B;
    static final int LUSHR = 0x7D;
    static final int LNEG = 0x75;
    static final int L2I = 0x88;
    static final int I2L = 0x85;
    static final int I2B = 0x91;
    static final int I2S = 0x93;
    static final int LCMP = 0x94;
    static final int AALOAD = 0x32;
    static final int POP2 = 0x58;
    static final int DUP = 0x59;
    static final int DUP2 = 0x5C;
    static final int IRETURN = 0xAC;
    static final int ATHROW = 0xBF;
    static final int IFEQ = 0x99;
    static final int IFNE = 0x9A;
    static final int IFLT = 0x9B;
    static final int IFGE = 0x9C;
    static final int IFGT = 0x9D;
    static final int IFLE = 0x9E;
    static final int IFNONNULL = 0xC7;
    static final int GOTO = 0xA7;
    static final int GETFIELD = 0xB4;
    static final int PUTFIELD = 0xB5;
    static final int INVOKEVIRTUAL = 0xB6;
    static final int INVOKESTATIC = 0xB8;

    /**
     * A growing byte array: ByteArrayOutputStream without its lock taken for every byte (a
     * trace is thousands of bytes, written while the JVM still interprets the compiler).
     */
    private static final class Bytes {
        private byte[] bytes = new byte[512];
        private int size;

        void write(int b) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, 2 * size);
            }
            bytes[size++] = (byte) b;
        }

        void writeBytes(byte[] b) {
            if (size + b.length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, size + b.length));
            }
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
        }

        int size() {
            return size;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }
    }

    /** A code position; bound once, referenced from any number of branches before or after. */
    static final class Label {
        int at = -1;
        final List<Integer> uses = new ArrayList<>();
    }

    private final Bytes pool = new Bytes();
    private final Map<String, Integer> entries = new HashMap<>();
    private int count = 1;
    private final Bytes code = new Bytes();
    private final List<Label> labels = new ArrayList<>();
    private final List<int[]> handlers = new ArrayList<>();

    // --- the constant pool ---------------------------------------------------------------------------

    // Each entry is looked up by a key of its kind and contents and written only when new. No
    // lambdas here: this runs while the JVM is cold, and each lambda's first use spins a class.

    int utf8(String s) {
        String key = "U" + s;
        Integer known = entries.get(key);
        if (known != null) {
            return known;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        pool.write(1);
        u2(pool, b.length);
        pool.writeBytes(b);
        return added(key, 1);
    }

    int classRef(String name) {
        int n = utf8(name);
        String key = "C" + name;
        Integer known = entries.get(key);
        if (known != null) {
            return known;
        }
        pool.write(7);
        u2(pool, n);
        return added(key, 1);
    }

    private int nameAndType(String name, String desc) {
        int nm = utf8(name);
        int d = utf8(desc);
        String key = "N" + name + desc;
        Integer known = entries.get(key);
        if (known != null) {
            return known;
        }
        pool.write(12);
        u2(pool, nm);
        u2(pool, d);
        return added(key, 1);
    }

    int methodRef(String owner, String name, String desc) {
        return memberRef(10, "M", owner, name, desc); // CONSTANT_Methodref
    }

    int fieldRef(String owner, String name, String desc) {
        return memberRef(9, "F", owner, name, desc); // CONSTANT_Fieldref
    }

    private int memberRef(int tag, String kind, String owner, String name, String desc) {
        int c = classRef(owner);
        int nt = nameAndType(name, desc);
        String key = kind + owner + "." + name + desc;
        Integer known = entries.get(key);
        if (known != null) {
            return known;
        }
        pool.write(tag);
        u2(pool, c);
        u2(pool, nt);
        return added(key, 1);
    }

    private int longConst(long v) {
        String key = "J" + v;
        Integer known = entries.get(key);
        if (known != null) {
            return known;
        }
        pool.write(5);
        u4(pool, (int) (v >>> 32));
        u4(pool, (int) v);
        return added(key, 2);
    }

    private int intConst(int v) {
        String key = "I" + v;
        Integer known = entries.get(key);
        if (known != null) {
            return known;
        }
        pool.write(3);
        u4(pool, v);
        return added(key, 1);
    }

    /** Numbers the entry just written under {@code key}; it takes {@code slots} pool slots. */
    private int added(String key, int slots) {
        entries.put(key, count);
        int at = count;
        count += slots;
        return at;
    }

    // --- code ------------------------------------------------------------------------------------------

    int size() {
        return code.size();
    }

    void op(int opcode) {
        if (opcode == ATHROW) {
            faultSites.add(new int[] {code.size(), code.size() + 1});
        }
        code.write(opcode);
    }

    void op(int opcode, int u1) {
        code.write(opcode);
        code.write(u1);
    }

    void opU2(int opcode, int u2) {
        code.write(opcode);
        u2(code, u2);
    }

    void pushInt(int v) {
        if (v >= -1 && v <= 5) {
            code.write(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            op(0x10, v & 0xFF); // bipush
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            opU2(0x11, v); // sipush
        } else {
            opU2(0x13, intConst(v)); // ldc_w
        }
    }

    void pushLong(long v) {
        if (v == 0 || v == 1) {
            code.write(LCONST_0 + (int) v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            pushInt((int) v);
            code.write(I2L);
        } else {
            opU2(0x14, longConst(v)); // ldc2_w
        }
    }

    void getField(String owner, String name, String desc) {
        opU2(GETFIELD, fieldRef(owner, name, desc));
    }

    void putField(String owner, String name, String desc) {
        opU2(PUTFIELD, fieldRef(owner, name, desc));
    }

    /** Calls emitted so far. */
    int invokes;

    void invokeVirtual(String owner, String name, String desc) {
        int at = code.size();
        opU2(INVOKEVIRTUAL, methodRef(owner, name, desc));
        invokes++;
        faultSites.add(new int[] {at, code.size()});
    }

    void invokeStatic(String owner, String name, String desc) {
        int at = code.size();
        opU2(INVOKESTATIC, methodRef(owner, name, desc));
        invokes++;
        if (!throwsNoGuestFault(owner, name)) {
            faultSites.add(new int[] {at, code.size()});
        }
    }

    /**
     * The code ranges (start, end) of the instructions that may throw a guest fault: the calls
     * and ATHROW, but the static calls that cannot (the guest RAM accessors, VarHandle fences,
     * java.lang.Long's and Math's arithmetic). A trace's fault handler covers only these.
     */
    final List<int[]> faultSites = new ArrayList<>();

    private static boolean throwsNoGuestFault(String owner, String name) {
        return owner.equals("java/lang/Long") || owner.equals("java/lang/Math") || owner.equals("java/lang/invoke/VarHandle")
                || owner.endsWith("/Mmu") && (name.startsWith("ramGet") || name.startsWith("ramSet"));
    }

    Label label() {
        Label l = new Label();
        labels.add(l);
        return l;
    }

    void bind(Label l) {
        l.at = code.size();
    }

    /** A branch (IFxx, GOTO) to {@code l}, patched when the class is built. */
    void jump(int opcode, Label l) {
        l.uses.add(code.size());
        code.write(opcode);
        u2(code, 0);
    }

    /** Instructions in [from, to) are covered by a handler at {@code handler} catching {@code type}. */
    void handler(Label from, Label to, Label handler, String type) {
        handlers.add(new int[] {labels.indexOf(from), labels.indexOf(to), labels.indexOf(handler), classRef(type)});
    }

    // --- the class -------------------------------------------------------------------------------------

    /**
     * The class {@code name}, subclass of {@code superName} (which has a public no-argument
     * constructor), with this code as the method {@code method} of descriptor {@code desc}.
     */
    byte[] build(String name, String superName, String method, String desc, int maxStack, int maxLocals) {
        byte[] body = code.toByteArray();
        for (Label l : labels) {
            for (int use : l.uses) {
                if (l.at < 0) {
                    throw new IllegalStateException("unbound label");
                }
                int rel = l.at - use;
                if (rel != (short) rel) {
                    throw new IllegalStateException("branch out of range");
                }
                body[use + 1] = (byte) (rel >> 8);
                body[use + 2] = (byte) rel;
            }
        }
        int thisClass = classRef(name);
        int superClass = classRef(superName);
        int init = utf8("<init>");
        int voidDesc = utf8("()V");
        int superInit = methodRef(superName, "<init>", "()V");
        int runName = utf8(method);
        int runDesc = utf8(desc);
        int codeAttr = utf8("Code");

        Bytes out = new Bytes();
        u4(out, 0xCAFEBABE);
        u2(out, 0);
        u2(out, 49);
        u2(out, count);
        out.writeBytes(pool.toByteArray());
        u2(out, 0x0030); // ACC_FINAL | ACC_SUPER
        u2(out, thisClass);
        u2(out, superClass);
        u2(out, 0); // interfaces
        u2(out, 0); // fields
        u2(out, 2); // methods
        u2(out, 0x0001);
        u2(out, init);
        u2(out, voidDesc);
        u2(out, 1);
        byte[] ctor = {0x2A, (byte) 0xB7, (byte) (superInit >> 8), (byte) superInit, (byte) 0xB1};
        codeAttribute(out, codeAttr, 1, 1, ctor, List.of());
        u2(out, 0x0000);
        u2(out, runName);
        u2(out, runDesc);
        u2(out, 1);
        codeAttribute(out, codeAttr, maxStack, maxLocals, body, handlers);
        u2(out, 0); // class attributes
        return out.toByteArray();
    }

    private void codeAttribute(Bytes out, int codeAttr, int maxStack, int maxLocals, byte[] body,
            List<int[]> table) {
        u2(out, codeAttr);
        u4(out, 12 + body.length + 8 * table.size());
        u2(out, maxStack);
        u2(out, maxLocals);
        u4(out, body.length);
        out.writeBytes(body);
        u2(out, table.size());
        for (int[] h : table) {
            u2(out, labels.get(h[0]).at);
            u2(out, labels.get(h[1]).at);
            u2(out, labels.get(h[2]).at);
            u2(out, h[3]);
        }
        u2(out, 0); // attributes
    }

    private static void u2(Bytes out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void u4(Bytes out, int v) {
        u2(out, v >>> 16);
        u2(out, v);
    }
}

package org.alosj.cpu.x86_64.impl;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.alosj.cpu.x86_64.FlatRamBus;

/**
 * The instruction forms the decoder implements, found by decoding every one- and two-byte
 * opcode under each mandatory prefix, with and without REX.W, in register and memory form and
 * with every ModRM.reg. A form is what the interpreter distinguishes: handler, sub-operation,
 * operand size, condition, register or memory operand, REP kind.
 */
final class InstructionForms {
    private static final Map<Integer, String> OP_NAMES = new HashMap<>();

    static {
        for (Field f : Op.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && !f.getName().equals("COUNT")) {
                try {
                    f.setAccessible(true);
                    OP_NAMES.put(f.getInt(null), f.getName());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /**
     * A way to write one form: the bytes before the ModRM (or the whole opcode) and the ModRM. A
     * prefix above FFh is two prefixes (66 F2 for CRC32's 16-bit form); an opcode above FFh is a
     * three-byte one (0F 38 xx, 0F 3A xx) without its 0F.
     */
    record Probe(int prefix, boolean rexW, boolean twoByte, int opcode, int modrm, boolean hasModrm) {
    }

    private final FlatRamBus bus = new FlatRamBus(1 << 16);
    private final X86Core core = new X86Core(bus);
    private final Decoder decoder = new Decoder(core.mem);

    /** Decodes {@code bytes} (at linear = physical 0, paging off). */
    Insn decode(byte[] bytes) {
        byte[] padded = new byte[32];
        System.arraycopy(bytes, 0, padded, 0, Math.min(bytes.length, 32));
        bus.write(0, padded, 0, padded.length);
        Insn in = new Insn();
        decoder.decode(0, in);
        return in;
    }

    int lastModrmOffset() {
        return decoder.lastModrmOffset;
    }

    static String opName(int op) {
        return OP_NAMES.getOrDefault(op, "OP" + op);
    }

    /** The form of a decoded instruction. */
    String key(Insn in, boolean hasModrm) {
        StringBuilder k = new StringBuilder(opName(in.op));
        switch (in.op) {
            case Op.SSE:
                if (in.aux >= SseExtensions.BASE) {
                    k.append(' ').append(SseExtensions.formName(in.aux));
                    if (SseExtensions.sizeMatters(in.aux)) {
                        k.append(" o").append(in.size * 8);
                    }
                    break;
                }
                k.append(String.format(" %02X/%s", in.aux >> 2, new String[] {"np", "66", "F3", "F2"}[in.aux & 3]));
                int opcode = in.aux >> 2;
                if (opcode >= 0x71 && opcode <= 0x73) {
                    k.append(" /").append(in.cond);
                }
                if (SseUnit.memoryWidth(opcode, in.aux & 3) == -1 || opcode == 0x2C || opcode == 0x2D
                        || opcode == 0x50 || opcode == 0xC5 || opcode == 0xD7 || opcode == 0xC4) {
                    k.append(" o").append(in.size * 8);
                }
                break;
            case Op.X87: {
                int esc = in.aux >> 4;
                boolean reg = (in.aux & 8) != 0;
                k.append(String.format(" %02X/%d%s", 0xD8 + esc, in.aux & 7, reg ? "r" : "m"));
                if (!reg && in.size == 2) {
                    k.append(" o16"); // the 16-bit environment images
                }
                if (reg && (esc == 1 && (in.aux & 7) >= 2 && (in.aux & 7) != 3 || esc == 3 && (in.aux & 7) == 4
                        || esc == 6 && (in.aux & 7) == 3 || esc == 7 && (in.aux & 7) == 4)) {
                    k.append(String.format(" %02X", in.cond));
                }
                return k.toString();
            }
            default:
                if (in.aux != 0) {
                    k.append(" aux").append(in.aux);
                }
                k.append(" o").append(in.size * 8);
                break;
        }
        switch (in.op) {
            case Op.JCC:
            case Op.SETCC:
            case Op.CMOV:
                k.append(" cc").append(Integer.toHexString(in.cond));
                break;
            case Op.SHIFT:
            case Op.SHLD:
            case Op.SHRD:
                k.append(in.cond == 1 ? " CL" : in.imm == 1 && in.op == Op.SHIFT ? " 1" : " imm");
                break;
            case Op.MOVS:
            case Op.STOS:
            case Op.LODS:
            case Op.SCAS:
            case Op.CMPS:
                k.append(in.rep == 0 ? "" : in.rep == 0xF3 ? " rep" : " repne");
                break;
            default:
                break;
        }
        if (hasModrm) {
            k.append(in.rm >= 0 ? " r" : " m");
        }
        return k.toString();
    }

    /** Every implemented form with one probe that writes it. */
    Map<String, Probe> enumerate() {
        Map<String, Probe> forms = new LinkedHashMap<>();
        int[] prefixes = {0, 0x66, 0xF3, 0xF2};
        for (int twoByte = 0; twoByte < 2; twoByte++) {
            for (int opcode = 0; opcode < 256; opcode++) {
                if (twoByte == 0 && isPrefixOrEscape(opcode) || twoByte == 1 && (opcode == 0x38 || opcode == 0x3A)) {
                    continue; // the three-byte maps are enumerated below
                }
                for (int prefix : prefixes) {
                    for (int w = 0; w < 2; w++) {
                        for (int modrm = 0; modrm < 256; modrm++) {
                            // Registers: rm = 0 and, for x87 register forms, every rm; memory: [rax].
                            int mod = modrm >> 6;
                            int rm = modrm & 7;
                            // x87 and group 7 (0F 01: SWAPGS, RDTSCP ...) name operations by the whole ModRM.
                            boolean everyRm = twoByte == 0 && opcode >= 0xD8 && opcode <= 0xDF || twoByte == 1 && opcode == 0x01;
                            if (!(mod == 3 && (rm == 0 || everyRm) || mod == 0 && rm == 0)) {
                                continue;
                            }
                            byte[] b = bytes(new Probe(prefix, w == 1, twoByte == 1, opcode, modrm, true));
                            Insn in;
                            try {
                                in = decode(b);
                            } catch (GuestFault f) {
                                continue;
                            }
                            if (in.op == Op.UD) {
                                continue;
                            }
                            boolean hasModrm = lastModrmOffset() >= 0;
                            String key = key(in, hasModrm);
                            forms.putIfAbsent(key, new Probe(prefix, w == 1, twoByte == 1, opcode, modrm, hasModrm));
                            if (!hasModrm && modrm > 0) {
                                break;
                            }
                        }
                    }
                }
            }
        }
        // The three-byte maps: each third byte, register and memory form, one more prefix pair.
        int[] mapPrefixes = {0, 0x66, 0xF3, 0xF2, 0x66F2};
        for (int map : new int[] {0x38, 0x3A}) {
            for (int third = 0; third < 256; third++) {
                for (int prefix : mapPrefixes) {
                    for (int w = 0; w < 2; w++) {
                        for (int modrm : new int[] {0xC0, 0x00}) {
                            Probe p = new Probe(prefix, w == 1, true, map << 8 | third, modrm, true);
                            Insn in;
                            try {
                                in = decode(bytes(p));
                            } catch (GuestFault f) {
                                continue;
                            }
                            if (in.op != Op.UD) {
                                forms.putIfAbsent(key(in, true), p);
                            }
                        }
                    }
                }
            }
        }
        return forms;
    }

    static boolean isPrefixOrEscape(int b) {
        return b == 0x0F || b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || (b & 0xF0) == 0x40 || b == 0x64
                || b == 0x65 || b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3;
    }

    static byte[] bytes(Probe p) {
        byte[] b = new byte[16];
        int n = 0;
        if (p.prefix() > 0xFF) {
            b[n++] = (byte) (p.prefix() >> 8);
        }
        if (p.prefix() != 0) {
            b[n++] = (byte) p.prefix();
        }
        if (p.rexW()) {
            b[n++] = 0x48;
        }
        if (p.twoByte()) {
            b[n++] = 0x0F;
        }
        if (p.opcode() > 0xFF) {
            b[n++] = (byte) (p.opcode() >> 8);
        }
        b[n++] = (byte) p.opcode();
        b[n] = (byte) p.modrm();
        return b;
    }
}

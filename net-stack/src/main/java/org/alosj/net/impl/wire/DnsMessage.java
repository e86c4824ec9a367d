package org.alosj.net.impl.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * DNS messages (RFC 1035) as far as an A-record resolver needs: the header, the questions and
 * the answer records. Names may be compressed; a pointer must point strictly backwards (so a
 * chain always ends) and a name is at most 255 bytes, so compression loops are rejected.
 */
public record DnsMessage(int id, int flags, List<Question> questions, List<Record> answers) {
    public static final int HEADER_LEN = 12;
    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int CLASS_IN = 1;
    public static final int FLAG_RESPONSE = 0x8000;
    public static final int FLAG_RD = 0x0100;
    public static final int FLAG_TC = 0x0200;
    public static final int MAX_NAME = 255;
    public static final int PORT = 53;

    public record Question(String name, int type, int dnsClass) {
    }

    /** A resource record; {@code address} is set for A records, {@code target} for CNAME. */
    public record Record(String name, int type, int dnsClass, long ttl, int address, String target) {
    }

    public int rcode() {
        return flags & 0xf;
    }

    public boolean isResponse() {
        return (flags & FLAG_RESPONSE) != 0;
    }

    public static DnsMessage query(int id, String name) {
        return new DnsMessage(id, FLAG_RD, List.of(new Question(name, TYPE_A, CLASS_IN)), List.of());
    }

    public static DnsMessage parse(byte[] b, int o, int length) throws MalformedPacketException {
        Bytes.need("DNS header", HEADER_LEN, length);
        int qd = Bytes.u16(b, o + 4);
        int an = Bytes.u16(b, o + 6);
        int[] pos = {HEADER_LEN};
        List<Question> questions = new ArrayList<>();
        for (int q = 0; q < qd; q++) {
            String name = name(b, o, length, pos);
            Bytes.need("DNS question", pos[0] + 4, length);
            questions.add(new Question(name, Bytes.u16(b, o + pos[0]), Bytes.u16(b, o + pos[0] + 2)));
            pos[0] += 4;
        }
        List<Record> answers = new ArrayList<>();
        for (int a = 0; a < an; a++) {
            String name = name(b, o, length, pos);
            Bytes.need("DNS record", pos[0] + 10, length);
            int p = o + pos[0];
            int type = Bytes.u16(b, p);
            int cls = Bytes.u16(b, p + 2);
            long ttl = Bytes.i32(b, p + 4) & 0x7fffffffL; // RFC 2181 8: a TTL with the top bit set counts as 0
            if ((Bytes.i32(b, p + 4) & 0x80000000) != 0) {
                ttl = 0;
            }
            int rdlength = Bytes.u16(b, p + 8);
            pos[0] += 10;
            Bytes.need("DNS rdata", pos[0] + rdlength, length);
            int address = 0;
            String target = null;
            if (type == TYPE_A && cls == CLASS_IN) {
                if (rdlength != 4) {
                    throw new MalformedPacketException("DNS: A record of " + rdlength + " bytes (expected 4)");
                }
                address = Bytes.i32(b, o + pos[0]);
            } else if (type == TYPE_CNAME) {
                int[] t = {pos[0]};
                target = name(b, o, pos[0] + rdlength, t);
            }
            pos[0] += rdlength;
            answers.add(new Record(name, type, cls, ttl, address, target));
        }
        return new DnsMessage(Bytes.u16(b, o), Bytes.u16(b, o + 2), List.copyOf(questions), List.copyOf(answers));
    }

    /** Reads a possibly compressed name at {@code pos[0]} (relative to o) and advances pos past it. */
    static String name(byte[] b, int o, int length, int[] pos) throws MalformedPacketException {
        StringBuilder s = new StringBuilder();
        int p = pos[0];
        int after = -1;
        int wire = 0;
        int lowestPointer = p;
        while (true) {
            Bytes.need("DNS name", p + 1, length);
            int len = Bytes.u8(b, o + p);
            if ((len & 0xc0) == 0xc0) {
                Bytes.need("DNS name pointer", p + 2, length);
                int target = Bytes.u16(b, o + p) & 0x3fff;
                if (target >= lowestPointer) {
                    throw new MalformedPacketException("DNS: compression pointer at " + p + " to " + target
                            + " does not point backwards (a loop)");
                }
                lowestPointer = target;
                if (after < 0) {
                    after = p + 2;
                }
                p = target;
                continue;
            }
            if ((len & 0xc0) != 0) {
                throw new MalformedPacketException("DNS: label type 0x" + Integer.toHexString(len & 0xc0) + " at " + p);
            }
            if (len == 0) {
                pos[0] = after >= 0 ? after : p + 1;
                return s.toString();
            }
            wire += len + 1;
            if (wire + 1 > MAX_NAME) {
                throw new MalformedPacketException("DNS: name longer than " + MAX_NAME + " bytes");
            }
            Bytes.need("DNS label", p + 1 + len, length);
            if (s.length() > 0) {
                s.append('.');
            }
            s.append(new String(b, o + p + 1, len, StandardCharsets.ISO_8859_1));
            p += 1 + len;
        }
    }

    /** Writes a query (header and questions; no compression); returns its length. */
    public int emit(byte[] b, int o) {
        Bytes.put16(b, o, id);
        Bytes.put16(b, o + 2, flags);
        Bytes.put16(b, o + 4, questions.size());
        Bytes.put16(b, o + 6, answers.size());
        Bytes.put16(b, o + 8, 0);
        Bytes.put16(b, o + 10, 0);
        int p = o + HEADER_LEN;
        for (Question q : questions) {
            p = emitName(b, p, q.name());
            Bytes.put16(b, p, q.type());
            Bytes.put16(b, p + 2, q.dnsClass());
            p += 4;
        }
        for (Record r : answers) {
            p = emitName(b, p, r.name());
            Bytes.put16(b, p, r.type());
            Bytes.put16(b, p + 2, r.dnsClass());
            Bytes.put32(b, p + 4, (int) r.ttl());
            Bytes.put16(b, p + 8, 4);
            Bytes.put32(b, p + 10, r.address());
            p += 14;
        }
        return p - o;
    }

    private static int emitName(byte[] b, int p, String name) {
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) {
                continue;
            }
            byte[] l = label.getBytes(StandardCharsets.ISO_8859_1);
            b[p++] = (byte) l.length;
            System.arraycopy(l, 0, b, p, l.length);
            p += l.length;
        }
        b[p++] = 0;
        return p;
    }

    /**
     * Checks a name the resolver is asked for: labels 1..63 bytes of letters, digits, '-' or '_',
     * at most 253 characters.
     */
    public static void checkName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.length() > 253) {
            throw new IllegalArgumentException("not a host name: '" + name + "' (1..253 characters)");
        }
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.chars().allMatch(
                    c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_'))) {
                throw new IllegalArgumentException("not a host name: '" + name + "' (bad label '" + label + "')");
            }
        }
    }
}

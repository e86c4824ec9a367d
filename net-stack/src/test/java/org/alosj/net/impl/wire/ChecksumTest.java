package org.alosj.net.impl.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The eight-bytes-at-a-time sum against the plain 16-bit one's complement sum of RFC 1071. */
class ChecksumTest {
    /** RFC 1071 4.1 word by word, folding as it goes. */
    static int reference(long start, byte[] b, int offset, int length) {
        long sum = start;
        for (int i = 0; i < length; i += 2) {
            int hi = b[offset + i] & 0xff;
            int lo = i + 1 < length ? b[offset + i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return Checksum.finish(sum);
    }

    @Test
    void rfc1071Example() {
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(~0xddf2 & 0xffff, Checksum.of(b, 0, b.length), "RFC 1071 4.1: the sum is ddf2");
    }

    @Test
    void allZerosAllOnesAndEveryLengthAndOffsetMatchTheWordByWordSum() {
        SplittableRandom random = new SplittableRandom(1071);
        for (byte fill : new byte[] {0, (byte) 0xff}) {
            byte[] b = new byte[1600];
            Arrays.fill(b, fill);
            for (int length = 0; length < 100; length++) {
                assertEquals(reference(0, b, 3, length), Checksum.of(b, 3, length), "fill " + fill + " length " + length);
            }
        }
        for (int n = 0; n < 20_000; n++) {
            int length = random.nextInt(1600);
            int offset = random.nextInt(40);
            byte[] b = new byte[offset + length + random.nextInt(9)];
            random.nextBytes(b);
            long start = random.nextInt(1 << 20);
            assertEquals(reference(start, b, offset, length), Checksum.finish(Checksum.add(start, b, offset, length)),
                    "length " + length + " offset " + offset);
        }
    }

    @Test
    void aSumInPiecesOfEvenLengthIsTheSumOfTheWhole() {
        byte[] b = new byte[1514];
        new SplittableRandom(7).nextBytes(b);
        long pieces = Checksum.add(Checksum.add(Checksum.add(0, b, 0, 14), b, 14, 20), b, 34, 1480);
        assertEquals(reference(0, b, 0, b.length), Checksum.finish(pieces));
    }
}

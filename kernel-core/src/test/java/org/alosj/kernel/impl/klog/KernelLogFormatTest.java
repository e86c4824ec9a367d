package org.alosj.kernel.impl.klog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alosj.kernel.klog.KernelLog;
import org.junit.jupiter.api.Test;

class KernelLogFormatTest {
    private static String line(long nanos, String message) {
        return KernelLogImpl.format(new KernelLog.Entry(nanos, "INFO", "test", message));
    }

    @Test
    void linesReadAsDmesgPrintsThem() {
        assertEquals("[    0.000000] first", line(0, "first"));
        assertEquals("[    1.234567] pci 00:03.0: bound", line(1_234_567_890L, "pci 00:03.0: bound"));
        assertEquals("[   12.000001] x", line(12_000_001_000L, "x"));
        assertEquals("[99999.999999] y", line(99_999_999_999_000L, "y"));
        assertEquals("[123456.500000] wider than five digits", line(123_456_500_000_000L, "wider than five digits"));
        assertEquals("[    0.000000] ", line(-5, ""));
    }

    @Test
    void theFormatMatchesWhatFormatterWouldWrite() {
        for (long us : new long[] {7, 70, 700_000, 3_000_007, 42_424_242_424L}) {
            assertEquals(String.format("[%5d.%06d] m", us / 1_000_000, us % 1_000_000), line(us * 1000, "m"));
        }
    }
}

package org.alosj.drivers.ps2;

import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.kernel.device.InputDevice;

/**
 * The benchmark bench/ps2.sh runs (not a test): how long a key takes from the host
 * ({@code HostInput.key}) through the i8042 model, IRQ 1, the 8259 and the driver to the
 * keyboard InputDevice's listener, one key in flight at a time; and a pointer move to the
 * mouse's, each move after the mouse's sample period (10 ms at the 100 a second the driver sets)
 * has passed, as a move after a pause goes at once. Prints the median, the 99th percentile and
 * the events per second.
 */
public final class Ps2Latency {
    private Ps2Latency() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        try (Ps2Rig rig = new Ps2Rig()) {
            LinkedBlockingQueue<Long> arrived = new LinkedBlockingQueue<>();
            rig.controller.keyboard().setListener((d, e) -> {
                if (e.type() == InputDevice.EV_KEY) {
                    arrived.offer(System.nanoTime());
                }
            });
            rig.controller.mouse().setListener((d, e) -> {
                if (e.type() == InputDevice.EV_REL) {
                    arrived.offer(System.nanoTime());
                }
            });
            long[] keys = new long[n];
            long[] moves = new long[Math.max(1, n / 10)];
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                boolean down = i % 2 == 0;
                long t0 = System.nanoTime();
                rig.host.key(30, down);
                keys[i] = take(arrived) - t0;
            }
            double keyRate = n / ((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            for (int i = 0; i < moves.length; i++) {
                Thread.sleep(11);
                long t0 = System.nanoTime();
                rig.host.pointer(i % 2 == 0 ? 3 : -3, 0, 0, 0);
                moves[i] = take(arrived) - t0;
            }
            double moveRate = moves.length / ((System.nanoTime() - start) / 1e9);
            print("key to keyboard InputDevice", keys, keyRate);
            print("pointer to mouse InputDevice", moves, moveRate);
        }
    }

    private static long take(LinkedBlockingQueue<Long> q) throws InterruptedException {
        Long t = q.poll(10, TimeUnit.SECONDS);
        if (t == null) {
            throw new IllegalStateException("an event did not arrive within 10 s");
        }
        return t;
    }

    private static void print(String what, long[] nanos, double perSecond) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%-30s median %6.1f us  p99 %7.1f us  %6.0f events/s  (%d events)%n", what,
                s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3, perSecond, s.length);
    }
}

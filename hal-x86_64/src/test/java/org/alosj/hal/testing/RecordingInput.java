package org.alosj.hal.testing;

import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.input.HostInput;

/** An input model's entry point that keeps what arrived, for the tests of what feeds keys and the pointer in. */
public final class RecordingInput implements HostInput {
    private final List<String> events = new ArrayList<>();

    @Override
    public String name() {
        return "recorder";
    }

    @Override
    public synchronized void key(int code, boolean down) {
        events.add((down ? "down " : "up ") + code);
        notifyAll();
    }

    @Override
    public synchronized void pointer(int dx, int dy, int wheel, int buttons) {
        events.add("pointer " + dx + " " + dy + " " + wheel + " " + buttons);
        notifyAll();
    }

    /** Waits (up to 10 s) until {@code n} events arrived, then returns them all. */
    public synchronized List<String> await(int n) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (events.size() < n && System.nanoTime() < end) {
            wait(100);
        }
        return new ArrayList<>(events);
    }

    public synchronized List<String> events() {
        return new ArrayList<>(events);
    }
}

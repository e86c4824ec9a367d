package org.alosj.shell.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;

/**
 * A Gogo session whose streams survive Ctrl-C. Gogo wraps a session's streams with
 * {@code Channels.newChannel}, whose channel closes itself for good when a thread writing
 * through it is interrupted: the first Ctrl-C on a printing command ({@code cat /dev/zero})
 * closed the console's output, and every later command ran unseen. The channels here refuse an
 * interrupted thread's I/O (an {@link InterruptedIOException}; the thread keeps its interrupt
 * status and its command ends) and stay open for the next command. Closing the session does
 * not close the terminal either.
 */
final class ConsoleSession extends CommandSessionImpl {
    ConsoleSession(CommandProcessorImpl processor, InputStream in, OutputStream out, OutputStream err) {
        super(processor, in, out, err);
        WritableByteChannel o = new SteadyOutput(out);
        channels = new Channel[] {new SteadyInput(in), o, err == out ? o : new SteadyOutput(err)};
    }

    private static void refuseIfInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
    }

    private static final class SteadyOutput implements WritableByteChannel {
        private final OutputStream target;

        SteadyOutput(OutputStream target) {
            this.target = target;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            refuseIfInterrupted();
            int n = src.remaining();
            if (src.hasArray()) {
                target.write(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
            } else {
                byte[] copy = new byte[n];
                src.get(copy);
                target.write(copy, 0, n);
            }
            target.flush();
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() throws IOException {
            target.flush();
        }
    }

    private static final class SteadyInput implements ReadableByteChannel {
        private final InputStream source;

        SteadyInput(InputStream source) {
            this.source = source;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            refuseIfInterrupted();
            byte[] b = new byte[Math.min(dst.remaining(), 8192)];
            int n = source.read(b, 0, b.length);
            if (n > 0) {
                dst.put(b, 0, n);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // the terminal's input outlives a session
        }
    }
}

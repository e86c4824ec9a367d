package org.alosj.net.impl.wire;

/** A packet that does not parse: the message says which field was wrong and what was expected. */
public final class MalformedPacketException extends Exception {
    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}

package org.alosj.kernel.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/** A disk or partition: fixed-size sectors, read and written in whole sectors. */
@ProviderType
public interface BlockDevice {
    /** Service property: the name ({@code hda}, {@code hda1}). */
    String NAME = "block.name";

    int sectorSize();

    long sectorCount();

    boolean readOnly();

    /** Reads {@code dst.remaining()} bytes (a multiple of the sector size) from {@code lba}. */
    void read(long lba, ByteBuffer dst) throws IOException;

    void write(long lba, ByteBuffer src) throws IOException;

    /** Returns when everything written is on stable storage. */
    void flush() throws IOException;
}

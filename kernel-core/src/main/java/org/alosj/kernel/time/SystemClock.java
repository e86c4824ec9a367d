package org.alosj.kernel.time;

import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/** The kernel's clocks. */
@ProviderType
public interface SystemClock {
    /** Wall-clock time: the RTC's reading at boot advanced by the time since. */
    Instant now();

    /** Nanoseconds since the kernel booted. */
    long uptimeNanos();

    /** PIT ticks taken since boot. */
    long ticks();

    /** The PIT tick rate the kernel programmed. */
    int tickHz();

    /** How long boot took, from the kernel's start to the device manager settling. */
    long bootMillis();
}

package org.alosj.hw.netdev.impl;

/** What the {@code netbackends} command prints for a backend of this bundle. */
interface NetdevStatus {
    /** The backend's type as {@code -netdev} spells it: passt, udp, hub, pcap, fault. */
    String type();

    /** One or a few lines: id, peer, counters. */
    String status();
}

/**
 * The backends and their DS components. {@link org.alosj.hw.netdev.impl.PasstBackend},
 * {@link org.alosj.hw.netdev.impl.UdpBackend}, {@link org.alosj.hw.netdev.impl.Hub},
 * {@link org.alosj.hw.netdev.impl.PcapBackend} and {@link org.alosj.hw.netdev.impl.FaultFilter}
 * are plain objects (tests, tools and bench/netdev.sh build them directly); the
 * {@code *Component} classes give them their configuration and their service registration, and
 * {@code NetdevCommands} is the {@code netbackends} command. Private to the bundle.
 */
package org.alosj.hw.netdev.impl;

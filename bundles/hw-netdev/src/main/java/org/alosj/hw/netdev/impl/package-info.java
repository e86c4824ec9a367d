/**
 * The backends and their DS components. {@link org.alosj.hw.netdev.impl.Hub} and
 * {@link org.alosj.hw.netdev.impl.PcapBackend} are plain objects (tests and tools build them
 * directly); {@code HubComponent} and {@code PcapComponent} give them their configuration and
 * their service registration. Private to the bundle.
 */
package org.alosj.hw.netdev.impl;

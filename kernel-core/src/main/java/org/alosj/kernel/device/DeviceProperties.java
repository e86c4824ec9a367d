package org.alosj.kernel.device;

/** Service properties every device service carries. */
public final class DeviceProperties {
    /** Where the device sits: a PCI address ({@code 00:02.0}) or a path below it. */
    public static final String SLOT = "device.slot";
    /** The driver that registered it. */
    public static final String DRIVER = "device.driver";
    /** A human name of the hardware ({@code AMD PCnet-PCI II}). */
    public static final String MODEL = "device.model";

    private DeviceProperties() {
    }
}

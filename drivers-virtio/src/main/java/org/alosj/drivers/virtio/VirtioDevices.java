package org.alosj.drivers.virtio;

/** The steps of device initialization (virtio 1.x section 3.1.1) the two device drivers share. */
final class VirtioDevices {
    private VirtioDevices() {
    }

    /**
     * Writes the driver's features and, on the modern interface, sets FEATURES_OK and checks the
     * device kept it (a device refuses a subset it cannot work with).
     *
     * @throws IllegalStateException when the device refused; the status is then FAILED
     */
    static void negotiate(Transport transport, long features) {
        transport.setDriverFeatures(features);
        if (!transport.modern()) {
            return;
        }
        transport.addStatus(Transport.VIRTIO_CONFIG_S_FEATURES_OK);
        if ((transport.status() & Transport.VIRTIO_CONFIG_S_FEATURES_OK) == 0) {
            transport.addStatus(Transport.VIRTIO_CONFIG_S_FAILED);
            throw new IllegalStateException(String.format("%s: the device refused features %#x (FEATURES_OK did not stick)",
                    transport.device.address(), features));
        }
    }
}

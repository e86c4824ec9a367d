package org.alosj.drivers.ps2;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.legacy.LegacyDevices;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The i8042 driver's component: probes the controller when the kernel is up and registers an
 * {@link InputDevice} for the keyboard (slot {@value #KEYBOARD_SLOT}, {@code input.kind=keyboard})
 * and one for the mouse if it answered ({@value #MOUSE_SLOT}, {@code input.kind=mouse}). A
 * machine without a controller logs one line and registers nothing.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = {}, immediate = true)
public final class I8042Driver {
    static final String KEYBOARD_SLOT = "isa0060/serio0";
    static final String MOUSE_SLOT = "isa0060/serio1";
    private static final Logger LOG = LoggerFactory.getLogger("drivers.ps2");

    private final List<ServiceRegistration<InputDevice>> registrations = new ArrayList<>();
    private I8042Controller controller;

    @Activate
    public I8042Driver(BundleContext context, @Reference LegacyDevices legacy) {
        try {
            controller = new I8042Controller(legacy);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.warn("{}", e.getMessage());
            return;
        }
        controller.start();
        registrations.add(context.registerService(InputDevice.class, controller.keyboard(),
                properties(KEYBOARD_SLOT, "atkbd", AtKeyboard.NAME, InputDevice.KIND_KEYBOARD)));
        PsMouse mouse = controller.mouse();
        if (mouse != null) {
            registrations.add(context.registerService(InputDevice.class, mouse,
                    properties(MOUSE_SLOT, "psmouse", mouse.name(), InputDevice.KIND_MOUSE)));
        }
    }

    private static Hashtable<String, Object> properties(String slot, String driver, String model, String kind) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(DeviceProperties.SLOT, slot);
        p.put(DeviceProperties.DRIVER, driver);
        p.put(DeviceProperties.MODEL, model);
        p.put(InputDevice.KIND, kind);
        return p;
    }

    @Deactivate
    public void deactivate() {
        for (ServiceRegistration<InputDevice> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework took it already
            }
        }
        registrations.clear();
        if (controller != null) {
            controller.close();
            LOG.info("i8042: released");
        }
    }
}

package org.alosj.hw.i8042.impl;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Consumer;
import org.alosj.hal.board.Board;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.input.HostInput;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The i8042 on the board, as on every QEMU {@code pc}: ports 0x60 and 0x64, IRQ 1 and 12, and
 * a {@link HostInput} service named {@value #INPUT_NAME} that feeds its keyboard and mouse.
 * Configured by PID {@value #PID}: {@code enabled=false} leaves it out (QEMU's
 * {@code -machine i8042=off}). Its reset line goes to whoever runs the machine, as the PIIX3's
 * 0xCF9 does: the {@code Consumer<String>} service with {@code alos.vmm=power} gets "reset".
 */
@Component(configurationPid = I8042Component.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {}, immediate = true)
public final class I8042Component {
    public static final String PID = "org.alosj.hw.i8042";
    /** The HostInput service's name and its {@code input.name} property. */
    public static final String INPUT_NAME = "i8042";
    private static final Logger LOG = LoggerFactory.getLogger("hw.i8042");

    /** Configuration. */
    public @interface Config {
        boolean enabled() default true;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(alos.vmm=power)")
    private volatile Consumer<String> vmm;

    private final I8042 controller;
    private final List<Mapping> mappings = new ArrayList<>();
    private ServiceRegistration<HostInput> registration;

    @Activate
    public I8042Component(Config config, BundleContext context, @Reference(name = "board") Board board) {
        if (!config.enabled()) {
            controller = null;
            LOG.info("i8042: left out (enabled=false)");
            return;
        }
        controller = plug(board);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("input.name", INPUT_NAME);
        props.put("input.keyboard", true);
        props.put("input.pointer", true);
        registration = context.registerService(HostInput.class, input(), props);
    }

    /** The controller on {@code board} with no service registered, for tests outside OSGi. */
    public I8042Component(Board board) {
        controller = plug(board);
    }

    private I8042 plug(Board board) {
        I8042 c = new I8042(board.isaIrq(I8042.KBD_IRQ), board.isaIrq(I8042.AUX_IRQ), this::reset, board.clock());
        mappings.add(board.ioPorts().map(I8042.DATA_PORT, 1, c, "i8042"));
        mappings.add(board.ioPorts().map(I8042.STATUS_PORT, 1, c, "i8042"));
        LOG.info("i8042: keyboard on IRQ 1, mouse on IRQ 12 (ports 0x60, 0x64)");
        return c;
    }

    /** The keyboard's lock LEDs as the guest last set them (bit 0 scroll, 1 num, 2 caps). */
    public int keyboardLeds() {
        return controller.keyboardLeds();
    }

    /** Where the host's keys and pointer enter (what the service registers). */
    public HostInput input() {
        return new ControllerInput(controller);
    }

    private void reset() {
        Consumer<String> runner = vmm;
        if (runner != null) {
            runner.accept("reset");
        } else {
            LOG.warn("i8042: reset line pulsed but nothing runs the machine to reset it");
        }
    }

    @Deactivate
    public void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        for (Mapping m : mappings) {
            m.close();
        }
        mappings.clear();
        if (controller != null) {
            controller.powerOff();
        }
    }

    /** The host's keys and pointer into the controller's keyboard and mouse. */
    record ControllerInput(I8042 controller) implements HostInput {
        @Override
        public String name() {
            return INPUT_NAME;
        }

        @Override
        public void key(int linuxKeyCode, boolean down) {
            controller.key(linuxKeyCode, down);
        }

        @Override
        public void pointer(int dx, int dy, int wheel, int buttons) {
            controller.pointer(dx, dy, wheel, buttons);
        }

        @Override
        public int leds() {
            return controller.keyboardLeds();
        }
    }
}

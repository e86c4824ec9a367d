package org.alosj.drivers.fb;

import org.alosj.drivers.fb.console.BitmapFont;
import org.alosj.drivers.fb.console.FbConsole;

import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.alosj.kernel.device.ConsoleDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.fb.FramebufferDevice;
import org.alosj.kernel.input.Keymaps;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fbcon: a text console on every frame buffer ({@code tty1} on the first, {@code tty2} …),
 * registered as a {@link ConsoleDevice} with its size in {@value #COLUMNS}/{@value #ROWS}, and
 * the keyboards ({@link InputDevice}s) typing into the one on screen through a decoder of the
 * {@link Keymaps} service; without Keymaps, keys are ignored until it comes.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = {}, immediate = true)
public final class FbConsoleComponent {
    public static final String COLUMNS = "console.columns";
    public static final String ROWS = "console.rows";
    public static final String FRAMEBUFFER = "console.framebuffer";
    static final String DRIVER = "fbcon";
    private static final Logger LOG = LoggerFactory.getLogger("drivers.fbcon");

    private final BundleContext context;
    private final BitmapFont font = BitmapFont.load();
    private final Map<FramebufferDevice, Entry> consoles = new ConcurrentHashMap<>();
    private final Map<InputDevice, InputDevice.Listener> keyboards = new ConcurrentHashMap<>();
    private volatile Keymaps keymaps;
    private volatile boolean active = true;

    private record Entry(FbConsole console, ServiceRegistration<ConsoleDevice> registration) {
    }

    @Activate
    public FbConsoleComponent(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFramebuffer(FramebufferDevice fb, Map<String, Object> props) {
        synchronized (this) {
            if (!active || consoles.containsKey(fb)) {
                return;
            }
            String name = freeName();
            FbConsole console = new FbConsole(name, fb, font);
            Keymaps k = keymaps;
            if (k != null) {
                console.setKeyDecoder(k.newDecoder());
            }
            console.start();
            Hashtable<String, Object> p = new Hashtable<>();
            Object slot = props.get(DeviceProperties.SLOT);
            if (slot != null) {
                p.put(DeviceProperties.SLOT, slot);
            }
            p.put(DeviceProperties.DRIVER, DRIVER);
            p.put(DeviceProperties.MODEL, "frame-buffer console");
            p.put(COLUMNS, console.columns());
            p.put(ROWS, console.rows());
            p.put(FRAMEBUFFER, fb.name());
            ServiceRegistration<ConsoleDevice> reg = context.registerService(ConsoleDevice.class, console, p);
            consoles.put(fb, new Entry(console, reg));
            LOG.info("{}: {}x{} text console on {}", name, console.columns(), console.rows(), fb.name());
        }
    }

    /** The lowest ttyN not in use, so a console that comes back after a rebind keeps its name. */
    private String freeName() {
        for (int n = 1; ; n++) {
            String name = "tty" + n;
            if (consoles.values().stream().noneMatch(e -> e.console().name().equals(name))) {
                return name;
            }
        }
    }

    void removeFramebuffer(FramebufferDevice fb) {
        Entry e = consoles.remove(fb);
        if (e != null) {
            close(e);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addInput(InputDevice device) {
        InputDevice.Listener l = (dev, event) -> {
            for (Entry e : consoles.values()) {
                e.console().inputEvent(event.type(), event.code(), event.value());
            }
        };
        keyboards.put(device, l);
        device.setListener(l);
    }

    void removeInput(InputDevice device) {
        if (keyboards.remove(device) != null) {
            try {
                device.setListener(null);
            } catch (RuntimeException e) {
                LOG.debug("{}: {}", device.name(), e.getMessage());
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setKeymaps(Keymaps k) {
        keymaps = k;
        for (Entry e : consoles.values()) {
            e.console().setKeyDecoder(k.newDecoder());
        }
    }

    void unsetKeymaps(Keymaps k) {
        if (keymaps == k) {
            keymaps = null;
            for (Entry e : consoles.values()) {
                e.console().setKeyDecoder(null);
            }
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (FramebufferDevice fb : consoles.keySet()) {
            removeFramebuffer(fb);
        }
        for (InputDevice d : keyboards.keySet()) {
            removeInput(d);
        }
    }

    private void close(Entry e) {
        try {
            e.registration().unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
        e.console().stop();
        LOG.info("{}: closed", e.console().name());
    }
}

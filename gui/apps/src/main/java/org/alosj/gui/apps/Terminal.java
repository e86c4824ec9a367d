package org.alosj.gui.apps;

import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicInteger;

import org.alosj.drivers.fb.console.BitmapFont;
import org.alosj.drivers.fb.console.FbConsole;
import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.GuiApplication;
import org.alosj.gui.api.WindowListener;
import org.alosj.kernel.device.ConsoleDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.input.Keymaps;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Terminal: a text console in a window, running the machine's shell. The window's content is a
 * frame buffer of its own on which fbcon's console draws (the same terminal emulation and font
 * as tty1); the console is registered as a {@link ConsoleDevice} ({@code pts0} …), so the shell
 * starts a session on it as it does on every console, and programs get it as their tty. Keys
 * typed into the focused window go through the loaded keymap. Closing the window ends the
 * session.
 */
@Component(service = GuiApplication.class, configurationPolicy = ConfigurationPolicy.IGNORE)
public final class Terminal implements GuiApplication {
    static final int COLUMNS = 80;
    static final int ROWS = 25;
    private static final Logger LOG = LoggerFactory.getLogger("gui.terminal");

    private final BundleContext context;
    private final BitmapFont font = BitmapFont.load();
    private final AtomicInteger next = new AtomicInteger();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Keymaps keymaps;

    @Activate
    public Terminal(BundleContext context) {
        this.context = context;
    }

    @Override
    public String title() {
        return "Terminal";
    }

    @Override
    public int preferredWidth() {
        return COLUMNS * BitmapFont.WIDTH;
    }

    @Override
    public int preferredHeight() {
        return ROWS * BitmapFont.HEIGHT;
    }

    @Override
    public void open(AppWindow window) {
        String name = "pts" + next.getAndIncrement();
        window.setTitle("Terminal — " + name);
        window.canvas().fill(0, 0, window.canvas().width(), window.canvas().height(), 0);
        WindowFramebuffer fb = new WindowFramebuffer("gui-" + name, window, preferredWidth(), preferredHeight());
        FbConsole console = new FbConsole(name, fb, font);
        Keymaps k = keymaps;
        if (k != null) {
            console.setKeyDecoder(k.newDecoder());
        }
        console.start();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceProperties.DRIVER, "gui-terminal");
        props.put(DeviceProperties.MODEL, "terminal window");
        props.put("console.columns", console.columns());
        props.put("console.rows", console.rows());
        ServiceRegistration<ConsoleDevice> registration = context.registerService(ConsoleDevice.class, console, props);
        LOG.info("{}: terminal window, {}x{}", name, console.columns(), console.rows());
        window.setListener(new WindowListener() {
            @Override
            public void key(int code, int value) {
                console.inputEvent(InputDevice.EV_KEY, code, value);
            }

            @Override
            public void resized(int width, int height) {
                // The terminal keeps its size; what the window shows beyond it is black.
                window.canvas().fill(0, 0, width, height, 0);
                fb.claim("resize", new org.alosj.kernel.fb.FramebufferDevice.Client() {
                    @Override
                    public void granted(org.alosj.kernel.fb.FramebufferDevice.Lease lease) {
                        lease.close(); // hands the screen straight back: the console redraws it all
                    }

                    @Override
                    public void revoked(org.alosj.kernel.fb.FramebufferDevice.Lease lease) {
                    }
                });
            }

            @Override
            public void closed() {
                try {
                    registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle is stopping and took its services with it
                }
                console.stop();
                LOG.info("{}: terminal window closed", name);
            }
        });
    }
}

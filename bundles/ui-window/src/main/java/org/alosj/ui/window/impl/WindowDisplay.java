package org.alosj.ui.window.impl;

import java.awt.GraphicsEnvironment;
import java.awt.event.FocusAdapter;
import java.awt.event.FocusEvent;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.event.MouseWheelEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.lang.reflect.InvocationTargetException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import javax.swing.WindowConstants;
import org.alosj.hal.display.DisplaySurface;
import org.alosj.hal.input.HostInput;
import org.alosj.kernel.power.SystemPower;
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
 * {@code -display window}: a desktop window showing the display adapter's picture, whose keys
 * and mouse go into every input model (a keyboard ignores the pointer, a mouse the keys), as
 * QEMU's GTK window does with a PS/2 keyboard and mouse: the pointer moves the guest's by the
 * host pointer's motion. Closing the window powers the machine off through the kernel's power
 * service (filesystems synced and unmounted first), as closing QEMU's window quits it.
 */
@Component(configurationPid = WindowDisplay.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class WindowDisplay implements DisplaySurface.Listener {
    static final String PID = "org.alosj.display.window";
    private static final Logger LOG = LoggerFactory.getLogger("display");

    /** The window's settings; the launcher's {@code -display window} writes them. */
    public @interface Config {
        String title() default "ALOS/J";
    }

    private final List<HostInput> inputs = new CopyOnWriteArrayList<>();
    private final ScreenView view = new ScreenView();
    private final String title;
    private volatile DisplaySurface surface;
    private volatile SystemPower power;
    private volatile JFrame frame;

    // Event thread only.
    private final Set<Integer> keysDown = new HashSet<>();
    private int lastX = -1;
    private int lastY;
    private int buttons;

    @Activate
    public WindowDisplay(Config config) {
        this.title = config.title();
        String problem = desktopProblem();
        if (problem != null) {
            // QEMU stops here; the machine stays usable headless, so it goes on without the window.
            LOG.error("-display window: {}; running without a window", problem);
            return;
        }
        try {
            SwingUtilities.invokeAndWait(this::open);
        } catch (InvocationTargetException | RuntimeException | Error e) {
            Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
            LOG.error("-display window: cannot open a window: {}", cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why no window can be opened here, or null. */
    static String desktopProblem() {
        try {
            if (GraphicsEnvironment.isHeadless()) {
                String display = System.getenv("DISPLAY");
                return display == null || display.isEmpty() ? "no desktop to show a window on (DISPLAY is not set)"
                        : "this Java runtime has no desktop support (java.awt.headless)";
            }
            GraphicsEnvironment.getLocalGraphicsEnvironment().getScreenDevices();
            return null;
        } catch (java.awt.AWTError | RuntimeException | UnsatisfiedLinkError e) {
            return "cannot reach the desktop (" + e.getMessage() + ")";
        }
    }

    private void open() {
        JFrame f = new JFrame(title);
        f.setDefaultCloseOperation(WindowConstants.DO_NOTHING_ON_CLOSE);
        f.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent e) {
                closeRequested();
            }
        });
        f.setResizable(false);
        f.getContentPane().add(view);
        view.addKeyListener(new KeyAdapter() {
            @Override
            public void keyPressed(KeyEvent e) {
                hostKey(e, true);
            }

            @Override
            public void keyReleased(KeyEvent e) {
                hostKey(e, false);
            }
        });
        MouseAdapter mouse = new MouseAdapter() {
            @Override
            public void mouseMoved(MouseEvent e) {
                hostPointer(e, 0);
            }

            @Override
            public void mouseDragged(MouseEvent e) {
                hostPointer(e, 0);
            }

            @Override
            public void mousePressed(MouseEvent e) {
                view.requestFocusInWindow();
                hostPointer(e, 0);
            }

            @Override
            public void mouseReleased(MouseEvent e) {
                hostPointer(e, 0);
            }

            @Override
            public void mouseWheelMoved(MouseWheelEvent e) {
                // AWT's rotation is negative away from the user; HostInput's wheel is positive then.
                hostPointer(e, -e.getWheelRotation());
            }
        };
        view.addMouseListener(mouse);
        view.addMouseMotionListener(mouse);
        view.addMouseWheelListener(mouse);
        view.addFocusListener(new FocusAdapter() {
            @Override
            public void focusLost(FocusEvent e) {
                releaseAll();
            }
        });
        view.setPreferredSize(view.modeSize());
        f.pack();
        f.setLocationByPlatform(true);
        f.setVisible(true);
        view.requestFocusInWindow();
        frame = f;
        LOG.info("display: window '{}' open", title);
    }

    JFrame frame() {
        return frame;
    }

    @Deactivate
    void close() {
        DisplaySurface s = surface;
        if (s != null) {
            s.removeListener(this);
        }
        JFrame f = frame;
        if (f != null) {
            SwingUtilities.invokeLater(f::dispose);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSurface(DisplaySurface s) {
        DisplaySurface old = surface;
        if (old != null) {
            old.removeListener(this);
        }
        surface = s;
        view.show(s);
        s.addListener(this);
        modeChanged(s.width(), s.height());
    }

    void unbindSurface(DisplaySurface s) {
        s.removeListener(this);
        if (surface == s) {
            surface = null;
            view.show(null);
            modeChanged(0, 0);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindInput(HostInput input) {
        inputs.add(input);
    }

    void unbindInput(HostInput input) {
        inputs.remove(input);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindPower(SystemPower p) {
        power = p;
    }

    void unbindPower(SystemPower p) {
        if (power == p) {
            power = null;
        }
    }

    @Override
    public void damaged(int x, int y, int width, int height) {
        // Thread-safe in Swing, and merged with other requests: cheap for the model's thread.
        view.repaint(x, y, width, height);
    }

    @Override
    public void modeChanged(int width, int height) {
        SwingUtilities.invokeLater(() -> {
            view.setPreferredSize(view.modeSize());
            JFrame f = frame;
            if (f != null) {
                f.pack();
            }
            view.repaint();
        });
    }

    private void closeRequested() {
        SystemPower p = power;
        if (p == null) {
            LOG.warn("display: the window was closed, but there is no power management to turn the machine off;"
                    + " the machine runs on without its window");
            frame.dispose();
            return;
        }
        LOG.info("display: window closed: powering the machine off");
        frame.dispose();
        // Off the event thread: powering off syncs the filesystems.
        Thread off = new Thread(p::powerOff, "display power-off");
        off.setDaemon(true);
        off.start();
    }

    private void hostKey(KeyEvent e, boolean down) {
        int code = AwtKeys.linuxCode(e.getKeyCode(), e.getKeyLocation());
        e.consume();
        if (code < 0) {
            LOG.debug("display: host key {} has no PC key", KeyEvent.getKeyText(e.getKeyCode()));
            return;
        }
        // The host repeats a held key; the guest's keyboard repeats it itself (typematic).
        if (down ? !keysDown.add(code) : !keysDown.remove(code)) {
            return;
        }
        for (HostInput i : inputs) {
            try {
                i.key(code, down);
            } catch (RuntimeException ex) {
                LOG.warn("display: input {} refused key {}: {}", i.name(), code, ex.getMessage());
            }
        }
    }

    /** Keys held when the window loses the focus would never see their release. */
    private void releaseAll() {
        for (int code : keysDown) {
            for (HostInput i : inputs) {
                i.key(code, false);
            }
        }
        keysDown.clear();
    }

    private void hostPointer(MouseEvent e, int wheel) {
        int dx = lastX < 0 ? 0 : e.getX() - lastX;
        int dy = lastX < 0 ? 0 : e.getY() - lastY;
        lastX = e.getX();
        lastY = e.getY();
        int mods = e.getModifiersEx();
        int held = ((mods & MouseEvent.BUTTON1_DOWN_MASK) != 0 ? HostInput.BUTTON_LEFT : 0)
                | ((mods & MouseEvent.BUTTON3_DOWN_MASK) != 0 ? HostInput.BUTTON_RIGHT : 0)
                | ((mods & MouseEvent.BUTTON2_DOWN_MASK) != 0 ? HostInput.BUTTON_MIDDLE : 0);
        if (dx == 0 && dy == 0 && wheel == 0 && held == buttons) {
            return;
        }
        buttons = held;
        for (HostInput i : inputs) {
            try {
                i.pointer(dx, dy, wheel, held);
            } catch (RuntimeException ex) {
                LOG.warn("display: input {} refused pointer motion: {}", i.name(), ex.getMessage());
            }
        }
    }
}

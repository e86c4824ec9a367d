package org.alosj.gui.apps;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.Canvas;
import org.alosj.gui.api.Canvas.TextStyle;
import org.alosj.gui.api.GuiApplication;
import org.alosj.gui.api.WindowListener;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.device.ConsoleDevice;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.pci.PciDeviceManager.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Device manager: lspci's tree — the PCI bus, its functions with class, IDs and revision, the
 * driver bound to each (or why none is) and, under each, the device services its driver
 * registered (network interfaces, disks, consoles, input devices). A click on a function folds or
 * unfolds it; the view follows binding as it changes.
 */
@Component(service = GuiApplication.class, configurationPolicy = ConfigurationPolicy.IGNORE)
public final class DeviceManager implements GuiApplication {
    private static final int ROW = 18;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PciDeviceManager pci;

    /** Device services by slot, kept from their service properties. */
    private final Map<Object, String[]> services = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addNet(NetDevice d, Map<String, Object> p) {
        services.put(d, describe("network", p));
    }

    void removeNet(NetDevice d) {
        services.remove(d);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBlock(BlockDevice d, Map<String, Object> p) {
        services.put(d, describe("disk " + p.getOrDefault(BlockDevice.NAME, ""), p));
    }

    void removeBlock(BlockDevice d) {
        services.remove(d);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addConsole(ConsoleDevice d, Map<String, Object> p) {
        services.put(d, describe("console " + d.name(), p));
    }

    void removeConsole(ConsoleDevice d) {
        services.remove(d);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addInput(InputDevice d, Map<String, Object> p) {
        services.put(d, describe("input " + d.name(), p));
    }

    void removeInput(InputDevice d) {
        services.remove(d);
    }

    private static String[] describe(String what, Map<String, Object> p) {
        Object model = p.get(DeviceProperties.MODEL);
        return new String[] {String.valueOf(p.getOrDefault(DeviceProperties.SLOT, "")),
            what.trim() + (model == null ? "" : " — " + model)};
    }

    @Override
    public String title() {
        return "Devices";
    }

    @Override
    public int preferredWidth() {
        return 560;
    }

    @Override
    public int preferredHeight() {
        return 380;
    }

    @Override
    public void open(AppWindow window) {
        Set<String> folded = ConcurrentHashMap.newKeySet();
        List<Line> shown = new ArrayList<>();
        Runnable redraw = () -> {
            shown.clear();
            shown.addAll(lines(folded));
            draw(window.canvas(), shown);
            window.repaint();
        };
        window.setListener(new WindowListener() {
            @Override
            public void mouseButton(int x, int y, int button, boolean down) {
                int i = (y - 4) / ROW;
                if (down && button == 1 && i >= 0 && i < shown.size() && shown.get(i).slot() != null) {
                    String slot = shown.get(i).slot();
                    if (!folded.remove(slot)) {
                        folded.add(slot);
                    }
                    redraw.run();
                }
            }

            @Override
            public void resized(int width, int height) {
                redraw.run();
            }

            @Override
            public void focus(boolean focused) {
                if (focused) {
                    redraw.run();
                }
            }
        });
        redraw.run();
    }

    /** One line of the tree: its depth, text, and the function it folds (null for leaves). */
    record Line(int depth, String text, String slot, int colour) {
    }

    List<Line> lines(Set<String> folded) {
        List<Line> out = new ArrayList<>();
        PciDeviceManager dm = pci;
        if (dm == null) {
            out.add(new Line(0, "No PCI device manager is running.", null, 0x000000));
            return out;
        }
        Map<String, List<String>> bySlot = new HashMap<>();
        for (String[] s : services.values()) {
            bySlot.computeIfAbsent(s[0], k -> new ArrayList<>()).add(s[1]);
        }
        out.add(new Line(0, "PCI bus 0000:00", null, 0x000000));
        for (Function f : dm.functions()) {
            String slot = f.address().toString();
            boolean isFolded = folded.contains(slot);
            int base = (f.classCode() >> 16) & 0xff;
            int sub = (f.classCode() >> 8) & 0xff;
            out.add(new Line(1, (isFolded ? "▸ " : "▾ ") + slot + "  " + PciClasses.name(base, sub)
                    + String.format(" [%02x%02x]: %04x:%04x (rev %02x)", base, sub, f.vendorId(), f.deviceId(), f.revision()),
                    slot, 0x000000));
            if (isFolded) {
                continue;
            }
            if (f.driver() != null) {
                out.add(new Line(2, "Kernel driver in use: " + f.driver(), null, 0x1b5e20));
            } else if (f.failure() != null) {
                out.add(new Line(2, "No driver: " + f.failure(), null, 0xb71c1c));
            } else {
                out.add(new Line(2, "No driver bound", null, 0x757575));
            }
            if (f.candidates() != null && !f.candidates().isEmpty()) {
                out.add(new Line(2, "Kernel modules: " + String.join(", ", f.candidates()), null, 0x424242));
            }
            if (f.irq() > 0) {
                out.add(new Line(2, "IRQ " + f.irq(), null, 0x424242));
            }
            for (String s : bySlot.getOrDefault(slot, List.of())) {
                out.add(new Line(2, s, null, 0x0d47a1));
            }
        }
        return out;
    }

    static void draw(Canvas c, List<Line> lines) {
        c.fill(0, 0, c.width(), c.height(), 0xffffff);
        int y = 4;
        for (Line l : lines) {
            if (y + ROW > c.height()) {
                break;
            }
            c.text(8 + l.depth() * 18, y + 2, l.text(), l.colour(), l.depth() <= 1 && l.slot() == null ? TextStyle.BOLD : TextStyle.REGULAR);
            y += ROW;
        }
    }
}

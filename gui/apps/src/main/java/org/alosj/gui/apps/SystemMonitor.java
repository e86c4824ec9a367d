package org.alosj.gui.apps;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.Canvas;
import org.alosj.gui.api.Canvas.TextStyle;
import org.alosj.gui.api.GuiApplication;
import org.alosj.gui.api.WindowListener;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.device.NetDevice;
import org.alosj.kernel.mem.MemoryInfo;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.proc.ProcessInfo;
import org.alosj.kernel.proc.ProcessManager;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * System monitor: guest CPU use (the processes' CPU time over wall time), memory, processes,
 * PCI functions and drivers, and each network interface's traffic, sampled every second with a
 * minute of history drawn as graphs.
 */
@Component(service = GuiApplication.class, configurationPolicy = ConfigurationPolicy.IGNORE)
public final class SystemMonitor implements GuiApplication {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MemoryInfo memory;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ProcessManager processes;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PciDeviceManager pci;

    private final Map<NetDevice, String> nics = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addNic(NetDevice nic, Map<String, Object> props) {
        nics.put(nic, String.valueOf(props.getOrDefault(DeviceProperties.SLOT, "?")) + " "
                + props.getOrDefault(DeviceProperties.DRIVER, ""));
    }

    void removeNic(NetDevice nic) {
        nics.remove(nic);
    }

    @Override
    public String title() {
        return "System Monitor";
    }

    @Override
    public int preferredWidth() {
        return 520;
    }

    @Override
    public int preferredHeight() {
        return 400;
    }

    @Override
    public void open(AppWindow window) {
        Sampler sampler = new Sampler();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gui-sysmon");
            t.setDaemon(true);
            return t;
        });
        window.setListener(new WindowListener() {
            @Override
            public void resized(int width, int height) {
                draw(window.canvas(), sampler);
                window.repaint();
            }

            @Override
            public void closed() {
                timer.shutdownNow();
            }
        });
        timer.scheduleAtFixedRate(() -> {
            sampler.sample();
            window.invokeLater(() -> {
                draw(window.canvas(), sampler);
                window.repaint();
            });
        }, 0, 1, TimeUnit.SECONDS);
    }

    /** One window's samples; touched by its timer thread, read on the desktop thread. */
    final class Sampler {
        final History cpu = new History(60);
        final History rx = new History(60);
        final History tx = new History(60);
        volatile String memoryLine = "memory: unknown";
        volatile double memoryUsed;
        volatile int processCount;
        volatile String devicesLine = "";
        final List<String> nicLines = new CopyOnWriteArrayList<>();
        private long lastWall;
        private long lastCpu = -1;
        private long lastRx = -1;
        private long lastTx = -1;

        synchronized void sample() {
            long now = System.nanoTime();
            double seconds = lastWall == 0 ? 1 : (now - lastWall) / 1e9;
            lastWall = now;
            ProcessManager pm = processes;
            long cpuNanos = 0;
            int count = 0;
            if (pm != null) {
                for (ProcessInfo p : pm.processes()) {
                    cpuNanos += p.cpuNanos();
                    count++;
                }
            }
            processCount = count;
            if (lastCpu >= 0 && cpuNanos >= lastCpu) {
                cpu.add(Math.min(100, (cpuNanos - lastCpu) / 1e9 / seconds * 100));
            } else if (lastCpu >= 0) {
                cpu.add(0); // processes ended: their time left the sum
            }
            lastCpu = cpuNanos;
            MemoryInfo m = memory;
            if (m != null) {
                long total = m.totalBytes();
                long free = m.freeBytes();
                memoryUsed = total == 0 ? 0 : (double) (total - free) / total;
                memoryLine = "used " + Units.bytes(total - free) + " of " + Units.bytes(total)
                        + "   heap " + Units.bytes(m.kernelHeapBytes()) + "   DMA " + Units.bytes(m.dmaBytes());
            }
            PciDeviceManager dm = pci;
            if (dm != null) {
                List<PciDeviceManager.Function> fs = dm.functions();
                long bound = fs.stream().filter(f -> f.driver() != null).count();
                devicesLine = fs.size() + " PCI functions, " + bound + " bound, drivers: " + String.join(" ", dm.drivers());
            }
            long rxBytes = 0;
            long txBytes = 0;
            nicLines.clear();
            for (Map.Entry<NetDevice, String> e : nics.entrySet()) {
                NetDevice.Statistics s = e.getKey().statistics();
                rxBytes += s.rxBytes();
                txBytes += s.txBytes();
                nicLines.add(e.getValue() + (e.getKey().linkUp() ? "  link up" : "  link down") + "   rx "
                        + s.rxPackets() + " pkts " + Units.bytes(s.rxBytes()) + "   tx " + s.txPackets() + " pkts "
                        + Units.bytes(s.txBytes()));
            }
            if (lastRx >= 0) {
                rx.add(Math.max(0, rxBytes - lastRx) / seconds);
                tx.add(Math.max(0, txBytes - lastTx) / seconds);
            }
            lastRx = rxBytes;
            lastTx = txBytes;
        }
    }

    static void draw(Canvas c, Sampler s) {
        int w = c.width();
        c.fill(0, 0, w, c.height(), 0xffffff);
        int lh = c.lineHeight(TextStyle.REGULAR);
        int y = 6;
        c.text(8, y, "CPU  " + String.format(java.util.Locale.ROOT, "%.0f %%", s.cpu.last()) + " of the virtual CPU, "
                + s.processCount + " processes", 0x000000, TextStyle.BOLD);
        y += lh + 2;
        graph(c, 8, y, w - 16, 70, s.cpu, 100, 0x2e7d32);
        y += 78;
        c.text(8, y, "Memory", 0x000000, TextStyle.BOLD);
        y += lh + 2;
        c.rectangle(8, y, w - 16, 14, 0x404040);
        c.fill(9, y + 1, (int) ((w - 18) * s.memoryUsed), 12, 0x1565c0);
        y += 18;
        c.text(8, y, s.memoryLine, 0x202020, TextStyle.REGULAR);
        y += lh + 8;
        c.text(8, y, "Devices", 0x000000, TextStyle.BOLD);
        y += lh + 2;
        c.text(8, y, s.devicesLine, 0x202020, TextStyle.REGULAR);
        y += lh + 8;
        c.text(8, y, "Network  rx " + Units.rate(s.rx.last()) + "   tx " + Units.rate(s.tx.last()), 0x000000, TextStyle.BOLD);
        y += lh + 2;
        double top = Math.max(1024, Math.max(s.rx.max(), s.tx.max()));
        graph(c, 8, y, w - 16, 60, s.rx, top, 0x1565c0);
        overlay(c, 8, y, w - 16, 60, s.tx, top, 0xc62828);
        y += 66;
        for (String line : s.nicLines) {
            c.text(8, y, line, 0x202020, TextStyle.REGULAR);
            y += lh;
        }
    }

    private static void graph(Canvas c, int x, int y, int w, int h, History hist, double top, int rgb) {
        c.fill(x, y, w, h, 0xf3f5f7);
        c.rectangle(x, y, w, h, 0xb0b0b0);
        overlay(c, x, y, w, h, hist, top, rgb);
    }

    private static void overlay(Canvas c, int x, int y, int w, int h, History hist, double top, int rgb) {
        int n = hist.size();
        if (n < 2) {
            return;
        }
        double step = (double) (w - 2) / 59;
        int px = -1;
        int py = -1;
        for (int i = 0; i < n; i++) {
            int gx = x + 1 + (int) Math.round((60 - n + i) * step);
            int gy = y + h - 2 - (int) Math.round(Math.min(1, hist.get(i) / top) * (h - 3));
            if (px >= 0) {
                c.line(px, py, gx, gy, rgb);
            }
            px = gx;
            py = gy;
        }
    }
}

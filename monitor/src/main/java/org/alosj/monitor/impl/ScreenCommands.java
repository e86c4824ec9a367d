package org.alosj.monitor.impl;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.alosj.hal.display.DisplaySurface;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * QEMU's {@code screendump}: the picture a display adapter shows, saved as a PNG file on the
 * host (an operator's verb: the path is the host's, relative to the directory alos runs in).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = ScreenCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=screendump",
})
public final class ScreenCommands {
    private final List<DisplaySurface> surfaces = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSurface(DisplaySurface s) {
        surfaces.add(s);
    }

    void unbindSurface(DisplaySurface s) {
        surfaces.remove(s);
    }

    @Descriptor("save the screen as a PNG file on the host: screendump FILE.png, or screendump -d DISPLAY FILE.png"
            + " for one adapter of several (its id: vga or -device's id=)")
    public String screendump(@Descriptor("[-d DISPLAY] FILE.png") String... args) {
        String id = null;
        String file;
        if (args.length == 1 && !args[0].startsWith("-")) {
            file = args[0];
        } else if (args.length == 3 && args[0].equals("-d")) {
            id = args[1];
            file = args[2];
        } else {
            throw new IllegalArgumentException("usage: screendump [-d DISPLAY] FILE.png");
        }
        DisplaySurface surface = pick(id);
        Path path = Path.of(file).toAbsolutePath();
        BufferedImage image = capture(surface);
        if (!java.nio.file.Files.isDirectory(path.getParent())) {
            // ImageIO's own words for this are about streams.
            throw new IllegalArgumentException("screendump: cannot write '" + file + "': No such directory");
        }
        try {
            if (!ImageIO.write(image, "png", path.toFile())) {
                throw new IllegalStateException("screendump: no PNG writer in this Java runtime");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("screendump: cannot write '" + file + "': " + e.getMessage());
        }
        return path + ": " + image.getWidth() + "x" + image.getHeight();
    }

    private DisplaySurface pick(String id) {
        if (surfaces.isEmpty()) {
            throw new IllegalStateException("screendump: no display adapter (start the machine with -vga std"
                    + " or -device bochs-display)");
        }
        if (id == null) {
            return surfaces.get(0);
        }
        for (DisplaySurface s : surfaces) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("screendump: no display '" + id + "' (displays: "
                + String.join(", ", surfaces.stream().map(DisplaySurface::id).toList()) + ")");
    }

    /** The picture as an image; the mode may change while it is read, so size and pixels are taken together. */
    static BufferedImage capture(DisplaySurface surface) {
        for (int attempt = 0; attempt < 3; attempt++) {
            int w = surface.width();
            int h = surface.height();
            if (w <= 0 || h <= 0) {
                throw new IllegalStateException("screendump: display '" + surface.id()
                        + "' shows nothing (no mode set, or blanked)");
            }
            int[] pixels = new int[w * h];
            try {
                surface.read(0, 0, w, h, pixels, 0, w);
            } catch (RuntimeException modeChanged) {
                continue;
            }
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, w, h, pixels, 0, w);
            return image;
        }
        throw new IllegalStateException("screendump: display '" + surface.id() + "' kept changing mode");
    }
}

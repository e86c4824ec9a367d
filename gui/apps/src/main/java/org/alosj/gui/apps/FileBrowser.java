package org.alosj.gui.apps;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.alosj.gui.api.AppWindow;
import org.alosj.gui.api.Canvas;
import org.alosj.gui.api.Canvas.TextStyle;
import org.alosj.gui.api.GuiApplication;
import org.alosj.gui.api.WindowListener;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.vfs.FileStatus;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.Vfs;
import org.alosj.kernel.vfs.VfsContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * File browser on the machine's VFS (never the host's): the current directory's entries with
 * their type and size; a click selects, a second click on the selection opens it (a directory
 * is entered, a file's beginning is shown below the list); arrows, Enter and Backspace work too.
 */
@Component(service = GuiApplication.class, configurationPolicy = ConfigurationPolicy.IGNORE)
public final class FileBrowser implements GuiApplication {
    private static final int ROW = 18;
    private static final int HEADER = 26;
    private static final int PREVIEW_BYTES = 2048;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Vfs vfs;

    @Override
    public String title() {
        return "Files";
    }

    @Override
    public int preferredWidth() {
        return 460;
    }

    @Override
    public int preferredHeight() {
        return 360;
    }

    @Override
    public void open(AppWindow window) {
        Vfs v = vfs;
        if (v == null) {
            window.canvas().text(8, 8, "No filesystem is available.", 0x000000, TextStyle.REGULAR);
            window.repaint();
            return;
        }
        Browser b = new Browser(v.createContext(0, 0));
        b.enter("/");
        window.setTitle("Files — /");
        window.setListener(new WindowListener() {
            @Override
            public void mouseButton(int x, int y, int button, boolean down) {
                if (!down || button != 1 || y < HEADER) {
                    return;
                }
                int index = b.top + (y - HEADER) / ROW;
                if (index >= b.entries.size()) {
                    return;
                }
                if (index == b.selected) {
                    b.activate();
                } else {
                    b.selected = index;
                }
                refresh(window, b);
            }

            @Override
            public void key(int code, int value) {
                if (value == 0) {
                    return;
                }
                switch (code) {
                    case 103 -> b.selected = Math.max(0, b.selected - 1);       // KEY_UP
                    case 108 -> b.selected = Math.min(b.entries.size() - 1, b.selected + 1); // KEY_DOWN
                    case 28 -> b.activate();                                        // KEY_ENTER
                    case 14 -> b.enter(b.parent());                                 // KEY_BACKSPACE
                    default -> {
                        return;
                    }
                }
                refresh(window, b);
            }

            @Override
            public void wheel(int x, int y, int notches) {
                b.top = Math.max(0, Math.min(Math.max(0, b.entries.size() - 1), b.top - notches * 3));
                refresh(window, b);
            }

            @Override
            public void resized(int width, int height) {
                refresh(window, b);
            }

            @Override
            public void closed() {
                b.context.close();
            }
        });
        refresh(window, b);
    }

    private static void refresh(AppWindow window, Browser b) {
        window.setTitle("Files — " + b.path);
        draw(window.canvas(), b);
        window.repaint();
    }

    record Entry(String name, FileType type, long size) {
    }

    /** A directory being looked at, through one VFS context. */
    static final class Browser {
        final VfsContext context;
        String path = "/";
        final List<Entry> entries = new ArrayList<>();
        int selected;
        int top;
        String message = "";
        List<String> preview = List.of();

        Browser(VfsContext context) {
            this.context = context;
        }

        String parent() {
            if (path.equals("/")) {
                return "/";
            }
            int slash = path.lastIndexOf('/');
            return slash <= 0 ? "/" : path.substring(0, slash);
        }

        String child(String name) {
            return path.equals("/") ? "/" + name : path + "/" + name;
        }

        void enter(String dir) {
            try {
                List<Entry> fresh = new ArrayList<>();
                for (DirEntry d : context.readdir(dir)) {
                    if (d.name().equals(".")) {
                        continue;
                    }
                    String full = dir.equals("/") ? "/" + d.name() : dir + "/" + d.name();
                    long size = 0;
                    FileType type = d.type();
                    if (!d.name().equals("..")) {
                        try {
                            FileStatus st = context.lstat(full);
                            size = st.size();
                            type = st.type();
                        } catch (FsException e) {
                            // Listed but gone or unreadable: show it without a size.
                        }
                    }
                    fresh.add(new Entry(d.name(), type, size));
                }
                fresh.sort(Comparator.comparing((Entry e) -> !e.name().equals(".."))
                        .thenComparing(e -> e.type() != FileType.DIRECTORY)
                        .thenComparing(Entry::name));
                if (!dir.equals("/") && fresh.stream().noneMatch(e -> e.name().equals(".."))) {
                    fresh.add(0, new Entry("..", FileType.DIRECTORY, 0));
                }
                entries.clear();
                entries.addAll(fresh);
                path = dir;
                selected = 0;
                top = 0;
                message = entries.size() + " entries";
                preview = List.of();
            } catch (FsException e) {
                message = dir + ": " + e.getMessage();
            }
        }

        void activate() {
            if (selected < 0 || selected >= entries.size()) {
                return;
            }
            Entry e = entries.get(selected);
            if (e.name().equals("..")) {
                enter(parent());
            } else if (e.type() == FileType.DIRECTORY) {
                enter(child(e.name()));
            } else if (e.type() == FileType.REGULAR) {
                show(child(e.name()));
            } else {
                message = e.name() + ": " + e.type().name().toLowerCase().replace('_', ' ');
            }
        }

        private void show(String file) {
            int fd = -1;
            try {
                fd = context.open(file, OpenFlags.O_RDONLY, 0);
                ByteBuffer buf = ByteBuffer.allocate(PREVIEW_BYTES);
                while (buf.hasRemaining() && context.read(fd, buf) > 0) {
                    // keep reading up to the preview size
                }
                byte[] bytes = new byte[buf.position()];
                buf.flip().get(bytes);
                boolean binary = false;
                for (byte x : bytes) {
                    if (x == 0) {
                        binary = true;
                        break;
                    }
                }
                preview = binary ? List.of("(binary file, " + bytes.length + "+ bytes)")
                        : List.of(new String(bytes, StandardCharsets.UTF_8).split("\n", -1));
                message = file;
            } catch (FsException ex) {
                message = file + ": " + ex.getMessage();
            } finally {
                if (fd >= 0) {
                    try {
                        context.close(fd);
                    } catch (FsException ignored) {
                        // closing a read-only descriptor cannot lose data
                    }
                }
            }
        }
    }

    static void draw(Canvas c, Browser b) {
        int w = c.width();
        int h = c.height();
        c.fill(0, 0, w, h, 0xffffff);
        c.fill(0, 0, w, HEADER - 2, 0xeceff1);
        c.text(8, 5, b.path, 0x000000, TextStyle.BOLD);
        int listBottom = b.preview.isEmpty() ? h - 20 : h / 2;
        int rows = Math.max(1, (listBottom - HEADER) / ROW);
        if (b.selected < b.top) {
            b.top = b.selected;
        } else if (b.selected >= b.top + rows) {
            b.top = b.selected - rows + 1;
        }
        for (int i = 0; i < rows && b.top + i < b.entries.size(); i++) {
            Entry e = b.entries.get(b.top + i);
            int y = HEADER + i * ROW;
            if (b.top + i == b.selected) {
                c.fill(0, y, w, ROW, 0xc8daf0);
            }
            boolean dir = e.type() == FileType.DIRECTORY;
            c.fill(8, y + 4, 10, 10, dir ? 0xf0b429 : 0x90a4ae);
            c.text(24, y + 2, e.name() + (dir ? "/" : ""), 0x000000, dir ? TextStyle.BOLD : TextStyle.REGULAR);
            String size = dir ? "" : e.type() == FileType.REGULAR ? Units.bytes(e.size()) : e.type().name().toLowerCase();
            c.text(w - 8 - c.textWidth(size, TextStyle.REGULAR), y + 2, size, 0x505050, TextStyle.REGULAR);
        }
        if (!b.preview.isEmpty()) {
            c.fill(0, listBottom, w, 1, 0xb0b0b0);
            int lh = c.lineHeight(TextStyle.MONOSPACE);
            int y = listBottom + 4;
            for (String line : b.preview) {
                if (y + lh > h - 20) {
                    break;
                }
                c.text(6, y, line.replace("\t", "    "), 0x202020, TextStyle.MONOSPACE);
                y += lh;
            }
        }
        c.fill(0, h - 18, w, 18, 0xeceff1);
        c.text(8, h - 17, b.message, 0x404040, TextStyle.REGULAR);
    }
}

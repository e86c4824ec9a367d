import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Regenerates the desktop's antialiased font atlases from a TrueType font (run by hand, not by
 * the build): {@code java -Djava.awt.headless=true gui/desktop/tools/FontAtlasTool.java FONT.ttf PIXELS OUT},
 * e.g. {@code /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf 13
 * gui/desktop/src/main/resources/org/alosj/gui/impl/mono-13.atlas}. The committed atlases come from
 * DejaVu Sans and DejaVu Sans Mono (Debian's fonts-dejavu-core; the Bitstream Vera licence
 * allows redistributing derived renderings), so the desktop needs no host font at run time.
 * Format: see GlyphAtlas in org.alosj.gui.impl.
 */
public final class FontAtlasTool {
    private static final int MAGIC = 0x41464e54; // "AFNT", as GlyphAtlas reads it

    public static void main(String[] args) throws Exception {
        Font font = Font.createFont(Font.TRUETYPE_FONT, Path.of(args[0]).toFile())
                .deriveFont((float) Integer.parseInt(args[1]));
        write(font, Path.of(args[2]));
    }

    static void write(Font font, Path out) throws IOException {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D pg = probe.createGraphics();
        pg.setFont(font);
        FontMetrics fm = pg.getFontMetrics();
        int ascent = fm.getAscent();
        int descent = fm.getDescent();
        int height = ascent + descent;
        try (DataOutputStream o = new DataOutputStream(new java.util.zip.GZIPOutputStream(new FileOutputStream(out.toFile())))) {
            o.writeInt(MAGIC);
            o.writeShort(height);
            o.writeShort(ascent);
            int count = 0;
            for (int cp = 0x20; cp <= 0x2500; cp++) {
                if (wanted(cp) && font.canDisplay(cp)) {
                    count++;
                }
            }
            o.writeShort(count);
            for (int cp = 0x20; cp <= 0x2500; cp++) {
                if (!wanted(cp) || !font.canDisplay(cp)) {
                    continue;
                }
                String s = new String(Character.toChars(cp));
                int advance = fm.stringWidth(s);
                int w = Math.max(1, advance + 4);
                BufferedImage img = new BufferedImage(w, height, BufferedImage.TYPE_BYTE_GRAY);
                Graphics2D g = img.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
                g.setFont(font);
                g.setColor(java.awt.Color.WHITE);
                g.drawString(s, 2, ascent);
                g.dispose();
                o.writeInt(cp);
                o.writeByte(advance);
                o.writeByte(w);
                o.writeByte(-2 & 0xff);
                byte[] cov = new byte[w * height];
                img.getRaster().getDataElements(0, 0, w, height, cov);
                o.write(cov);
            }
        }
        pg.dispose();
    }

    private static boolean wanted(int cp) {
        return cp < 0x7f || (cp >= 0xa0 && cp <= 0xff) || cp == 0x20ac || (cp >= 0x2190 && cp <= 0x2193)
                || cp == 0x2026 || cp == 0x2022 || cp == 0x2013 || cp == 0x2014;
    }
}

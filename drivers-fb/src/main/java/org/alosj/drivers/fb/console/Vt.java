package org.alosj.drivers.fb.console;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The terminal a console emulates, with no pixels in it: a grid of cells (code point and style),
 * the cursor, UTF-8 decoding and the VT100/ANSI control sequences Linux's console understands
 * well enough for {@code busybox vi} and {@code top}: cursor motion (CUU…CUP, HVP, VPA), erase
 * (ED, EL, ECH), insert and delete (ICH, DCH, IL, DL), scroll regions (DECSTBM, IND, RI, SU,
 * SD), SGR (bold, dim, underline, reverse, 16/256/true colours), save and restore the cursor,
 * DECTCEM, DECAWM, DECOM, IRM, the alternate screen (1049/1047/47) and the DSR/DA queries,
 * whose answers go to {@link Host#reply}.
 *
 * <p>What changed since the last {@link #takeDamage} is kept for the renderer: a column range
 * per row, and the scroll still to be done on the screen (one region, one direction), so a
 * burst of line feeds costs one copy of the picture, not one per line. When a scroll of
 * another region or direction comes, the host is asked to {@link Host#flush} first.
 *
 * <p>Not thread-safe: the console serialises writers.
 */
public final class Vt {
    /** Style bits: foreground index (9 bits, 256 = default), background (9 bits), flags. */
    static final int DEFAULT_COLOUR = 256;
    static final int BOLD = 1 << 18;
    static final int UNDERLINE = 1 << 19;
    static final int REVERSE = 1 << 20;
    static final int DIM = 1 << 21;
    static final int PLAIN = DEFAULT_COLOUR | DEFAULT_COLOUR << 9;

    /** What the terminal asks of whoever shows it. */
    public interface Host {
        /** Draw what is pending now: a scroll of another kind comes next. */
        void flush();

        /** Bytes the terminal sends back (answers to DSR and DA) as if typed. */
        void reply(byte[] bytes);
    }

    private final int cols;
    private final int rows;
    private final Host host;

    private int[] chars;
    private int[] styles;
    private int[] savedChars; // the other screen (main while the alternate one shows)
    private int[] savedStyles;
    private boolean alternate;

    private int x;
    private int y;
    private boolean wrapPending;
    private int style = PLAIN;
    private int top;
    private int bottom;
    private boolean autowrap = true;
    private boolean originMode;
    private boolean insertMode;
    private boolean cursorVisible = true;
    private int savedX;
    private int savedY;
    private int savedStyle = PLAIN;
    private boolean savedOrigin;

    // Damage: dirtyFrom[r] > dirtyTo[r] means clean; columns [from, to).
    private final int[] dirtyFrom;
    private final int[] dirtyTo;
    private int scrollTop;
    private int scrollBottom;
    private int scrollAmount; // > 0 up, < 0 down

    // Parser.
    private enum State { GROUND, ESCAPE, CSI, STRING, STRING_ESCAPE, SKIP_ONE }

    private State state = State.GROUND;
    private final int[] params = new int[16];
    private int paramCount;
    private boolean paramStarted;
    private char privateMarker;
    private char intermediate;
    private int utf8Need;
    private int utf8Code;
    private int utf8Min;

    public Vt(int cols, int rows, Host host) {
        if (cols < 1 || rows < 1) {
            throw new IllegalArgumentException("a terminal of " + cols + "x" + rows);
        }
        this.cols = cols;
        this.rows = rows;
        this.host = host;
        chars = new int[cols * rows];
        styles = new int[cols * rows];
        savedChars = new int[cols * rows];
        savedStyles = new int[cols * rows];
        dirtyFrom = new int[rows];
        dirtyTo = new int[rows];
        reset();
    }

    public int columns() {
        return cols;
    }

    public int rows() {
        return rows;
    }

    /** RIS: everything back to power-on, the screen blank. */
    public void reset() {
        Arrays.fill(chars, ' ');
        Arrays.fill(styles, PLAIN);
        Arrays.fill(savedChars, ' ');
        Arrays.fill(savedStyles, PLAIN);
        alternate = false;
        x = 0;
        y = 0;
        wrapPending = false;
        style = PLAIN;
        top = 0;
        bottom = rows - 1;
        autowrap = true;
        originMode = false;
        insertMode = false;
        cursorVisible = true;
        savedX = 0;
        savedY = 0;
        savedStyle = PLAIN;
        state = State.GROUND;
        utf8Need = 0;
        scrollAmount = 0;
        touchAll();
    }

    // ---- what the renderer reads ----

    public int codePoint(int col, int row) {
        return chars[row * cols + col];
    }

    public int style(int col, int row) {
        return styles[row * cols + col];
    }

    public int cursorX() {
        return x;
    }

    public int cursorY() {
        return y;
    }

    public boolean cursorVisible() {
        return cursorVisible;
    }

    /** Every cell is to be drawn again (and no scroll copy is pending). */
    public void touchAll() {
        Arrays.fill(dirtyFrom, 0);
        Arrays.fill(dirtyTo, cols);
        scrollAmount = 0;
    }

    /** Marks one cell for drawing (the renderer's cursor). */
    public void touch(int col, int row) {
        if (row >= 0 && row < rows && col >= 0 && col < cols) {
            mark(row, col, col + 1);
        }
    }

    /** The scroll still to do on the screen: {top, bottom, amount}; amount 0 when none. */
    public int[] pendingScroll() {
        return new int[] {scrollTop, scrollBottom, scrollAmount};
    }

    public int dirtyFrom(int row) {
        return dirtyFrom[row];
    }

    public int dirtyTo(int row) {
        return dirtyTo[row];
    }

    /** The renderer drew everything: forget the damage. */
    public void takeDamage() {
        Arrays.fill(dirtyFrom, Integer.MAX_VALUE);
        Arrays.fill(dirtyTo, 0);
        scrollAmount = 0;
    }

    private void mark(int row, int from, int to) {
        if (from < dirtyFrom[row]) {
            dirtyFrom[row] = from;
        }
        if (to > dirtyTo[row]) {
            dirtyTo[row] = to;
        }
    }

    // ---- input ----

    public void write(byte[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            int b = data[i] & 0xFF;
            if (state == State.GROUND && utf8Need == 0 && b >= 0x20 && b < 0x7F) {
                print(b);
                continue;
            }
            feed(b);
        }
    }

    public void write(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    private void feed(int b) {
        // C0 controls act in every state but strings, as on a VT100 (CAN and SUB abort a sequence).
        if (b < 0x20 && state != State.STRING && state != State.STRING_ESCAPE) {
            if (b == 0x1B) {
                utf8Need = 0;
                state = State.ESCAPE;
                intermediate = 0;
                return;
            }
            if (b == 0x18 || b == 0x1A) {
                state = State.GROUND;
                return;
            }
            control(b);
            return;
        }
        switch (state) {
            case GROUND -> utf8(b);
            case ESCAPE -> escape(b);
            case CSI -> csi(b);
            case STRING -> {
                if (b == 0x07) {
                    state = State.GROUND;
                } else if (b == 0x1B) {
                    state = State.STRING_ESCAPE;
                }
            }
            case STRING_ESCAPE -> state = b == '\\' ? State.GROUND : State.STRING;
            case SKIP_ONE -> state = State.GROUND;
        }
    }

    private void utf8(int b) {
        if (utf8Need > 0) {
            if ((b & 0xC0) == 0x80) {
                utf8Code = utf8Code << 6 | (b & 0x3F);
                if (--utf8Need == 0) {
                    boolean bad = utf8Code < utf8Min || utf8Code > 0x10FFFF
                            || (utf8Code >= 0xD800 && utf8Code <= 0xDFFF);
                    print(bad ? 0xFFFD : utf8Code);
                }
                return;
            }
            utf8Need = 0;
            print(0xFFFD); // a sequence cut short; this byte starts afresh
        }
        if (b < 0x80) {
            if (b != 0x7F) {
                print(b);
            }
        } else if ((b & 0xE0) == 0xC0) {
            utf8Need = 1;
            utf8Code = b & 0x1F;
            utf8Min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            utf8Need = 2;
            utf8Code = b & 0x0F;
            utf8Min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            utf8Need = 3;
            utf8Code = b & 0x07;
            utf8Min = 0x10000;
        } else {
            print(0xFFFD);
        }
    }

    private void control(int b) {
        switch (b) {
            case 0x08 -> { // BS
                if (x > 0) {
                    x--;
                }
                wrapPending = false;
            }
            case 0x09 -> { // HT: fixed stops every 8 columns
                x = Math.min(cols - 1, (x / 8 + 1) * 8);
                wrapPending = false;
            }
            case 0x0A, 0x0B, 0x0C -> lineFeed();
            case 0x0D -> {
                x = 0;
                wrapPending = false;
            }
            default -> {
                // BEL and the rest: nothing to show
            }
        }
    }

    private void print(int codePoint) {
        if (wrapPending) {
            wrapPending = false;
            if (autowrap) {
                x = 0;
                lineFeed();
            }
        }
        int at = y * cols + x;
        if (insertMode && x < cols - 1) {
            System.arraycopy(chars, at, chars, at + 1, cols - x - 1);
            System.arraycopy(styles, at, styles, at + 1, cols - x - 1);
            mark(y, x, cols);
        }
        chars[at] = codePoint;
        styles[at] = style;
        mark(y, x, x + 1);
        if (x == cols - 1) {
            wrapPending = true;
        } else {
            x++;
        }
    }

    private void lineFeed() {
        wrapPending = false;
        if (y == bottom) {
            scrollUp(top, bottom, 1);
        } else if (y < rows - 1) {
            y++;
        }
    }

    private void reverseLineFeed() {
        wrapPending = false;
        if (y == top) {
            scrollDown(top, bottom, 1);
        } else if (y > 0) {
            y--;
        }
    }

    // ---- scrolling, with the screen copy deferred ----

    private void scrollUp(int from, int to, int n) {
        int height = to - from + 1;
        n = Math.min(n, height);
        if (n <= 0) {
            return;
        }
        noteScroll(from, to, n);
        System.arraycopy(chars, (from + n) * cols, chars, from * cols, (height - n) * cols);
        System.arraycopy(styles, (from + n) * cols, styles, from * cols, (height - n) * cols);
        System.arraycopy(dirtyFrom, from + n, dirtyFrom, from, height - n);
        System.arraycopy(dirtyTo, from + n, dirtyTo, from, height - n);
        for (int r = to - n + 1; r <= to; r++) {
            blankRow(r, 0, cols);
        }
    }

    private void scrollDown(int from, int to, int n) {
        int height = to - from + 1;
        n = Math.min(n, height);
        if (n <= 0) {
            return;
        }
        noteScroll(from, to, -n);
        System.arraycopy(chars, from * cols, chars, (from + n) * cols, (height - n) * cols);
        System.arraycopy(styles, from * cols, styles, (from + n) * cols, (height - n) * cols);
        System.arraycopy(dirtyFrom, from, dirtyFrom, from + n, height - n);
        System.arraycopy(dirtyTo, from, dirtyTo, from + n, height - n);
        for (int r = from; r < from + n; r++) {
            blankRow(r, 0, cols);
        }
    }

    private void noteScroll(int from, int to, int n) {
        if (scrollAmount != 0 && (scrollTop != from || scrollBottom != to || Integer.signum(scrollAmount) != Integer.signum(n))) {
            host.flush(); // draws and forgets: scrollAmount is 0 after this
        }
        if (scrollAmount == 0) {
            scrollTop = from;
            scrollBottom = to;
        }
        scrollAmount += n;
        if (Math.abs(scrollAmount) >= to - from + 1) {
            // Everything in the region is new: draw it rather than copy.
            scrollAmount = 0;
            for (int r = from; r <= to; r++) {
                mark(r, 0, cols);
            }
        }
    }

    /** Erases cells with the current background (as Linux's console and xterm do). */
    private void blankRow(int row, int from, int to) {
        int blank = style & 0x1FF << 9 | DEFAULT_COLOUR;
        Arrays.fill(chars, row * cols + from, row * cols + to, ' ');
        Arrays.fill(styles, row * cols + from, row * cols + to, blank);
        mark(row, from, to);
    }

    // ---- escape sequences ----

    private void escape(int b) {
        if (intermediate == '#') {
            state = State.GROUND;
            if (b == '8') { // DECALN: fill the screen with E
                for (int r = 0; r < rows; r++) {
                    Arrays.fill(chars, r * cols, r * cols + cols, 'E');
                    Arrays.fill(styles, r * cols, r * cols + cols, PLAIN);
                    mark(r, 0, cols);
                }
            }
            return;
        }
        state = State.GROUND;
        switch (b) {
            case '[' -> {
                state = State.CSI;
                paramCount = 0;
                paramStarted = false;
                privateMarker = 0;
                intermediate = 0;
                Arrays.fill(params, 0);
            }
            case ']', 'P', '_', '^', 'X' -> state = State.STRING; // OSC, DCS, APC, PM, SOS: skipped
            case '(', ')', '*', '+' -> state = State.SKIP_ONE; // character set designations: UTF-8 only
            case '#' -> {
                intermediate = '#';
                state = State.ESCAPE;
            }
            case '7' -> saveCursor();
            case '8' -> restoreCursor();
            case 'D' -> lineFeed();
            case 'E' -> {
                x = 0;
                lineFeed();
            }
            case 'M' -> reverseLineFeed();
            case 'c' -> reset();
            default -> {
                // ESC = / ESC > (keypad modes) and the rest: nothing to show
            }
        }
    }

    private void csi(int b) {
        if (b >= '0' && b <= '9') {
            if (paramCount < params.length) {
                int i = paramCount;
                params[i] = Math.min(params[i] * 10 + (b - '0'), 99_999);
                paramStarted = true;
            }
            return;
        }
        if (b == ';' || b == ':') {
            if (paramCount < params.length) {
                paramCount++;
            }
            paramStarted = false;
            return;
        }
        if (b >= '<' && b <= '?') {
            privateMarker = (char) b;
            return;
        }
        if (b >= 0x20 && b <= 0x2F) {
            intermediate = (char) b;
            return;
        }
        int count = paramCount + (paramStarted || paramCount > 0 ? 1 : 0);
        count = Math.min(count, params.length);
        state = State.GROUND;
        if (b < 0x40 || b > 0x7E) {
            return; // not a final byte: the sequence is malformed, drop it
        }
        if (intermediate != 0) {
            return; // DECSCUSR and friends: not modelled
        }
        dispatch((char) b, count);
    }

    private int param(int i, int fallback) {
        return i < params.length && params[i] != 0 ? params[i] : fallback;
    }

    private void dispatch(char op, int count) {
        if (privateMarker == '?') {
            if (op == 'h' || op == 'l') {
                for (int i = 0; i < Math.max(count, 1); i++) {
                    privateMode(params[i], op == 'h');
                }
            }
            return;
        }
        if (privateMarker != 0) {
            return; // '>' secondary DA and others: no answer
        }
        int n = param(0, 1);
        switch (op) {
            case '@' -> insertChars(n);
            case 'A' -> moveTo(x, Math.max(y - n, y >= top ? top : 0));
            case 'B', 'e' -> moveTo(x, Math.min(y + n, y <= bottom ? bottom : rows - 1));
            case 'C', 'a' -> moveTo(Math.min(x + n, cols - 1), y);
            case 'D' -> moveTo(Math.max(x - n, 0), y);
            case 'E' -> moveTo(0, Math.min(y + n, y <= bottom ? bottom : rows - 1));
            case 'F' -> moveTo(0, Math.max(y - n, y >= top ? top : 0));
            case 'G', '`' -> moveTo(Math.min(n, cols) - 1, y);
            case 'H', 'f' -> cursorPosition(param(0, 1), param(1, 1));
            case 'd' -> cursorPosition(n, x + 1);
            case 'J' -> eraseDisplay(params[0]);
            case 'K' -> eraseLine(params[0]);
            case 'L' -> {
                if (y >= top && y <= bottom) {
                    scrollDown(y, bottom, n);
                    x = 0;
                    wrapPending = false;
                }
            }
            case 'M' -> {
                if (y >= top && y <= bottom) {
                    scrollUp(y, bottom, n);
                    x = 0;
                    wrapPending = false;
                }
            }
            case 'P' -> deleteChars(n);
            case 'X' -> {
                blankRow(y, x, Math.min(cols, x + n));
                wrapPending = false;
            }
            case 'S' -> scrollUp(top, bottom, n);
            case 'T' -> scrollDown(top, bottom, n);
            case 'm' -> sgr(count);
            case 'r' -> {
                int t = param(0, 1) - 1;
                int bt = param(1, rows) - 1;
                if (t < bt && bt < rows) {
                    top = t;
                    bottom = bt;
                    cursorPosition(1, 1);
                }
            }
            case 's' -> saveCursor();
            case 'u' -> restoreCursor();
            case 'h', 'l' -> {
                for (int i = 0; i < Math.max(count, 1); i++) {
                    if (params[i] == 4) {
                        insertMode = op == 'h';
                    }
                }
            }
            case 'n' -> {
                if (params[0] == 5) {
                    host.reply("\u001b[0n".getBytes(StandardCharsets.US_ASCII));
                } else if (params[0] == 6) {
                    int row = originMode ? y - top + 1 : y + 1;
                    host.reply(("\u001b[" + row + ";" + (x + 1) + "R").getBytes(StandardCharsets.US_ASCII));
                }
            }
            case 'c' -> {
                if (params[0] == 0) {
                    host.reply("\u001b[?6c".getBytes(StandardCharsets.US_ASCII)); // as Linux's console: a VT102
                }
            }
            default -> {
                // tab stops (g), window ops (t) and the rest: nothing to do
            }
        }
    }

    private void privateMode(int mode, boolean on) {
        switch (mode) {
            case 6 -> {
                originMode = on;
                cursorPosition(1, 1);
            }
            case 7 -> autowrap = on;
            case 25 -> {
                cursorVisible = on;
                touch(x, y);
            }
            case 47, 1047 -> alternateScreen(on, false);
            case 1049 -> alternateScreen(on, true);
            default -> {
                // application cursor keys (1) and others belong to the keyboard side
            }
        }
    }

    private void alternateScreen(boolean on, boolean saveCursor) {
        if (on == alternate) {
            return;
        }
        if (on && saveCursor) {
            saveCursor();
        }
        int[] c = chars;
        int[] s = styles;
        chars = savedChars;
        styles = savedStyles;
        savedChars = c;
        savedStyles = s;
        alternate = on;
        if (on) {
            Arrays.fill(chars, ' ');
            Arrays.fill(styles, PLAIN);
        }
        if (!on && saveCursor) {
            restoreCursor();
        }
        touchAll();
    }

    private void moveTo(int col, int row) {
        x = Math.max(0, Math.min(col, cols - 1));
        y = Math.max(0, Math.min(row, rows - 1));
        wrapPending = false;
    }

    /** CUP: 1-based, relative to the scroll region in origin mode. */
    private void cursorPosition(int row, int col) {
        if (originMode) {
            moveTo(col - 1, Math.min(top + row - 1, bottom));
        } else {
            moveTo(col - 1, row - 1);
        }
    }

    private void eraseDisplay(int how) {
        switch (how) {
            case 0 -> {
                blankRow(y, x, cols);
                for (int r = y + 1; r < rows; r++) {
                    blankRow(r, 0, cols);
                }
            }
            case 1 -> {
                for (int r = 0; r < y; r++) {
                    blankRow(r, 0, cols);
                }
                blankRow(y, 0, x + 1);
            }
            case 2, 3 -> {
                for (int r = 0; r < rows; r++) {
                    blankRow(r, 0, cols);
                }
            }
            default -> {
            }
        }
        wrapPending = false;
    }

    private void eraseLine(int how) {
        switch (how) {
            case 0 -> blankRow(y, x, cols);
            case 1 -> blankRow(y, 0, x + 1);
            case 2 -> blankRow(y, 0, cols);
            default -> {
            }
        }
        wrapPending = false;
    }

    private void insertChars(int n) {
        n = Math.min(n, cols - x);
        int at = y * cols + x;
        System.arraycopy(chars, at, chars, at + n, cols - x - n);
        System.arraycopy(styles, at, styles, at + n, cols - x - n);
        blankRow(y, x, x + n);
        mark(y, x, cols);
        wrapPending = false;
    }

    private void deleteChars(int n) {
        n = Math.min(n, cols - x);
        int at = y * cols + x;
        System.arraycopy(chars, at + n, chars, at, cols - x - n);
        System.arraycopy(styles, at + n, styles, at, cols - x - n);
        blankRow(y, cols - n, cols);
        mark(y, x, cols);
        wrapPending = false;
    }

    private void saveCursor() {
        savedX = x;
        savedY = y;
        savedStyle = style;
        savedOrigin = originMode;
    }

    private void restoreCursor() {
        x = Math.min(savedX, cols - 1);
        y = Math.min(savedY, rows - 1);
        style = savedStyle;
        originMode = savedOrigin;
        wrapPending = false;
    }

    private void sgr(int count) {
        if (count == 0) {
            style = PLAIN;
            return;
        }
        for (int i = 0; i < count; i++) {
            int p = params[i];
            switch (p) {
                case 0 -> style = PLAIN;
                case 1 -> style = (style | BOLD) & ~DIM;
                case 2 -> style = (style | DIM) & ~BOLD;
                case 4 -> style |= UNDERLINE;
                case 7 -> style |= REVERSE;
                case 21, 22 -> style &= ~(BOLD | DIM);
                case 24 -> style &= ~UNDERLINE;
                case 27 -> style &= ~REVERSE;
                case 39 -> style = withForeground(DEFAULT_COLOUR);
                case 49 -> style = withBackground(DEFAULT_COLOUR);
                case 38, 48 -> {
                    int colour = -1;
                    if (i + 2 < count && params[i + 1] == 5) {
                        colour = Math.min(params[i + 2], 255);
                        i += 2;
                    } else if (i + 4 < count && params[i + 1] == 2) {
                        colour = Palette.nearest(Math.min(params[i + 2], 255), Math.min(params[i + 3], 255),
                                Math.min(params[i + 4], 255));
                        i += 4;
                    } else {
                        i = count; // malformed: the rest cannot be read
                    }
                    if (colour >= 0) {
                        style = p == 38 ? withForeground(colour) : withBackground(colour);
                    }
                }
                default -> {
                    if (p >= 30 && p <= 37) {
                        style = withForeground(p - 30);
                    } else if (p >= 40 && p <= 47) {
                        style = withBackground(p - 40);
                    } else if (p >= 90 && p <= 97) {
                        style = withForeground(p - 90 + 8);
                    } else if (p >= 100 && p <= 107) {
                        style = withBackground(p - 100 + 8);
                    }
                    // blink (5), italics (3) and the rest: not shown
                }
            }
        }
    }

    private int withForeground(int colour) {
        return style & ~0x1FF | colour;
    }

    private int withBackground(int colour) {
        return style & ~(0x1FF << 9) | colour << 9;
    }

    static int foreground(int style) {
        return style & 0x1FF;
    }

    static int background(int style) {
        return style >>> 9 & 0x1FF;
    }
}

package org.alosj.shell.pci;

/** Reads the config bytes of one function from {@code lspci -xxx} text. */
final class DumpFile {
    private DumpFile() {
    }

    static byte[] parse(String text) {
        byte[] config = new byte[PciFunctionView.CONFIG_SIZE];
        for (String line : text.split("\n")) {
            if (line.length() > 3 && line.charAt(2) == ':' && line.charAt(3) == ' ') {
                int row = Integer.parseInt(line.substring(0, 2), 16);
                String[] bytes = line.substring(4).trim().split(" ");
                for (int i = 0; i < bytes.length; i++) {
                    config[row + i] = (byte) Integer.parseInt(bytes[i], 16);
                }
            }
        }
        return config;
    }
}

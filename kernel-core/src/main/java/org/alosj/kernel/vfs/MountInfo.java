package org.alosj.kernel.vfs;

import java.util.Map;

/**
 * One line of the mount table.
 *
 * @param source the device path ({@code /dev/hda}) or, for a filesystem with no device, its type
 * @param target where it is mounted, absolute
 * @param device st_dev of the files on it
 */
public record MountInfo(String source, String target, String type, boolean readOnly, Map<String, String> options,
                        long device) {
    public MountInfo {
        options = Map.copyOf(options);
    }
}

package org.alosj.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class FileTypeTest {
    @Test
    void st_mode_type_bits_name_the_type_as_in_linux_stat_h() {
        assertEquals(FileType.REGULAR, FileType.ofMode(0100644));
        assertEquals(FileType.DIRECTORY, FileType.ofMode(0040755));
        assertEquals(FileType.SYMLINK, FileType.ofMode(0120777));
        assertEquals(FileType.BLOCK_DEVICE, FileType.ofMode(0060660));
        assertNull(FileType.ofMode(0000644), "no type bits");
        assertNull(FileType.ofMode(0030000), "an S_IFMT value Linux does not define");
    }

    @Test
    void attributes_compose_st_mode_and_refuse_bits_beyond_the_permissions() {
        Instant t = Instant.EPOCH;
        FileAttributes a = new FileAttributes(12, FileType.REGULAR, 04755, 1, 0, 0, 10, 8, t, t, t, 0);
        assertEquals(0104755, a.mode());
        assertThrows(IllegalArgumentException.class,
                () -> new FileAttributes(12, FileType.REGULAR, 0100644, 1, 0, 0, 0, 0, t, t, t, 0));
    }

    @Test
    void errno_numbers_are_linux_numbers() {
        assertEquals(2, Errno.ENOENT.number());
        assertEquals(28, Errno.ENOSPC.number());
        assertEquals(39, Errno.ENOTEMPTY.number());
        assertEquals(117, Errno.EUCLEAN.number());
    }
}

package org.alosj.kernel.impl.vfs;

import static org.alosj.kernel.vfs.OpenFlags.O_APPEND;
import static org.alosj.kernel.vfs.OpenFlags.O_CREAT;
import static org.alosj.kernel.vfs.OpenFlags.O_DIRECTORY;
import static org.alosj.kernel.vfs.OpenFlags.O_EXCL;
import static org.alosj.kernel.vfs.OpenFlags.O_NOFOLLOW;
import static org.alosj.kernel.vfs.OpenFlags.O_RDONLY;
import static org.alosj.kernel.vfs.OpenFlags.O_RDWR;
import static org.alosj.kernel.vfs.OpenFlags.O_TRUNC;
import static org.alosj.kernel.vfs.OpenFlags.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.alosj.kernel.device.BlockDevice;
import org.alosj.kernel.fs.DirEntry;
import org.alosj.kernel.fs.Errno;
import org.alosj.kernel.fs.FileType;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.fs.MountOptions;
import org.alosj.kernel.impl.block.BlockLayerImpl;
import org.alosj.kernel.testkit.FileBlockDevice;
import org.alosj.kernel.vfs.OpenFlags;
import org.alosj.kernel.vfs.VfsContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class VirtualFileSystemTest {
    @TempDir
    Path tmp;
    BlockLayerImpl blocks;
    VirtualFileSystem vfs;
    VfsContext root;

    @BeforeEach
    void boot() {
        blocks = new BlockLayerImpl((p, props) -> () -> { }, 100);
        vfs = new VirtualFileSystem(null, blocks, Map.of());
        root = vfs.createContext(0, 0);
    }

    @AfterEach
    void shutdown() {
        root.close();
        vfs.deactivate();
        blocks.deactivate();
    }

    static void assertErrno(Errno expected, Executable call) {
        FsException e = assertThrows(FsException.class, call);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    static void write(VfsContext c, String path, String text) throws FsException {
        int fd = c.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        c.write(fd, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        c.close(fd);
    }

    static String read(VfsContext c, String path) throws FsException {
        int fd = c.open(path, O_RDONLY, 0);
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        while (c.read(fd, b) > 0) {
            // until the end
        }
        c.close(fd);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    FileBlockDevice disk(String name, int mib, boolean format) throws Exception {
        Path img = tmp.resolve(name + ".img");
        Files.write(img, new byte[mib << 20]);
        FileBlockDevice d = new FileBlockDevice(img, false);
        if (format) {
            SectorCheckedType.format(d);
        }
        Map<String, Object> props = new HashMap<>();
        props.put(BlockDevice.NAME, name);
        blocks.addDisk(d, props);
        return d;
    }

    @Test
    void boots_with_a_ramfs_root_holding_dev_tmp_mnt_and_proc() throws Exception {
        List<String> names = root.readdir("/").stream().map(DirEntry::name).toList();
        assertEquals(List.of(".", "..", "dev", "tmp", "mnt", "proc"), names);
        assertEquals(01777, root.stat("/tmp").attributes().permissions());
        assertEquals("devfs", vfs.mounts().get(1).type());
        assertEquals("/dev", vfs.mounts().get(1).target());
        assertTrue(root.readdir("/dev").stream().anyMatch(e -> e.name().equals("null")));
    }

    @Test
    void dev_random_and_urandom_are_character_devices_1_8_and_1_9_that_read_random_bytes() throws Exception {
        for (String name : List.of("random", "urandom")) {
            var a = root.stat("/dev/" + name).attributes();
            assertEquals(FileType.CHARACTER_DEVICE, a.type(), name);
            assertEquals(0666, a.permissions(), name);
            assertEquals(name.equals("random") ? 0x0108 : 0x0109, a.rdev(), name); // major 1, minor 8 / 9
            int fd = root.open("/dev/" + name, O_RDWR, 0);
            ByteBuffer first = ByteBuffer.allocate(64);
            ByteBuffer second = ByteBuffer.allocate(64);
            assertEquals(64, root.read(fd, first));
            assertEquals(64, root.read(fd, second));
            // 512 random bits: equal or all zero only by a chance of 2^-512.
            assertFalse(java.util.Arrays.equals(first.array(), second.array()), name + " read the same bytes twice");
            assertFalse(java.util.Arrays.equals(new byte[64], first.array()), name + " read zeros");
            assertEquals(3, root.write(fd, ByteBuffer.wrap("abc".getBytes())), "writes to " + name + " are taken");
            root.close(fd);
        }
    }

    @Test
    void files_are_written_read_appended_truncated_and_seeked() throws Exception {
        write(root, "/tmp/a", "hello");
        int fd = root.open("/tmp/a", O_WRONLY | O_APPEND, 0);
        root.write(fd, ByteBuffer.wrap(" world".getBytes()));
        root.lseek(fd, 0, OpenFlags.SEEK_SET);
        root.write(fd, ByteBuffer.wrap("!".getBytes())); // O_APPEND: still at the end
        root.close(fd);
        assertEquals("hello world!", read(root, "/tmp/a"));
        fd = root.open("/tmp/a", O_RDWR, 0);
        root.pwrite(fd, ByteBuffer.wrap("J".getBytes()), 0);
        assertEquals(12, root.lseek(fd, 0, OpenFlags.SEEK_END));
        root.ftruncate(fd, 5);
        assertEquals(5, root.fstat(fd).size());
        ByteBuffer b = ByteBuffer.allocate(10);
        assertEquals(5, root.pread(fd, b, 0));
        assertEquals("Jello", new String(b.array(), 0, 5));
        root.lseek(fd, 10, OpenFlags.SEEK_SET);
        root.write(fd, ByteBuffer.wrap("x".getBytes())); // a hole from 5 to 10 reads as zeros
        root.close(fd);
        assertEquals("Jello\0\0\0\0\0x", read(root, "/tmp/a"));
        assertErrno(Errno.EINVAL, () -> root.lseek(root.open("/tmp/a", O_RDONLY, 0), -1, OpenFlags.SEEK_SET));
    }

    @Test
    void open_flags_follow_linux() throws Exception {
        write(root, "/tmp/f", "x");
        assertErrno(Errno.EEXIST, () -> root.open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY, 0644));
        assertErrno(Errno.ENOTDIR, () -> root.open("/tmp/f", O_RDONLY | O_DIRECTORY, 0));
        assertErrno(Errno.EISDIR, () -> root.open("/tmp", O_WRONLY, 0));
        assertErrno(Errno.ENOENT, () -> root.open("/tmp/none", O_RDONLY, 0));
        assertErrno(Errno.EISDIR, () -> root.open("/tmp/new/", O_CREAT | O_WRONLY, 0644));
        assertErrno(Errno.ENOTDIR, () -> root.open("/tmp/f/", O_RDONLY, 0));
        root.symlink("f", "/tmp/l");
        assertErrno(Errno.ELOOP, () -> root.open("/tmp/l", O_RDONLY | O_NOFOLLOW, 0));
        root.symlink("made-through-link", "/tmp/dangling");
        write(root, "/tmp/dangling", "created");                     // O_CREAT makes the link's target
        assertEquals("created", read(root, "/tmp/made-through-link"));
        assertErrno(Errno.EEXIST, () -> root.open("/tmp/dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
        root.symlink("self", "/tmp/self");
        assertErrno(Errno.ELOOP, () -> root.open("/tmp/self", O_CREAT | O_WRONLY, 0644));
        int fd = root.open("/tmp/f", O_RDONLY, 0);
        assertErrno(Errno.EBADF, () -> root.write(fd, ByteBuffer.wrap(new byte[1])));
        assertErrno(Errno.EBADF, () -> root.read(99, ByteBuffer.allocate(1)));
        int dup = root.dup(fd);
        root.close(fd);
        assertEquals(1, root.read(dup, ByteBuffer.allocate(4)));
        root.close(dup);
        assertErrno(Errno.EBADF, () -> root.close(dup));
        assertEquals(List.of(), root.descriptors());
    }

    @Test
    void umask_modes_and_owners_are_kept() throws Exception {
        root.umask(027);
        root.mkdir("/tmp/d", 0777);
        assertEquals(0750, root.stat("/tmp/d").attributes().permissions());
        write(root, "/tmp/d/f", "");
        assertEquals(0640, root.stat("/tmp/d/f").attributes().permissions());
        root.chown("/tmp/d/f", 1000, 100);
        root.chmod("/tmp/d/f", 04711);
        assertEquals(04711, root.stat("/tmp/d/f").attributes().permissions());
        assertEquals(1000, root.stat("/tmp/d/f").attributes().uid());
        assertEquals(0100000 | 04711, root.stat("/tmp/d/f").attributes().mode());
    }

    @Test
    void permissions_are_checked_for_users_and_root_passes() throws Exception {
        root.mkdir("/tmp/private", 0700);
        write(root, "/tmp/private/secret", "s");
        write(root, "/tmp/readonly", "r");
        root.chmod("/tmp/readonly", 0444);
        try (VfsContext user = vfs.createContext(1000, 1000)) {
            assertErrno(Errno.EACCES, () -> user.stat("/tmp/private/secret"));
            assertErrno(Errno.EACCES, () -> user.readdir("/tmp/private"));
            assertErrno(Errno.EACCES, () -> user.open("/tmp/readonly", O_WRONLY, 0));
            assertErrno(Errno.EACCES, () -> user.mkdir("/mnt/x", 0755));
            assertErrno(Errno.EPERM, () -> user.chmod("/tmp/readonly", 0777));
            assertErrno(Errno.EPERM, () -> user.chown("/tmp/readonly", 1000, 1000));
            assertErrno(Errno.EPERM, () -> user.mount("ramfs", "/mnt", "ramfs", MountOptions.readWrite()));
            write(user, "/tmp/mine", "m");                 // /tmp is 1777
            assertEquals(1000, root.stat("/tmp/mine").attributes().uid());
            assertErrno(Errno.EPERM, () -> user.unlink("/tmp/readonly")); // sticky /tmp, root's file
        }
        int fd = root.open("/tmp/readonly", O_WRONLY, 0); // root passes
        root.close(fd);
        assertErrno(Errno.EACCES, () -> root.access("/tmp/readonly", OpenFlags.X_OK));
    }

    @Test
    void path_walk_handles_dots_symlinks_and_trailing_slashes() throws Exception {
        root.mkdir("/tmp/a", 0755);
        root.mkdir("/tmp/a/b", 0755);
        write(root, "/tmp/a/b/f", "deep");
        root.symlink("a/b", "/tmp/rel");
        root.symlink("/tmp/a", "/tmp/abs");
        root.symlink("../b/f", "/tmp/a/b/up");
        assertEquals("deep", read(root, "/tmp/rel/f"));
        assertEquals("deep", read(root, "/tmp/abs/./b/../b/f"));
        assertEquals("deep", read(root, "/tmp/a/b/up"));
        assertEquals("/tmp/a/b/f", root.realpath("/tmp/abs/b/up"));
        assertEquals(FileType.SYMLINK, root.lstat("/tmp/rel").type());
        assertEquals(FileType.DIRECTORY, root.lstat("/tmp/rel/").type()); // a trailing slash follows
        assertEquals("a/b", root.readlink("/tmp/rel"));
        assertEquals("/", root.realpath("/../../.."));
        root.chdir("/tmp/a/b");
        assertEquals("/tmp/a/b", root.cwd());
        assertEquals("deep", read(root, "f"));
        root.chdir("../..");
        assertEquals("/tmp", root.cwd());
        assertErrno(Errno.ENOTDIR, () -> root.chdir("/tmp/a/b/f"));
        assertErrno(Errno.ENOTDIR, () -> root.stat("/tmp/a/b/f/x"));
    }

    @Test
    void symlink_loops_end_in_eloop_after_40() throws Exception {
        root.symlink("loop2", "/tmp/loop1");
        root.symlink("loop1", "/tmp/loop2");
        assertErrno(Errno.ELOOP, () -> root.stat("/tmp/loop1"));
        root.mkdir("/tmp/c", 0755);
        String prev = "c";
        for (int i = 1; i <= 41; i++) {
            root.symlink(prev, "/tmp/s" + i);
            prev = "s" + i;
        }
        assertEquals(FileType.DIRECTORY, root.stat("/tmp/s40").type()); // 40 links: fine
        assertErrno(Errno.ELOOP, () -> root.stat("/tmp/s41"));
    }

    @Test
    void bad_paths_are_refused_with_their_errno() {
        assertErrno(Errno.EINVAL, () -> root.stat("/tmp/a\0b"));
        assertErrno(Errno.ENOENT, () -> root.stat(""));
        assertErrno(Errno.ENAMETOOLONG, () -> root.stat("/tmp/" + "n".repeat(256)));
        assertErrno(Errno.ENAMETOOLONG, () -> root.mkdir("/tmp/" + "n".repeat(256), 0755));
        assertErrno(Errno.ENAMETOOLONG, () -> root.stat("/" + "d/".repeat(2100)));
        assertErrno(Errno.EEXIST, () -> root.mkdir("/", 0755));
        assertErrno(Errno.EBUSY, () -> root.rmdir("/"));
        assertErrno(Errno.EINVAL, () -> root.rmdir("/tmp/."));
        assertErrno(Errno.EISDIR, () -> root.unlink("/tmp"));
    }

    @Test
    void directories_links_and_renames() throws Exception {
        root.mkdir("/tmp/d", 0755);
        write(root, "/tmp/d/f", "1");
        assertErrno(Errno.ENOTEMPTY, () -> root.rmdir("/tmp/d"));
        assertErrno(Errno.ENOTDIR, () -> root.rmdir("/tmp/d/f"));
        root.link("/tmp/d/f", "/tmp/hard");
        assertEquals(2, root.stat("/tmp/hard").attributes().links());
        assertErrno(Errno.EPERM, () -> root.link("/tmp/d", "/tmp/dirlink"));
        root.rename("/tmp/d/f", "/tmp/d/g");
        assertErrno(Errno.ENOENT, () -> root.stat("/tmp/d/f"));
        assertErrno(Errno.EINVAL, () -> root.rename("/tmp/d", "/tmp/d/inside"));
        root.mkdir("/tmp/e", 0755);
        assertErrno(Errno.ENOTEMPTY, () -> root.rename("/tmp/e", "/tmp/d"));
        assertErrno(Errno.EISDIR, () -> root.rename("/tmp/hard", "/tmp/e"));
        root.rename("/tmp/d", "/tmp/e");
        assertEquals("1", read(root, "/tmp/e/g"));
        assertErrno(Errno.EXDEV, () -> root.rename("/tmp/e/g", "/dev/g"));
        root.unlink("/tmp/hard");
        assertEquals(1, root.stat("/tmp/e/g").attributes().links());
    }

    @Test
    void an_unlinked_open_file_lives_until_closed() throws Exception {
        write(root, "/tmp/f", "still here");
        int fd = root.open("/tmp/f", O_RDONLY, 0);
        root.unlink("/tmp/f");
        ByteBuffer b = ByteBuffer.allocate(32);
        root.read(fd, b);
        assertEquals("still here", new String(b.array(), 0, b.position()));
        root.close(fd);
    }

    @Test
    void mounts_shadow_directories_and_umount_is_ebusy_while_used() throws Exception {
        root.mkdir("/mnt/data", 0755);
        write(root, "/mnt/data/under", "hidden");
        root.mount("ramfs", "/mnt/data", "ramfs", MountOptions.readWrite());
        assertErrno(Errno.ENOENT, () -> root.stat("/mnt/data/under"));
        write(root, "/mnt/data/over", "top");
        assertEquals("/mnt/data", vfs.mounts().get(vfs.mounts().size() - 1).target());
        assertErrno(Errno.EBUSY, () -> root.rmdir("/mnt/data"));
        root.chdir("/mnt/data");
        assertEquals("/mnt", root.realpath(".."));      // .. of a mount's root crosses back up
        assertErrno(Errno.EBUSY, () -> root.umount("/mnt/data"));
        root.chdir("/");
        int fd = root.open("/mnt/data/over", O_RDONLY, 0);
        assertErrno(Errno.EBUSY, () -> root.umount("/mnt/data"));
        root.close(fd);
        assertErrno(Errno.EXDEV, () -> root.link("/mnt/data/over", "/mnt/over"));
        root.umount("/mnt/data");
        assertEquals("hidden", read(root, "/mnt/data/under"));
        assertErrno(Errno.EINVAL, () -> root.umount("/mnt/data"));
        assertErrno(Errno.ENODEV, () -> root.mount("x", "/mnt", "nosuchfs", MountOptions.readWrite()));
    }

    @Test
    void a_read_only_mount_refuses_changes_with_erofs() throws Exception {
        root.mount("ramfs", "/mnt", "ramfs", MountOptions.readOnlyMount());
        assertErrno(Errno.EROFS, () -> root.mkdir("/mnt/x", 0755));
        assertErrno(Errno.EROFS, () -> root.open("/mnt/f", O_CREAT | O_WRONLY, 0644));
        assertTrue(vfs.mounts().get(vfs.mounts().size() - 1).readOnly());
    }

    @Test
    void dev_lists_disks_and_partitions_and_they_read_as_files() throws Exception {
        FileBlockDevice d = disk("hda", 1, false);
        ByteBuffer s = ByteBuffer.allocate(512);
        s.put(0, "DISK".getBytes());
        d.write(7, s);
        assertEquals(FileType.BLOCK_DEVICE, root.stat("/dev/hda").type());
        assertEquals(0x0300, root.stat("/dev/hda").attributes().rdev()); // major 3, minor 0
        int fd = root.open("/dev/hda", O_RDONLY, 0);
        root.lseek(fd, 7 * 512 + 1, OpenFlags.SEEK_SET);
        ByteBuffer b = ByteBuffer.allocate(3);
        root.read(fd, b);
        assertEquals("ISK", new String(b.array()));
        assertEquals(1 << 20, root.lseek(fd, 0, OpenFlags.SEEK_END));
        root.close(fd);
        fd = root.open("/dev/hda", O_WRONLY, 0);
        root.pwrite(fd, ByteBuffer.wrap("xy".getBytes()), 7 * 512 + 511); // straddles two sectors
        root.close(fd);
        ByteBuffer two = ByteBuffer.allocate(1024);
        d.read(7, two);
        assertEquals('D', two.get(0));
        assertEquals('x', two.get(511));
        assertEquals('y', two.get(512));
    }

    @Test
    void a_device_type_mounts_by_probing_and_garbage_is_einval() throws Exception {
        vfs.addType(new SectorCheckedType(), Map.of("fs.type", "sectorfs"));
        disk("hda", 1, true);
        disk("hdb", 1, false);
        root.mkdir("/mnt/a", 0755);
        root.mkdir("/mnt/b", 0755);
        assertErrno(Errno.EINVAL, () -> root.mount("/dev/hdb", "/mnt/b", null, MountOptions.readWrite()));
        assertErrno(Errno.ENOTBLK, () -> root.mount("/tmp", "/mnt/b", "sectorfs", MountOptions.readWrite()));
        assertErrno(Errno.ENOENT, () -> root.mount("/dev/hdz", "/mnt/b", "sectorfs", MountOptions.readWrite()));
        root.mount("/dev/hda", "/mnt/a", null, MountOptions.readWrite());
        assertEquals("/dev/hda", vfs.mounts().get(vfs.mounts().size() - 1).source());
        assertErrno(Errno.EBUSY, () -> root.mount("/dev/hda", "/mnt/b", null, MountOptions.readWrite()));
        write(root, "/mnt/a/f", "on disk");
        assertEquals("on disk", read(root, "/mnt/a/f"));
    }

    @Test
    void a_filesystem_that_throws_gives_eio_and_keeps_working() throws Exception {
        vfs.addType(new SectorCheckedType(), Map.of("fs.type", "sectorfs"));
        disk("hda", 1, true);
        root.mount("/dev/hda", "/mnt", "sectorfs", MountOptions.readWrite());
        assertErrno(Errno.EIO, () -> root.stat("/mnt/boom"));
        assertErrno(Errno.EIO, () -> root.mkdir("/mnt/boom", 0755));
        root.mkdir("/mnt/fine", 0755);
        assertTrue(root.stat("/mnt/fine").isDirectory());
    }

    @Test
    void a_vanished_disk_gives_eio_and_dev_follows() throws Exception {
        vfs.addType(new SectorCheckedType(), Map.of("fs.type", "sectorfs"));
        FileBlockDevice d = disk("hda", 1, true);
        root.mount("/dev/hda", "/mnt", "sectorfs", MountOptions.readWrite());
        write(root, "/mnt/f", "x");
        int fd = root.open("/mnt/f", O_RDONLY, 0);
        blocks.removeDisk(d, Map.of(BlockDevice.NAME, "hda"));
        assertErrno(Errno.EIO, () -> root.read(fd, ByteBuffer.allocate(1)));   // after the grace period
        assertErrno(Errno.EIO, () -> root.stat("/mnt/f"));
        Thread.sleep(300); // the block layer drops the disk once the grace period is over
        assertErrno(Errno.ENOENT, () -> root.stat("/dev/hda"));
        root.close(fd);
        root.umount("/mnt");
    }

    @Test
    void a_driver_swap_within_the_grace_period_loses_nothing() throws Exception {
        vfs.addType(new SectorCheckedType(), Map.of("fs.type", "sectorfs"));
        FileBlockDevice d = disk("hda", 1, true);
        root.mount("/dev/hda", "/mnt", "sectorfs", MountOptions.readWrite());
        blocks.removeDisk(d, Map.of(BlockDevice.NAME, "hda"));
        FileBlockDevice again = new FileBlockDevice(tmp.resolve("hda.img"), false);
        blocks.addDisk(again, new HashMap<>(Map.of(BlockDevice.NAME, "hda")));
        write(root, "/mnt/f", "after the swap");
        assertEquals("after the swap", read(root, "/mnt/f"));
        assertTrue(again.writes.get() > 0);
    }

    @Test
    void a_type_going_away_unmounts_what_it_mounted_after_syncing() throws Exception {
        SectorCheckedType type = new SectorCheckedType();
        vfs.addType(type, Map.of("fs.type", "sectorfs"));
        FileBlockDevice d = disk("hda", 1, true);
        root.mount("/dev/hda", "/mnt", "sectorfs", MountOptions.readWrite());
        root.mkdir("/mnt/sub", 0755);
        root.mount("ramfs", "/mnt/sub", "ramfs", MountOptions.readWrite());
        long flushes = d.flushes.get();
        vfs.removeType(type, Map.of("fs.type", "sectorfs"));
        assertTrue(d.flushes.get() > flushes);
        assertEquals(List.of("/", "/dev"), vfs.mounts().stream().map(m -> m.target()).toList());
        assertFalse(vfs.filesystemTypes().contains("sectorfs"));
        assertErrno(Errno.ENODEV, () -> root.mount("/dev/hda", "/mnt", "sectorfs", MountOptions.readWrite()));
    }

    @Test
    void the_configured_root_disk_is_mounted_on_slash_with_dev_tmp_and_mnt_on_it() throws Exception {
        vfs.deactivate();
        vfs = new VirtualFileSystem(null, blocks, Map.of("root", "hda", "rootfstype", "sectorfs"));
        VfsContext c = vfs.createContext(0, 0);
        disk("hda", 1, true);
        assertEquals(2, vfs.mounts().size(), "waits for its type");
        vfs.addType(new SectorCheckedType(), Map.of("fs.type", "sectorfs"));
        List<String> targets = vfs.mounts().stream().map(m -> m.target()).toList();
        assertEquals(List.of("/", "/dev", "/", "/dev", "/tmp"), targets);
        assertEquals("sectorfs", vfs.mounts().get(2).type());
        assertTrue(c.readdir("/").stream().anyMatch(e -> e.name().equals("mnt")));
        assertEquals(FileType.BLOCK_DEVICE, c.stat("/dev/hda").type());
        write(c, "/hello", "on the root disk");
        c.close();
    }
}

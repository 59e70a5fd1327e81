package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The one layer of {@link BusyboxImage}: Debian's static busybox, its applet links, and the
 * accounts a Dockerfile test needs, as a deterministic tar (entries sorted by name, one fixed mtime,
 * numeric ids only, no user/group names, permission bits only in the mode field).
 */
final class BusyboxRootfs {

    /** Installed by Debian's {@code busybox-static}; statically linked, so it runs in an empty rootfs. */
    static final Path BUSYBOX_BINARY = Path.of("/bin/busybox");
    static final Instant MTIME = Instant.parse("2020-01-01T00:00:00Z");

    static final List<String> APPLETS = List.of(
            "sh", "ls", "cat", "echo", "mkdir", "rm", "touch", "chmod", "chown", "ln", "id", "env",
            "true", "false", "adduser", "addgroup", "wget", "sed", "grep", "find", "stat", "sleep",
            "head", "tail", "wc");

    static final String PASSWD = String.join("\n",
            "root:x:0:0:root:/root:/bin/sh",
            "daemon:x:1:1:daemon:/usr/sbin:/bin/false",
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false",
            "app:x:1000:1000:app:/home/app:/bin/sh", "");
    static final String GROUP = String.join("\n",
            "root:x:0:",
            "daemon:x:1:",
            "nobody:x:65534:",
            "app:x:1000:", "");
    // busybox adduser/passwd update /etc/shadow when it exists; locked passwords.
    static final String SHADOW = String.join("\n",
            "root:*:18262:0:99999:7:::",
            "daemon:*:18262:0:99999:7:::",
            "nobody:*:18262:0:99999:7:::",
            "app:!:18262:0:99999:7:::", "");

    private record Entry(String name, byte type, int mode, int uid, int gid, byte[] content, String linkTarget) {
        static Entry directory(String name, int mode, int owner) {
            return new Entry(name, TarConstants.LF_DIR, mode, owner, owner, null, null);
        }

        static Entry file(String name, int mode, byte[] content) {
            return new Entry(name, TarConstants.LF_NORMAL, mode, 0, 0, content, null);
        }

        static Entry symlink(String name, String target) {
            return new Entry(name, TarConstants.LF_SYMLINK, 0777, 0, 0, null, target);
        }

        /** A character device 1,3 (what /dev/null is). */
        static Entry characterDevice(String name) {
            return new Entry(name, TarConstants.LF_CHR, 0666, 0, 0, null, null);
        }
    }

    private BusyboxRootfs() {
    }

    /** The uncompressed layer tar, with the host's busybox-static. */
    static byte[] tar() {
        return tar(busybox());
    }

    /** The uncompressed layer tar around another (static) busybox binary, e.g. one for another CPU. */
    static byte[] tar(byte[] busybox) {
        return tar(busybox, List.of());
    }

    /** {@link #tar()} with a character device {@code dev/null} too, which only root can create. */
    static byte[] tarWithDevice() {
        return tar(busybox(), List.of(Entry.characterDevice("dev/null")));
    }

    private static byte[] tar(byte[] busybox, List<Entry> extra) {
        List<Entry> entries = entries(busybox);
        entries.addAll(extra);
        entries.sort(Comparator.comparing(Entry::name));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4 << 20);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Entry entry : entries) {
                write(tar, entry);
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<Entry> entries(byte[] busybox) {
        List<Entry> entries = new ArrayList<>();
        for (String dir : List.of("bin", "dev", "etc", "home", "proc", "sys", "usr", "var")) {
            entries.add(Entry.directory(dir, 0755, 0));
        }
        entries.add(Entry.directory("root", 0700, 0));
        entries.add(Entry.directory("tmp", 01777, 0));
        entries.add(Entry.directory("home/app", 0755, 1000));
        entries.add(Entry.file("bin/busybox", 0755, busybox));
        for (String applet : APPLETS) {
            entries.add(Entry.symlink("bin/" + applet, "busybox"));
        }
        entries.add(Entry.file("etc/passwd", 0644, PASSWD.getBytes(StandardCharsets.UTF_8)));
        entries.add(Entry.file("etc/group", 0644, GROUP.getBytes(StandardCharsets.UTF_8)));
        entries.add(Entry.file("etc/shadow", 0640, SHADOW.getBytes(StandardCharsets.UTF_8)));
        return entries;
    }

    private static byte[] busybox() {
        // The dynamically linked busybox of Debian's "busybox" package would not run in this image:
        // only busybox-static's binary may go in.
        ExternalTool.Result status = ExternalTool.command("dpkg-query", "-W", "-f=${Status}", "busybox-static").run();
        if (!status.stdout().contains("install ok installed")) {
            fail("busybox-static is not installed: run ./scripts/test.sh as root");
        }
        try {
            return Files.readAllBytes(BUSYBOX_BINARY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(TarArchiveOutputStream tar, Entry entry) throws IOException {
        String name = entry.type() == TarConstants.LF_DIR ? entry.name() + "/" : entry.name();
        TarArchiveEntry header = new TarArchiveEntry(name, entry.type());
        header.setMode(entry.mode());
        header.setIds(entry.uid(), entry.gid());
        // The constructor fills in the current user's name: ids alone must describe ownership.
        header.setUserName("");
        header.setGroupName("");
        header.setModTime(FileTime.from(MTIME));
        if (entry.linkTarget() != null) {
            header.setLinkName(entry.linkTarget());
        }
        if (entry.type() == TarConstants.LF_CHR) {
            header.setDevMajor(1);
            header.setDevMinor(3);
        }
        if (entry.content() != null) {
            header.setSize(entry.content().length);
        }
        tar.putArchiveEntry(header);
        if (entry.content() != null) {
            tar.write(entry.content());
        }
        tar.closeArchiveEntry();
    }
}

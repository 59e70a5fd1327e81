package dev.jbuild.sandbox;

import dev.jbuild.layer.Compression;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A tiny base image for RUN tests: Debian's static busybox with applet symlinks, a few accounts, and files
 * owned by other ids, written as an uncompressed layer tar (unpacked by {@link Sandbox#unpack}).
 */
final class BusyboxBase {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final Instant MTIME = Instant.parse("2020-01-01T00:00:00Z");
    static final List<String> APPLETS = List.of("sh", "ls", "cat", "echo", "mkdir", "rm", "rmdir", "touch", "chmod",
            "chown", "ln", "id", "env", "true", "false", "adduser", "addgroup", "sed", "grep", "find", "stat",
            "sleep", "head", "tail", "wc", "pwd", "ip", "readlink", "mv", "cp", "seq", "xargs", "printf", "test",
            "hostname", "ps", "mount", "dd", "kill", "mknod", "ifconfig", "sort", "tr");

    private BusyboxBase() {
    }

    static List<LayerEntry> entries() throws IOException {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new AssertionError("/bin/busybox is missing: install busybox-static (scripts/test.sh does)");
        }
        byte[] busybox = Files.readAllBytes(BUSYBOX);
        List<LayerEntry> e = new ArrayList<>();
        for (String d : List.of("bin", "dev", "etc", "home", "proc", "usr", "var", "run", "base")) {
            e.add(dir(d, 0755, 0, 0));
        }
        e.add(dir("root", 0700, 0, 0));
        e.add(dir("tmp", 01777, 0, 0));
        e.add(dir("home/app", 0700, 1000, 1000));
        e.add(file("home/app/secret.txt", 0600, 1000, 1000, "app's file\n"));
        e.add(new LayerEntry.RegularFile("bin/busybox", attrs(0755, 0, 0), busybox.length,
                ContentSource.of(busybox)));
        for (String a : APPLETS) {
            e.add(new LayerEntry.Symlink("bin/" + a, attrs(0777, 0, 0), "busybox"));
        }
        e.add(file("etc/passwd", 0644, 0, 0, "root:x:0:0:root:/root:/bin/sh\n"
                + "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                + "app:x:1000:1000:app:/home/app:/bin/sh\n"));
        e.add(file("etc/group", 0644, 0, 0, "root:x:0:\ndaemon:x:1:\nnobody:x:65534:\napp:x:1000:\n"));
        e.add(file("etc/shadow", 0640, 0, 0, "root:*:18262:0:99999:7:::\ndaemon:*:18262:0:99999:7:::\n"
                + "nobody:*:18262:0:99999:7:::\napp:!:18262:0:99999:7:::\n"));
        e.add(file("etc/hosts", 0644, 0, 0, "# the image's own hosts file\n"));
        // Things the tests delete or change.
        e.add(dir("base/dir", 0755, 0, 0));
        for (int i = 0; i < 3; i++) {
            e.add(file("base/dir/f" + i, 0644, 0, 0, "f" + i + "\n"));
        }
        e.add(dir("base/dir/sub", 0755, 0, 0));
        e.add(file("base/dir/sub/g", 0644, 0, 0, "g\n"));
        e.add(file("base/keep", 0644, 0, 0, "keep\n"));
        e.add(file("base/delete-me", 0644, 0, 0, "bye\n"));
        e.add(file("base/chmod-me", 0644, 0, 0, "x\n"));
        // File capabilities as an image carries them (cap_net_raw+ep, revision 2): the unpacked file must have them.
        e.add(LayerEntry.RegularFile.of("usr/capped", new EntryAttributes(0755, 0, 0, MTIME, Map.of("security.capability",
                HexFormat.of().parseHex("0100000200200000000000000000000000000000"))), "capped\n".getBytes(StandardCharsets.UTF_8)));
        e.add(new LayerEntry.Symlink("base/to-root", attrs(0777, 0, 0), "/"));
        e.add(new LayerEntry.Symlink("base/up", attrs(0777, 0, 0), "../../../../.."));
        return e;
    }

    /** The base layer as an uncompressed tar file. */
    static Path writeTar(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)).write(entries(), out);
        }
        return file;
    }

    static EntryAttributes attrs(int mode, long uid, long gid) {
        return new EntryAttributes(mode, uid, gid, MTIME, Map.of());
    }

    private static LayerEntry dir(String p, int mode, long uid, long gid) {
        return new LayerEntry.Directory(p, attrs(mode, uid, gid));
    }

    private static LayerEntry file(String p, int mode, long uid, long gid, String content) {
        return LayerEntry.RegularFile.of(p, attrs(mode, uid, gid), content.getBytes(StandardCharsets.UTF_8));
    }
}

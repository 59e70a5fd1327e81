package dev.jbuild.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reading the archives the exporter writes, with an independent tar reader (commons-compress). */
final class Archives {

    /** A member's header as written. */
    record Member(String name, boolean directory, int mode, long uid, long gid, String userName, String groupName,
            long mtimeSeconds, long size) {}

    private Archives() {}

    static List<Member> members(Path tar) throws IOException {
        List<Member> members = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                members.add(new Member(e.getName(), e.isDirectory(), e.getMode() & 07777, e.getLongUserId(),
                        e.getLongGroupId(), e.getUserName(), e.getGroupName(), e.getModTime().getTime() / 1000,
                        e.getSize()));
            }
        }
        return members;
    }

    /** The regular files' contents by name. */
    static Map<String, byte[]> files(Path tar) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                if (e.isFile()) {
                    files.put(e.getName(), t.readAllBytes());
                }
            }
        }
        return files;
    }

    /** Extracts a flat archive (regular files and directories only, as image archives are). */
    static Path extract(Path tar, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("archive member outside the directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        t.transferTo(out);
                    }
                }
            }
        }
        return dir;
    }
}

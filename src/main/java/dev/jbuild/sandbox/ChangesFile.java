package dev.jbuild.sandbox;

import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.RawNames;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The changes of a run as the agent hands them to the caller's JVM: layer entries whose regular files name
 * the host file to read (in the upper/copy dir, or a readable copy made by the agent).
 */
final class ChangesFile {
    private static final int MAGIC = 0x6a627331; // "jbs1"

    private ChangesFile() {
    }


    static void write(Path file, List<LayerEntry> entries, Map<String, Path> contents) throws IOException {
        try {
            writeEntries(file, entries, contents);
        } catch (IOException e) {
            throw NoSpaceLeftException.of(e, file).<IOException>map(n -> n).orElse(e);
        }
    }

    private static void writeEntries(Path file, List<LayerEntry> entries, Map<String, Path> contents)
            throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            out.writeInt(entries.size());
            for (LayerEntry e : entries) {
                EntryAttributes a = e.attributes();
                byte kind;
                if (e instanceof LayerEntry.RegularFile) {
                    kind = 'f';
                } else if (e instanceof LayerEntry.Directory) {
                    kind = 'd';
                } else if (e instanceof LayerEntry.Symlink) {
                    kind = 'l';
                } else if (e instanceof LayerEntry.Hardlink) {
                    kind = 'h';
                } else if (e instanceof LayerEntry.Device d) {
                    kind = d.kind() == DeviceKind.CHARACTER ? (byte) 'c' : (byte) 'b';
                } else if (e instanceof LayerEntry.Fifo) {
                    kind = 'p';
                } else if (e instanceof LayerEntry.Whiteout) {
                    kind = 'w';
                } else {
                    kind = 'o';
                }
                out.writeByte(kind);
                writeString(out, e.path());
                out.writeInt(a.mode());
                out.writeLong(a.uid());
                out.writeLong(a.gid());
                out.writeLong(a.mtime().getEpochSecond());
                out.writeInt(a.mtime().getNano());
                Map<String, byte[]> x = a.xattrs();
                out.writeInt(x.size());
                for (Map.Entry<String, byte[]> xe : x.entrySet()) {
                    writeString(out, xe.getKey());
                    out.writeInt(xe.getValue().length);
                    out.write(xe.getValue());
                }
                if (e instanceof LayerEntry.RegularFile f) {
                    out.writeLong(f.size());
                    writeString(out, RawNames.pathText(contents.get(f.path())));
                } else if (e instanceof LayerEntry.Symlink s) {
                    writeString(out, s.target());
                } else if (e instanceof LayerEntry.Hardlink h) {
                    writeString(out, h.target());
                } else if (e instanceof LayerEntry.Device d) {
                    out.writeInt(d.major());
                    out.writeInt(d.minor());
                }
            }
        }
    }

    static List<LayerEntry> read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a sandbox changes file: " + file);
            }
            int n = in.readInt();
            List<LayerEntry> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte kind = in.readByte();
                String path = readString(in);
                int mode = in.readInt();
                long uid = in.readLong();
                long gid = in.readLong();
                Instant mtime = Instant.ofEpochSecond(in.readLong(), in.readInt());
                int nx = in.readInt();
                Map<String, byte[]> x = new TreeMap<>();
                for (int j = 0; j < nx; j++) {
                    String name = readString(in);
                    byte[] v = new byte[in.readInt()];
                    in.readFully(v);
                    x.put(name, v);
                }
                EntryAttributes a = new EntryAttributes(mode, uid, gid, mtime, x);
                out.add(switch (kind) {
                    case 'f' -> {
                        long size = in.readLong();
                        Path content = RawNames.path(readString(in));
                        yield new LayerEntry.RegularFile(path, a, size, ContentSource.of(content));
                    }
                    case 'd' -> new LayerEntry.Directory(path, a);
                    case 'l' -> new LayerEntry.Symlink(path, a, readString(in));
                    case 'h' -> new LayerEntry.Hardlink(path, a, readString(in));
                    case 'c', 'b' -> new LayerEntry.Device(path, a,
                            kind == 'c' ? DeviceKind.CHARACTER : DeviceKind.BLOCK, in.readInt(), in.readInt());
                    case 'p' -> new LayerEntry.Fifo(path, a);
                    case 'w' -> new LayerEntry.Whiteout(path, a);
                    case 'o' -> new LayerEntry.OpaqueWhiteout(path, a);
                    default -> throw new IOException("corrupt sandbox changes file: kind " + kind);
                });
            }
            return out;
        }
    }

    /** Names and paths as their bytes ({@link RawNames}): the caller's JVM may map names with another locale. */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = RawNames.encode(s);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > 1 << 20) {
            throw new IOException("corrupt sandbox changes file: string of " + len + " bytes");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return RawNames.decode(b);
    }
}

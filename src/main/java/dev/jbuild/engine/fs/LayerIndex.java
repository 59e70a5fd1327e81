package dev.jbuild.engine.fs;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerException;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.store.Store;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The entries of a layer without their content, kept in the store's {@code cache/layer-index/}
 * by diff_id. Indexing a base image means decompressing every layer; with this, only the first
 * build that uses a layer pays for that, later ones read a small file. An index that cannot be
 * read is ignored and rebuilt, so a damaged or partial file never breaks a build. Indexing is also
 * where a base layer's diff_id is verified (in the same pass), and the file names the blob that
 * was verified, so another blob claiming the same diff_id is verified too.
 */
public final class LayerIndex {

    /** 2: the header names the blob the index was made from (1 did not). */
    private static final int FORMAT = 2;
    /** Linux allows 64 KiB an xattr value; an index claiming more is damaged (or hostile). */
    private static final int MAX_XATTR_BYTES = 1 << 16;
    private static final int MAX_XATTRS = 1 << 10;

    private final Path directory;
    private final Store store;

    public LayerIndex(Store store) {
        this.store = store;
        this.directory = store.root().resolve("cache").resolve("layer-index");
    }

    /** As {@link #entries(LayerRecord, LayerOrigin)} for a layer that belongs to no named image (a cached step's). */
    public List<LayerEntry> entries(LayerRecord layer) throws IOException {
        return entries(layer, null);
    }

    /**
     * The layer's entries, in tar order; regular files carry no content (see {@link FsView.Content.InLayer}).
     * Made from the blob, the uncompressed tar is hashed on the way and must be the layer's diff_id
     * (what containerd checks when it unpacks): a blob that is not what the image config says is
     * refused, naming it by {@code origin} (null: by its digest). An index made from another blob
     * with the same diff_id (the same tar compressed differently, or a blob that lies) is not
     * trusted for this one: the blob is read and checked once, and the index then names it.
     */
    public List<LayerEntry> entries(LayerRecord layer, LayerOrigin origin) throws IOException {
        Path file = directory.resolve(layer.diffId().hex() + ".idx");
        Digest blob = layer.descriptor().digest();
        try {
            Indexed indexed = read(file);
            if (indexed.blob().equals(blob)) {
                return indexed.entries();
            }
        } catch (NoSuchFileException e) {
            // First use of this layer.
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
        }
        List<LayerEntry> entries = new ArrayList<>();
        String diffId;
        try (InputStream in = store.open(blob)) {
            diffId = LayerReader.readWithDiffId(in, (entry, content) -> entries.add(withoutContent(entry)));
        }
        if (!diffId.equals(layer.diffId().toString())) {
            throw new LayerException((origin == null ? "layer " + blob : origin.describe(blob))
                    + " does not match the image config: its uncompressed content has digest " + diffId + ", but "
                    + (origin == null ? "its recorded diff_id is " : origin.diffIdField() + " says ") + layer.diffId());
        }
        write(file, blob, entries);
        return entries;
    }

    /** The index file of the layer with {@code diffId} (it may not exist). */
    public static Path file(Store store, Digest diffId) {
        return store.root().resolve("cache").resolve("layer-index").resolve(diffId.hex() + ".idx");
    }

    public static boolean has(Store store, Digest diffId) {
        return Files.isRegularFile(file(store, diffId));
    }

    /**
     * Installs an index that came from elsewhere (a registry cache) for the layer {@code diffId},
     * after checking that it reads completely and names only clean paths; a bad one is refused
     * (IOException) and the layer is then indexed from its blob when needed.
     */
    public static void install(Store store, Digest diffId, byte[] index) throws IOException {
        Path target = file(store, diffId);
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), ".import-", ".tmp");
        try {
            Files.write(temporary, index);
            List<LayerEntry> entries;
            try {
                entries = read(temporary).entries();
            } catch (RuntimeException e) {
                throw new IOException("unreadable layer index: " + e.getMessage(), e);
            }
            for (LayerEntry entry : entries) {
                String link = entry instanceof LayerEntry.Hardlink hardlink ? hardlink.target() : null;
                if (!entry.path().equals(LayerPaths.clean(entry.path()))
                        || link != null && !link.equals(LayerPaths.clean(link))) {
                    throw new IOException("the index names an unclean path: " + entry.path());
                }
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static LayerEntry withoutContent(LayerEntry entry) {
        if (entry instanceof LayerEntry.RegularFile file) {
            return new LayerEntry.RegularFile(file.path(), file.attributes(), file.size(), NO_CONTENT);
        }
        return entry;
    }

    /** Content of indexed files is read from the layer blob, never from here. */
    private static final ContentSource NO_CONTENT = () -> {
        throw new IOException("indexed entries carry no content");
    };

    private void write(Path file, Digest blob, List<LayerEntry> entries) throws IOException {
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, ".index-", ".tmp");
        try {
            try (OutputStream raw = Files.newOutputStream(temporary);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(raw, 1 << 16)))) {
                out.writeInt(FORMAT);
                out.writeUTF(blob.toString());
                out.writeInt(entries.size());
                for (LayerEntry entry : entries) {
                    writeEntry(out, entry);
                }
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void writeEntry(DataOutputStream out, LayerEntry entry) throws IOException {
        EntryAttributes a = entry.attributes();
        String link = "";
        long size = 0;
        int major = 0;
        int minor = 0;
        char kind;
        if (entry instanceof LayerEntry.RegularFile file) {
            kind = 'f';
            size = file.size();
        } else if (entry instanceof LayerEntry.Directory) {
            kind = 'd';
        } else if (entry instanceof LayerEntry.Symlink symlink) {
            kind = 'l';
            link = symlink.target();
        } else if (entry instanceof LayerEntry.Hardlink hardlink) {
            kind = 'h';
            link = hardlink.target();
        } else if (entry instanceof LayerEntry.Device device) {
            kind = device.kind() == DeviceKind.CHARACTER ? 'c' : 'b';
            major = device.major();
            minor = device.minor();
        } else if (entry instanceof LayerEntry.Fifo) {
            kind = 'p';
        } else if (entry instanceof LayerEntry.Whiteout) {
            kind = 'w';
        } else {
            kind = 'o';
        }
        out.writeChar(kind);
        out.writeUTF(entry.path());
        out.writeInt(a.mode());
        out.writeLong(a.uid());
        out.writeLong(a.gid());
        out.writeLong(a.mtime().getEpochSecond());
        out.writeInt(a.mtime().getNano());
        out.writeLong(size);
        out.writeUTF(link);
        out.writeInt(major);
        out.writeInt(minor);
        out.writeInt(a.xattrs().size());
        for (Map.Entry<String, byte[]> xattr : a.xattrs().entrySet()) {
            out.writeUTF(xattr.getKey());
            out.writeInt(xattr.getValue().length);
            out.write(xattr.getValue());
        }
    }

    /** An index file's content: the blob it was made from and the entries. */
    private record Indexed(Digest blob, List<LayerEntry> entries) {}

    private static Indexed read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16)))) {
            if (in.readInt() != FORMAT) {
                throw new IOException("unknown layer index format");
            }
            Digest blob = Digest.parse(in.readUTF());
            int count = in.readInt();
            List<LayerEntry> entries = new ArrayList<>(Math.min(count, 1 << 20));
            for (int i = 0; i < count; i++) {
                entries.add(readEntry(in));
            }
            if (in.read() != -1) {
                throw new IOException("trailing data in layer index");
            }
            return new Indexed(blob, entries);
        } catch (EOFException e) {
            throw new IOException("truncated layer index", e);
        }
    }

    private static LayerEntry readEntry(DataInputStream in) throws IOException {
        char kind = in.readChar();
        String path = in.readUTF();
        int mode = in.readInt();
        long uid = in.readLong();
        long gid = in.readLong();
        Instant mtime = Instant.ofEpochSecond(in.readLong(), in.readInt());
        long size = in.readLong();
        String link = in.readUTF();
        int major = in.readInt();
        int minor = in.readInt();
        int xattrCount = in.readInt();
        if (xattrCount < 0 || xattrCount > MAX_XATTRS) {
            throw new IOException("damaged layer index: " + xattrCount + " xattrs");
        }
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (int i = 0; i < xattrCount; i++) {
            String name = in.readUTF();
            int length = in.readInt();
            if (length < 0 || length > MAX_XATTR_BYTES) {
                throw new IOException("damaged layer index: an xattr of " + length + " bytes");
            }
            byte[] value = new byte[length];
            in.readFully(value);
            xattrs.put(name, value);
        }
        EntryAttributes a = new EntryAttributes(mode, uid, gid, mtime, xattrs);
        switch (kind) {
            case 'f':
                return new LayerEntry.RegularFile(path, a, size, NO_CONTENT);
            case 'd':
                return new LayerEntry.Directory(path, a);
            case 'l':
                return new LayerEntry.Symlink(path, a, link);
            case 'h':
                return new LayerEntry.Hardlink(path, a, link);
            case 'c':
                return new LayerEntry.Device(path, a, DeviceKind.CHARACTER, major, minor);
            case 'b':
                return new LayerEntry.Device(path, a, DeviceKind.BLOCK, major, minor);
            case 'p':
                return new LayerEntry.Fifo(path, a);
            case 'w':
                return new LayerEntry.Whiteout(path, a);
            case 'o':
                return new LayerEntry.OpaqueWhiteout(path, a);
            default:
                throw new IOException("unknown entry kind in layer index: " + kind);
        }
    }
}

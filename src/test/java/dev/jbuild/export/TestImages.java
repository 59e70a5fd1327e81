package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerResult;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.store.BlobWriter;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small images written straight into a store, layer by layer, with everything an exporter must
 * get right: files, directories, a symlink, a hard link, owners, a setuid bit, binary and user
 * xattrs, a whiteout of a lower file and of a lower directory, an opaque directory, a replaced
 * file that a hard link still holds, a file placed through a symlinked directory, and layers in
 * gzip, zstd and plain tar.
 */
final class TestImages {

    static final Instant MTIME = Instant.ofEpochSecond(1_700_000_000);
    static final byte[] CAPABILITY = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static final String TOOL_V1 = "#!/bin/sh\necho tool v1\n";
    static final String TOOL_V2 = "#!/bin/sh\necho tool v2\n";

    /** A stored image: its manifest's descriptor and what went into it. */
    record Image(Descriptor manifest, Descriptor config, List<Descriptor> layers, List<Digest> diffIds) {}

    private TestImages() {}

    /**
     * The merged tree of {@link #standard}, as {@link TreeView} describes it: what every
     * filesystem output must show.
     */
    static Map<String, String> expectedTree() {
        Map<String, String> tree = new TreeMap<>();
        tree.put("bin", "dir 0755 0:0");
        tree.put("bin/tool", "file 0755 0:0 " + TreeView.sha(TOOL_V2));
        tree.put("bin/tool-link", "file 0755 0:0 " + TreeView.sha(TOOL_V1));
        tree.put("data", "dir 0750 1000:1000");
        tree.put("data/file", "file 0640 1000:1000 " + TreeView.sha("data\n"));
        tree.put("empty", "dir 0700 0:0");
        tree.put("etc", "dir 0755 0:0");
        tree.put("etc/hostname", "file 0644 0:0 " + TreeView.sha("jbuild\n"));
        tree.put("etc/new.conf", "file 4755 0:0 " + TreeView.sha("x"));
        tree.put("lib", "symlink 0777 0:0 -> usr/lib");
        tree.put("opaque", "dir 0755 0:0");
        tree.put("opaque/new.txt", "file 0644 0:0 " + TreeView.sha("new"));
        tree.put("usr", "dir 0755 0:0");
        tree.put("usr/lib", "dir 0755 0:0");
        tree.put("usr/lib/libc.so", "file 0644 0:0 " + TreeView.sha("libc"));
        tree.put("usr/lib/libextra.so", "file 0644 0:0 " + TreeView.sha("extra"));
        return tree;
    }

    /** Three layers (gzip, gzip, plain tar) for linux/amd64, tagged {@code docker.io/library/app:1.0}. */
    static Image standard(Store store) throws IOException {
        return standard(store, new Platform("linux", "amd64"), Compression.NONE);
    }

    static Image standard(Store store, Platform platform, Compression thirdLayer) throws IOException {
        List<LayerEntry> base = List.of(
                dir("bin", 0755),
                file("bin/tool", 0755, TOOL_V1),
                new LayerEntry.Hardlink("bin/tool-link", attrs(0755), "bin/tool"),
                new LayerEntry.Directory("data", attrs(0750).withOwner(1000, 1000)),
                new LayerEntry.RegularFile("data/file", attrs(0640).withOwner(1000, 1000)
                        .withXattrs(Map.of("user.note", new byte[] {0, 1, 2, (byte) 0xff})), 5,
                        ContentSource.of(bytes("data\n"))),
                dir("etc", 0755),
                file("etc/hostname", 0644, "base\n"),
                file("etc/removed", 0644, "gone"),
                dir("old-dir", 0755),
                file("old-dir/a.txt", 0644, "a"),
                dir("opaque", 0755),
                file("opaque/old.txt", 0644, "old"),
                new LayerEntry.Symlink("lib", attrs(0777), "usr/lib"),
                dir("usr", 0755),
                dir("usr/lib", 0755),
                file("usr/lib/libc.so", 0644, "libc"));
        List<LayerEntry> second = List.of(
                dir("bin", 0755),
                new LayerEntry.RegularFile("bin/tool", attrs(0755).withXattrs(Map.of("security.capability", CAPABILITY)),
                        TOOL_V2.length(), ContentSource.of(bytes(TOOL_V2))),
                dir("etc", 0755),
                file("etc/hostname", 0644, "jbuild\n"),
                new LayerEntry.Whiteout("etc/removed", attrs(0644)),
                dir("opaque", 0755),
                new LayerEntry.OpaqueWhiteout("opaque", attrs(0644)),
                file("opaque/new.txt", 0644, "new"),
                // Through the symlink lib -> usr/lib of the layer below.
                file("lib/libextra.so", 0644, "extra"));
        List<LayerEntry> third = List.of(
                dir("empty", 0700),
                dir("etc", 0755),
                file("etc/new.conf", 04755, "x"),
                new LayerEntry.Whiteout("old-dir", attrs(0644)));
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        addLayer(store, base, Compression.GZIP, layers, diffIds);
        addLayer(store, second, Compression.GZIP, layers, diffIds);
        addLayer(store, third, thirdLayer, layers, diffIds);
        return image(store, platform, layers, diffIds);
    }

    /** An image of one gzip layer holding one file; small and different per {@code marker}. */
    static Image single(Store store, Platform platform, String marker) throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        addLayer(store, List.of(file("marker", 0644, marker)), Compression.GZIP, layers, diffIds);
        return image(store, platform, layers, diffIds);
    }

    /** An OCI index of the given images, stored. */
    static Descriptor index(Store store, Image... images) throws IOException {
        List<Descriptor> entries = new ArrayList<>();
        for (Image image : images) {
            ImageConfig config = ImageDocuments.parseConfig(store.readBytes(image.config().digest())).value();
            entries.add(image.manifest().withPlatform(config.platform()));
        }
        byte[] bytes = ImageDocuments.encode(new Index(MediaTypes.OCI_INDEX, entries)).bytes();
        return store.putBytes(MediaTypes.OCI_INDEX, bytes);
    }

    /** Writes a layer from entries (in any order: the writer sorts them). */
    static void addLayer(Store store, Collection<LayerEntry> entries, Compression compression,
            List<Descriptor> layers, List<Digest> diffIds) throws IOException {
        LayerWriter writer = new LayerWriter(LayerWriter.Options.defaults().withCompression(compression).withThreads(1));
        LayerResult result;
        Digest digest;
        try (BlobWriter blob = store.blobWriter()) {
            result = writer.write(entries, blob);
            digest = blob.commit();
        }
        layers.add(new Descriptor(result.mediaType(), digest, result.compressedSize()));
        diffIds.add(Digest.parse(result.diffId()));
    }

    static Image image(Store store, Platform platform, List<Descriptor> layers, List<Digest> diffIds)
            throws IOException {
        ImageConfig config = ImageConfig.forPlatform(platform)
                .withCreated(ImageConfig.formatTime(MTIME))
                .withRootfs(new ImageConfig.RootFs(diffIds));
        Descriptor configDescriptor = store.putBytes(MediaTypes.OCI_CONFIG, ImageDocuments.encode(config).bytes());
        Manifest manifest = new Manifest(MediaTypes.OCI_MANIFEST, configDescriptor, layers);
        Descriptor manifestDescriptor = store.putBytes(MediaTypes.OCI_MANIFEST, ImageDocuments.encode(manifest).bytes());
        return new Image(manifestDescriptor, configDescriptor, List.copyOf(layers), List.copyOf(diffIds));
    }

    static EntryAttributes attrs(int mode) {
        return EntryAttributes.of(mode).withMtime(MTIME);
    }

    static LayerEntry dir(String path, int mode) {
        return new LayerEntry.Directory(path, attrs(mode));
    }

    static LayerEntry file(String path, int mode, String content) {
        return LayerEntry.RegularFile.of(path, attrs(mode), bytes(content));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

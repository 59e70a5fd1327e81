package dev.jbuild.engine.fs;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets the bytes of files in an {@link FsView}. Files of base layers are read by streaming their
 * layer blob from the store once per layer, however many files are wanted from it.
 */
public final class LayerFiles implements FsView.ContentReader {

    private final Store store;
    private final Path scratchDir;
    /** Small files of layer blobs read so far: a blob's content never changes, so neither do they. */
    private final Map<FsView.Content.InLayer, byte[]> smallFiles = new ConcurrentHashMap<>();

    public LayerFiles(Store store, Path scratchDir) {
        this.store = store;
        this.scratchDir = scratchDir;
    }

    /**
     * Small files are read into memory, and those of layer blobs remembered for the rest of the build: every
     * RUN reads /etc/passwd and /etc/group, and without this each read streamed the whole base layer again.
     */
    @Override
    public Map<String, byte[]> readSmall(List<FsView.Node> nodes) throws IOException {
        Map<String, byte[]> result = new HashMap<>();
        // by blob, then path in the layer: the view paths that want it (a file and its hard links share one)
        Map<Digest, Map<String, List<String>>> wantedByBlob = new LinkedHashMap<>();
        for (FsView.Node node : nodes) {
            if (node.content() instanceof FsView.Content.Direct direct) {
                try (InputStream in = direct.source().open()) {
                    result.put(node.path(), in.readAllBytes());
                }
            } else if (node.content() instanceof FsView.Content.InLayer inLayer) {
                byte[] known = smallFiles.get(inLayer);
                if (known != null) {
                    result.put(node.path(), known);
                } else {
                    wantedByBlob.computeIfAbsent(inLayer.blob(), k -> new HashMap<>())
                            .computeIfAbsent(inLayer.path(), k -> new ArrayList<>()).add(node.path());
                }
            }
        }
        for (Map.Entry<Digest, Map<String, List<String>>> blob : wantedByBlob.entrySet()) {
            Map<String, List<String>> wanted = blob.getValue();
            Map<String, byte[]> read = new HashMap<>(); // by path in the layer; a later entry of a path wins
            try (InputStream in = store.open(blob.getKey())) {
                LayerReader.read(in, (entry, content) -> {
                    if (wanted.containsKey(entry.path()) && entry instanceof LayerEntry.RegularFile) {
                        read.put(entry.path(), content.readAllBytes());
                    }
                });
            }
            for (Map.Entry<String, List<String>> want : wanted.entrySet()) {
                byte[] bytes = read.get(want.getKey());
                if (bytes == null) {
                    throw new IOException("layer " + blob.getKey() + " has no file " + want.getKey());
                }
                smallFiles.put(new FsView.Content.InLayer(blob.getKey(), want.getKey()), bytes);
                want.getValue().forEach(viewPath -> result.put(viewPath, bytes));
            }
        }
        return result;
    }

    /** Where a small file may be read without its layer blob: bytes of a path of the tree, or empty. */
    @FunctionalInterface
    public interface Unpacked {
        Optional<byte[]> readSmallFile(String path) throws IOException;
    }

    /**
     * Reads small files from {@code unpacked} (a tree on disk that shows this view, such as the directories a
     * RUN stands on) when it has them, else as {@link #readSmall} does. The view resolves the paths first, so
     * {@code unpacked} is asked for the file a link leads to, never for a link.
     */
    public FsView.ContentReader preferring(Unpacked unpacked) {
        return nodes -> {
            Map<String, byte[]> result = new HashMap<>();
            List<FsView.Node> rest = new ArrayList<>();
            for (FsView.Node node : nodes) {
                Optional<byte[]> bytes = unpacked.readSmallFile(node.path());
                if (bytes.isPresent()) {
                    result.put(node.path(), bytes.get());
                } else {
                    rest.add(node);
                }
            }
            if (!rest.isEmpty()) {
                result.putAll(readSmall(rest));
            }
            return result;
        };
    }

    /**
     * Makes every content in {@code contents} openable: direct content as it is, layer content copied
     * to scratch files, one pass over each layer blob. Keys are the contents asked for.
     */
    Map<FsView.Content, ContentSource> materialize(List<FsView.Content> contents) throws IOException {
        Map<FsView.Content, ContentSource> result = new HashMap<>();
        Map<Digest, Map<String, FsView.Content>> wantedByBlob = new LinkedHashMap<>();
        for (FsView.Content content : contents) {
            if (content instanceof FsView.Content.Direct direct) {
                result.put(content, direct.source());
            } else if (content instanceof FsView.Content.InLayer inLayer) {
                wantedByBlob.computeIfAbsent(inLayer.blob(), k -> new HashMap<>()).put(inLayer.path(), inLayer);
            }
        }
        for (Map.Entry<Digest, Map<String, FsView.Content>> blob : wantedByBlob.entrySet()) {
            Map<String, FsView.Content> wanted = blob.getValue();
            Set<String> found = new HashSet<>();
            try (InputStream in = store.open(blob.getKey())) {
                LayerReader.read(in, (entry, content) -> {
                    FsView.Content want = wanted.get(entry.path());
                    if (want != null && entry instanceof LayerEntry.RegularFile) {
                        Path file = Files.createTempFile(scratchDir, "layer-", ".file");
                        try (OutputStream out = Files.newOutputStream(file)) {
                            content.transferTo(out);
                        }
                        result.put(want, ContentSource.of(file));
                        found.add(entry.path());
                    }
                });
            }
            for (String path : wanted.keySet()) {
                if (!found.contains(path)) {
                    throw new IOException("layer " + blob.getKey() + " has no file " + path);
                }
            }
        }
        return result;
    }
}

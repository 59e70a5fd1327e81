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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gets the bytes of files in an {@link FsView}. Files of base layers are read by streaming their
 * layer blob from the store once per layer, however many files are wanted from it.
 */
public final class LayerFiles implements FsView.ContentReader {

    private final Store store;
    private final Path scratchDir;

    public LayerFiles(Store store, Path scratchDir) {
        this.store = store;
        this.scratchDir = scratchDir;
    }

    @Override
    public byte[] readAll(FsView.Node node) throws IOException {
        Map<String, ContentSource> sources = materialize(List.of(node));
        try (InputStream in = sources.get(node.path()).open()) {
            return in.readAllBytes();
        }
    }

    /**
     * Makes every regular file in {@code nodes} openable: direct content as it is, layer content
     * copied to scratch files. Keys are the nodes' paths.
     */
    Map<String, ContentSource> materialize(List<FsView.Node> nodes) throws IOException {
        Map<String, ContentSource> result = new HashMap<>();
        Map<Digest, Map<String, String>> wantedByBlob = new LinkedHashMap<>();
        for (FsView.Node node : nodes) {
            if (node.content() instanceof FsView.Content.Direct direct) {
                result.put(node.path(), direct.source());
            } else if (node.content() instanceof FsView.Content.InLayer inLayer) {
                wantedByBlob.computeIfAbsent(inLayer.blob(), k -> new HashMap<>()).put(inLayer.path(), node.path());
            }
        }
        for (Map.Entry<Digest, Map<String, String>> blob : wantedByBlob.entrySet()) {
            Map<String, String> wanted = blob.getValue();
            Set<String> found = new HashSet<>();
            try (InputStream in = store.open(blob.getKey())) {
                LayerReader.read(in, (entry, content) -> {
                    String viewPath = wanted.get(entry.path());
                    if (viewPath != null && entry instanceof LayerEntry.RegularFile) {
                        Path file = Files.createTempFile(scratchDir, "layer-", ".file");
                        try (OutputStream out = Files.newOutputStream(file)) {
                            content.transferTo(out);
                        }
                        result.put(viewPath, ContentSource.of(file));
                        found.add(entry.path());
                    }
                });
            }
            for (Map.Entry<String, String> want : wanted.entrySet()) {
                if (!found.contains(want.getKey())) {
                    throw new IOException("layer " + blob.getKey() + " has no file " + want.getKey());
                }
            }
        }
        return result;
    }
}

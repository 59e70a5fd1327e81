package dev.jbuild.engine.fs;

import dev.jbuild.context.FileKind;
import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RootedResolver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stage's or image's file tree as a {@link SourceTree}, for {@code COPY --from}. Ownership and
 * modes are the image's; a hard link reports its target's path as file key, so links stay links.
 */
public final class FsViewTree implements SourceTree {

    private final FsView view;
    private final LayerFiles files;
    private final Map<String, ContentSource> fetched = new HashMap<>();

    public FsViewTree(FsView view, LayerFiles files) {
        this.view = view;
        this.files = files;
    }

    @Override
    public Optional<SourceFile> lookup(String path) throws IOException {
        return view.locate(path, false).map(this::toSourceFile);
    }

    @Override
    public Optional<SourceFile> resolve(String path) throws IOException {
        return view.locate(path, true).map(this::toSourceFile);
    }

    @Override
    public List<SourceFile> list(String dirPath) throws IOException {
        String clean = LayerPaths.clean(dirPath);
        RootedResolver.Resolved dir = view.locate(clean, true).orElseThrow(() -> new NoSuchFileException(LayerPaths.absolute(clean)));
        if (!dir.isDirectory()) {
            throw new NotDirectoryException(LayerPaths.absolute(clean));
        }
        List<SourceFile> result = new ArrayList<>();
        for (FsView.Node node : view.list(dir.path())) {
            result.add(toSourceFile(node));
        }
        return result;
    }

    /** Reads the content of many files in one pass over each layer, before they are opened one by one. */
    public void prefetch(List<SourceFile> wanted) throws IOException {
        Map<String, FsView.Node> holders = new HashMap<>();
        for (SourceFile file : wanted) {
            String path = LayerPaths.clean(file.path());
            if (file.isRegularFile() && !fetched.containsKey(path)) {
                contentNode(path).ifPresent(node -> holders.put(path, node));
            }
        }
        Map<String, ContentSource> sources = files.materialize(List.copyOf(holders.values()));
        holders.forEach((path, node) -> fetched.put(path, sources.get(node.path())));
    }

    @Override
    public InputStream open(SourceFile file) throws IOException {
        String path = LayerPaths.clean(file.path());
        if (!fetched.containsKey(path)) {
            prefetch(List.of(file));
        }
        ContentSource source = fetched.get(path);
        if (source == null) {
            throw new NoSuchFileException(file.path());
        }
        return source.open();
    }

    /**
     * A name for a regular file's content that changes whenever the content may: the layer blob
     * (content-addressed) and the path in it. Null when the bytes are not in a layer blob.
     */
    public String contentId(SourceFile file) {
        return contentNode(LayerPaths.clean(file.path()))
                .filter(node -> node.content() instanceof FsView.Content.InLayer)
                .map(node -> {
                    FsView.Content.InLayer in = (FsView.Content.InLayer) node.content();
                    return "layer " + in.blob() + " " + in.path();
                })
                .orElse(null);
    }

    /**
     * The node holding a file's bytes: itself, or a hard link's target. {@code path} is where a
     * lookup found the file (no symlinks above it), and link targets are layer paths, so both are
     * read as they are.
     */
    private Optional<FsView.Node> contentNode(String path) {
        Optional<FsView.Node> node = Optional.ofNullable(view.node(path));
        if (node.isPresent() && node.get().entry() instanceof LayerEntry.Hardlink link) {
            return Optional.ofNullable(view.node(link.target()));
        }
        return node;
    }

    private SourceFile root() {
        return new SourceFile("/", FileKind.DIRECTORY, 0755, 0, 0, 0, Instant.EPOCH, null, Map.of(), "/");
    }

    private SourceFile toSourceFile(RootedResolver.Resolved at) {
        return at.path().isEmpty() ? root() : toSourceFile(view.node(at.path()));
    }

    private SourceFile toSourceFile(FsView.Node node) {
        LayerEntry entry = node.entry();
        var attributes = entry.attributes();
        FileKind kind;
        long size = 0;
        String target = null;
        Object key = node.path();
        SourceFile.Device device = null;
        if (entry instanceof LayerEntry.Directory) {
            kind = FileKind.DIRECTORY;
        } else if (entry instanceof LayerEntry.RegularFile file) {
            kind = FileKind.FILE;
            size = file.size();
        } else if (entry instanceof LayerEntry.Hardlink link) {
            kind = FileKind.FILE;
            key = link.target();
            FsView.Node linked = view.node(link.target());
            size = linked != null && linked.entry() instanceof LayerEntry.RegularFile f ? f.size() : 0;
        } else if (entry instanceof LayerEntry.Symlink link) {
            kind = FileKind.SYMLINK;
            target = link.target();
        } else if (entry instanceof LayerEntry.Fifo) {
            kind = FileKind.FIFO;
        } else if (entry instanceof LayerEntry.Device d) {
            kind = d.kind() == DeviceKind.CHARACTER ? FileKind.CHARACTER_DEVICE : FileKind.BLOCK_DEVICE;
            device = new SourceFile.Device(d.major(), d.minor());
        } else {
            throw new IllegalStateException("not a file of the tree: " + entry); // whiteouts are applied, not listed
        }
        return new SourceFile(LayerPaths.absolute(node.path()), kind, attributes.mode(), attributes.uid(), attributes.gid(), size,
                attributes.mtime(), target, attributes.xattrs(), key, device);
    }
}

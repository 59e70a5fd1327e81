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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stage's or image's file tree as a {@link SourceTree}, for {@code COPY --from}. Ownership and
 * modes are the image's; a hard link reports its target's {@link FsView.Inode} as file key, so links stay links.
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
        Map<String, FsView.Content> holders = new HashMap<>();
        for (SourceFile file : wanted) {
            String path = LayerPaths.clean(file.path());
            if (file.isRegularFile() && !fetched.containsKey(path)) {
                content(path).ifPresent(content -> holders.put(path, content));
            }
        }
        Map<FsView.Content, ContentSource> sources = files.materialize(List.copyOf(new HashSet<>(holders.values())));
        holders.forEach((path, content) -> fetched.put(path, sources.get(content)));
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
        return content(LayerPaths.clean(file.path()))
                .filter(content -> content instanceof FsView.Content.InLayer)
                .map(content -> {
                    FsView.Content.InLayer in = (FsView.Content.InLayer) content;
                    return "layer " + in.blob() + " " + in.path();
                })
                .orElse(null);
    }

    /**
     * Where a file's bytes are: its own, or for a hard link those of the file it named when its layer was
     * applied ({@link FsView.Inode}), never what stands at the target's path now. {@code path} is where a
     * lookup found the file (no symlinks above it), so it is read as it is.
     */
    private Optional<FsView.Content> content(String path) {
        return Optional.ofNullable(view.node(path)).map(FsView.Node::content);
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
        // A hard link is what it named when it was made (a file, or rarely a symlink or device); its own
        // header gives the metadata, as before.
        LayerEntry shape = entry instanceof LayerEntry.Hardlink && node.inode() != null ? node.inode().entry() : entry;
        FileKind kind;
        long size = 0;
        String target = null;
        Object key = node.inode(); // shared by hard links, as an inode number
        SourceFile.Device device = null;
        if (shape instanceof LayerEntry.Directory) {
            kind = FileKind.DIRECTORY;
        } else if (shape instanceof LayerEntry.RegularFile file) {
            kind = FileKind.FILE;
            size = file.size();
        } else if (shape instanceof LayerEntry.Hardlink) {
            kind = FileKind.FILE; // its target was missing when the layer was applied: opening it fails
        } else if (shape instanceof LayerEntry.Symlink link) {
            kind = FileKind.SYMLINK;
            target = link.target();
        } else if (shape instanceof LayerEntry.Fifo) {
            kind = FileKind.FIFO;
        } else if (shape instanceof LayerEntry.Device d) {
            kind = d.kind() == DeviceKind.CHARACTER ? FileKind.CHARACTER_DEVICE : FileKind.BLOCK_DEVICE;
            device = new SourceFile.Device(d.major(), d.minor());
        } else {
            throw new IllegalStateException("not a file of the tree: " + entry); // whiteouts are applied, not listed
        }
        return new SourceFile(LayerPaths.absolute(node.path()), kind, attributes.mode(), attributes.uid(), attributes.gid(), size,
                attributes.mtime(), target, attributes.xattrs(), key, device);
    }
}

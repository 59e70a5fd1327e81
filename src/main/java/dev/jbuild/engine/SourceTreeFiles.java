package dev.jbuild.engine;

import dev.jbuild.context.FileKind;
import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.sbom.RootFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A {@link SourceTree} (the build context, with its {@code .dockerignore} applied) as the SBOM scanner's
 * {@link RootFiles}: walked directory by directory, files opened through the tree, so its rules on
 * links and paths hold for the scanner too.
 */
final class SourceTreeFiles implements RootFiles {

    private final SourceTree tree;

    SourceTreeFiles(SourceTree tree) {
        this.tree = tree;
    }

    @Override
    public void walk(Visitor visitor) throws IOException {
        Deque<String> directories = new ArrayDeque<>();
        directories.push("/");
        while (!directories.isEmpty()) {
            for (SourceFile file : tree.list(directories.pop())) {
                visitor.visit(entry(file));
                if (file.kind() == FileKind.DIRECTORY) {
                    directories.push(file.path());
                }
            }
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        SourceFile file = tree.lookup(path).filter(SourceFile::isRegularFile)
                .orElseThrow(() -> new NoSuchFileException(path));
        return tree.open(file);
    }

    private static Entry entry(SourceFile file) {
        Kind kind = switch (file.kind()) {
            case FILE -> Kind.REGULAR;
            case DIRECTORY -> Kind.DIRECTORY;
            case SYMLINK -> Kind.SYMLINK;
            default -> Kind.OTHER;
        };
        return new Entry(file.path(), kind, file.mode() & 07777, kind == Kind.REGULAR ? file.size() : 0,
                kind == Kind.SYMLINK ? file.linkTarget() : null);
    }
}

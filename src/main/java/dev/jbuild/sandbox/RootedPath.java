package dev.jbuild.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves an untrusted path inside a root directory with securejoin semantics: symlinks met on the way
 * (including the last component) are expanded as if the root were '/', ".." stops at the root, missing
 * components are taken literally. The result is a symlink-free relative path. Safe as long as nothing
 * changes the tree meanwhile, which holds before the command starts.
 */
final class RootedPath {
    private static final int MAX_SYMLINKS = 255;

    private RootedPath() {
    }

    static String resolve(Path root, String unsafe) throws SandboxException {
        List<String> resolved = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>();
        push(todo, unsafe);
        int followed = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!resolved.isEmpty()) {
                    resolved.remove(resolved.size() - 1);
                }
                continue;
            }
            Path candidate = root.resolve(String.join("/", resolved)).resolve(part);
            if (!Files.isSymbolicLink(candidate)) {
                resolved.add(part);
                continue;
            }
            if (++followed > MAX_SYMLINKS) {
                throw new SandboxException("too many levels of symbolic links in " + unsafe);
            }
            String target;
            try {
                target = Files.readSymbolicLink(candidate).toString();
            } catch (IOException e) {
                throw new SandboxException("cannot read symlink " + candidate + ": " + e.getMessage(), e);
            }
            if (target.startsWith("/")) {
                resolved.clear();
            }
            push(todo, target);
        }
        return String.join("/", resolved);
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
        }
    }
}

package dev.jbuild.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When garbage collection turns to {@link StoreMaintenance.OtherIdsRemoval} (the sandbox, in the
 * CLI): only for a tree a plain removal fails on, opened once, closed with its scratch directory
 * at the end. A file of procfs stands for a file of another id: no one removes it, root included,
 * so the test does not depend on who runs it (RootlessResetTest runs the real case).
 */
class TreeRemoverTest {

    static final Path UNREMOVABLE = Path.of("/proc/self/status");
    static final Path UNREMOVABLE_TOO = Path.of("/proc/self/stat");

    @TempDir
    Path root;

    Store store;
    List<String> warnings = new ArrayList<>();
    List<String> calls = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store = Store.open(root);
    }

    /** Records what it is asked; removes nothing. */
    private StoreMaintenance.OtherIdsRemoval recording() {
        return scratch -> {
            calls.add("open " + scratch.getParent().equals(store.temporaryDirectory()) + " " + Files.isDirectory(scratch));
            return new StoreMaintenance.OtherIdsRemoval.Remover() {
                @Override
                public void delete(Path tree) {
                    calls.add("delete " + tree);
                }

                @Override
                public void close() {
                    calls.add("close");
                }
            };
        };
    }

    @Test
    void treesThatAPlainRemovalTakesNeverOpenIt() throws Exception {
        Path tree = Files.createDirectories(root.resolve("rootfs/chain/usr/bin"));
        Files.writeString(tree.resolve("sh"), "#!");
        Files.writeString(root.resolve("rootfs/file"), "x");
        try (TreeRemover remover = new TreeRemover(store, recording(), warnings::add)) {
            assertTrue(remover.delete(root.resolve("rootfs/chain")));
            assertTrue(remover.delete(root.resolve("rootfs/file")));
            assertTrue(remover.delete(root.resolve("rootfs/absent")));
            assertNull(remover.scratch());
        }
        assertFalse(Files.exists(root.resolve("rootfs/chain")));
        assertEquals(List.of(), calls);
        assertEquals(List.of(), warnings);
    }

    @Test
    void whatAPlainRemovalFailsOnGoesThroughOneOpenedRemovalInAScratchDirectory() throws Exception {
        Path scratch;
        try (TreeRemover remover = new TreeRemover(store, recording(), warnings::add)) {
            assertTrue(remover.delete(UNREMOVABLE));
            assertTrue(remover.delete(UNREMOVABLE_TOO));
            scratch = remover.scratch();
            assertTrue(Files.isDirectory(scratch));
        }
        assertEquals(List.of("open true true", "delete " + UNREMOVABLE, "delete " + UNREMOVABLE_TOO, "close"), calls);
        assertFalse(Files.exists(scratch), "its scratch directory goes when it is closed");
        assertEquals(List.of(), warnings);
    }

    @Test
    void withoutARemovalSuchTreesAreLeftWithAWarningEach() throws Exception {
        int[] opened = {0};
        StoreMaintenance.OtherIdsRemoval failing = scratch -> {
            opened[0]++;
            throw new IOException("no user namespaces here");
        };
        try (TreeRemover remover = new TreeRemover(store, failing, warnings::add)) {
            assertFalse(remover.delete(UNREMOVABLE));
            assertFalse(remover.delete(UNREMOVABLE_TOO));
        }
        assertEquals(1, opened[0], "tried once, not per tree");
        assertEquals(3, warnings.size(), warnings.toString());
        assertEquals("cannot open the sandbox to remove files of other ids: no user namespaces here", warnings.get(0));
        assertTrue(warnings.get(1).startsWith("could not remove " + UNREMOVABLE + ": "), warnings.get(1));
        assertTrue(warnings.get(2).startsWith("could not remove " + UNREMOVABLE_TOO + ": "), warnings.get(2));
        try (var left = Files.list(store.temporaryDirectory())) {
            assertEquals(0, left.count(), "no scratch directory is left behind");
        }
    }
}

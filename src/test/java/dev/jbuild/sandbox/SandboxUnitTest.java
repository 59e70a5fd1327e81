package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layer.LayerPaths;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pieces of the sandbox that need no namespaces. */
class SandboxUnitTest {
    @TempDir
    Path tmp;

    @Test
    void subordinateRangesAreFoundByNameOrUid() throws Exception {
        Path subuid = Files.writeString(tmp.resolve("subuid"),
                "# comment\nother:100000:65536\nalice:bad:1\nalice:165536:65536\nalice:300000:10\n");
        Path subgid = Files.writeString(tmp.resolve("subgid"), "1001:200000:1000\n");
        IdMapping m = IdMapping.detect(1001, 1001, "alice", subuid, subgid);
        assertEquals(IdMapping.Kind.SUBORDINATE, m.kind());
        assertEquals(165536, m.subUidStart());
        assertEquals(65536, m.maxUid());
        assertEquals(1000, m.maxGid());
        assertEquals(List.of("--map-users=165536,1,65536", "--map-groups=200000,1,1000", "--map-root-user"),
                m.unshareOptions());
        assertEquals(0, m.containerUid(1001));
        assertEquals(1000, m.containerUid(166535));
        assertEquals(-1, m.containerUid(5));
    }

    @Test
    void withoutARangeOnlyRootIsMapped() throws Exception {
        IdMapping m = IdMapping.detect(1001, 1001, "bob", tmp.resolve("missing"), tmp.resolve("missing"));
        assertEquals(IdMapping.Kind.SINGLE, m.kind());
        assertEquals(0, m.maxUid());
        assertEquals(List.of("--map-root-user"), m.unshareOptions());
        assertTrue(ExecLine.idProblem("chown", m).contains("usermod --add-subuids"));
        assertEquals(IdMapping.Kind.IDENTITY, IdMapping.detect(0, 0, "root", tmp, tmp).kind());
    }

    @Test
    void pathsResolveInsideTheRoot() throws Exception {
        Files.createDirectories(tmp.resolve("a/b"));
        Files.createSymbolicLink(tmp.resolve("abs"), Path.of("/a"));
        Files.createSymbolicLink(tmp.resolve("up"), Path.of("../../../.."));
        Files.createSymbolicLink(tmp.resolve("a/rel"), Path.of("../a/b"));
        Files.createSymbolicLink(tmp.resolve("loop"), Path.of("loop"));
        assertEquals("a/b/c", MountPoints.inside(tmp, "/abs/b/c"));
        assertEquals("", MountPoints.inside(tmp, "up"));
        assertEquals("etc/passwd", MountPoints.inside(tmp, "../../up/etc/passwd"));
        assertEquals("a/b", MountPoints.inside(tmp, "a/rel"));
        assertEquals("missing/x", MountPoints.inside(tmp, "missing/./x"));
        assertThrows(SandboxException.class, () -> MountPoints.inside(tmp, "loop"));
    }

    @Test
    void stackedLayersHonourWhiteoutsAndOpaqueDirectories() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("lower"));
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(lower.resolve("d/sub"));
        Files.writeString(lower.resolve("d/x"), "x");
        Files.writeString(lower.resolve("gone"), "g");
        Files.createDirectories(lower.resolve("opq"));
        Files.writeString(lower.resolve("opq/old"), "o");
        Files.createDirectories(upper.resolve("d"));
        Files.writeString(upper.resolve("d/y"), "y");
        Files.createDirectories(upper.resolve("opq"));
        Files.writeString(upper.resolve("opq/new"), "n");
        UserDefinedFileAttributeView view = Files.getFileAttributeView(upper.resolve("opq"),
                UserDefinedFileAttributeView.class);
        view.write("overlay.opaque", ByteBuffer.wrap(new byte[] {'y'}));
        // An xwhiteout (empty file with user.overlay.whiteout) stands for a 0:0 device, which needs CAP_MKNOD.
        Files.createFile(upper.resolve("gone"));
        Files.getFileAttributeView(upper.resolve("gone"), UserDefinedFileAttributeView.class)
                .write("overlay.whiteout", ByteBuffer.wrap(new byte[] {'y'}));
        LayerStack stack = new LayerStack(List.of(upper, lower));
        assertEquals(List.of("d", "opq"), List.copyOf(stack.list("")));
        assertEquals(List.of("sub", "x", "y"), List.copyOf(stack.list("d")));
        assertEquals(List.of("new"), List.copyOf(stack.list("opq")));
        assertFalse(stack.lookup("gone").isPresent());
        assertFalse(stack.lookup("opq/old").isPresent());
        assertTrue(stack.lookup("d/x").isPresent());
        assertTrue(LayerStack.isOpaque(upper.resolve("opq")));
        assertTrue(LayerStack.userXattrs(stack.lookup("opq").get()).isEmpty(), "overlay xattrs are not content");
    }

    @Test
    void layerOrderMatchesTheWriter() {
        List<String> paths = new ArrayList<>(List.of("a-c", "a/b", "a", "a\0opq", "é", "z"));
        paths.sort(LayerPaths.ORDER); // the differ's key order
        assertEquals(List.of("a", "a\0opq", "a/b", "a-c", "z", "é"), paths);
    }

    @Test
    void specsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ProcessSpec.of());
        assertThrows(IllegalArgumentException.class, () -> ProcessSpec.of("true").withCwd("relative"));
        assertThrows(IllegalArgumentException.class, () -> ProcessSpec.of("true").withEnv(List.of("=x")));
        assertThrows(IllegalArgumentException.class, () -> SandboxMount.Secret.of("../x", tmp));
        assertThrows(IllegalArgumentException.class, () -> new SandboxMount.Tmpfs("/..", 0));
        assertThrows(IllegalArgumentException.class, () -> new SandboxMount.Tmpfs("relative", 0));
    }
}

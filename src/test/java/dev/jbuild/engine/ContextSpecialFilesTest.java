package dev.jbuild.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIFOs, sockets and devices in the build context are never opened (opening a FIFO for reading blocks
 * until someone writes to it): FIFOs and devices are copied as entries, as BuildKit's context transfer
 * does, sockets are left out with a warning. Every test is bounded, so a regression fails instead of
 * hanging the suite.
 */
@Integration
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ContextSpecialFilesTest {

    @TempDir
    Path temp;

    BuildFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new BuildFixture(Files.createDirectories(temp.resolve("context")), temp.resolve("store"));
        fixture.file("dir/a.txt", "A\n");
        ExternalTool.command("mkfifo", "-m", "0640", fixture.context.resolve("dir/pipe").toString()).runSuccessfully();
        // A real Unix socket file: bound, then closed (the file stays, as a crashed server's would).
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(fixture.context.resolve("dir/socket")));
        }
    }

    @Test
    void copyingADirectoryCopiesItsFifoAndLeavesTheSocketOut() throws Exception {
        BuildResult result = fixture.build("FROM scratch\nCOPY . /app/\n");

        Map<String, LayerEntry> layer = fixture.layers(result).get(0);
        LayerEntry pipe = layer.get("app/dir/pipe");
        assertInstanceOf(LayerEntry.Fifo.class, pipe, layer.keySet().toString());
        assertEquals(0640, pipe.attributes().mode());
        assertEquals(0, pipe.attributes().uid());
        assertInstanceOf(LayerEntry.RegularFile.class, layer.get("app/dir/a.txt"));
        assertFalse(layer.containsKey("app/dir/socket"), layer.keySet().toString());
        assertTrue(fixture.warnings.stream().anyMatch(w -> w.contains("/dir/socket") && w.contains("socket")),
                fixture.warnings.toString());
        assertFalse(fixture.warnings.stream().anyMatch(w -> w.contains("pipe")), fixture.warnings.toString());
    }

    @Test
    void copyingTheFifoItselfMakesAFifo() throws Exception {
        BuildResult result = fixture.build("FROM scratch\nCOPY dir/pipe /p\nCOPY dir/pipe dir/a.txt /both/\n");

        assertInstanceOf(LayerEntry.Fifo.class, fixture.layers(result).get(0).get("p"));
        Map<String, LayerEntry> second = fixture.layers(result).get(1);
        assertInstanceOf(LayerEntry.Fifo.class, second.get("both/pipe"));
        assertInstanceOf(LayerEntry.RegularFile.class, second.get("both/a.txt"));
    }

    @Test
    void aSecondBuildFindsTheCacheWithoutOpeningTheFifo() throws Exception {
        String dockerfile = "FROM scratch\nCOPY . /app/\nCOPY dir/pipe /p\n";
        BuildResult first = fixture.build(dockerfile);
        BuildResult second = fixture.build(dockerfile);

        assertEquals(2, fixture.cachedSteps.size(), fixture.steps.toString());
        assertEquals(first.manifest().digest(), second.manifest().digest());
        // The key sees the FIFO's metadata: another mode is another layer.
        Files.setAttribute(fixture.context.resolve("dir/pipe"), "unix:mode", 0600);
        fixture.build(dockerfile);
        assertEquals(0, fixture.cachedSteps.size(), fixture.cachedSteps.toString());
    }

    @Test
    void copyingTheSocketItselfCopiesNothingAndSaysSo() throws Exception {
        BuildResult result = fixture.build("FROM scratch\nCOPY dir/socket dir/a.txt /s/\n");

        Map<String, LayerEntry> layer = fixture.layers(result).get(0);
        assertFalse(layer.containsKey("s/socket"), layer.keySet().toString());
        assertInstanceOf(LayerEntry.RegularFile.class, layer.get("s/a.txt"));
        assertTrue(fixture.warnings.stream().anyMatch(w -> w.contains("/dir/socket")), fixture.warnings.toString());
    }

    /** Device nodes can only be made as root; as root, one is copied as a device entry with its numbers. */
    @Test
    void aDeviceIsCopiedAsADeviceEntryWhenOneCanBeMade() throws Exception {
        Path device = fixture.context.resolve("dir/null");
        boolean made = ExternalTool.command("mknod", "-m", "0666", device.toString(), "c", "1", "3").run().exitCode() == 0;
        BuildResult result = fixture.build("FROM scratch\nCOPY dir /d/\n");

        LayerEntry entry = fixture.layers(result).get(0).get("d/null");
        if (made) {
            LayerEntry.Device node = assertInstanceOf(LayerEntry.Device.class, entry);
            assertEquals(DeviceKind.CHARACTER, node.kind());
            assertEquals(1, node.major());
            assertEquals(3, node.minor());
            assertEquals(0666, node.attributes().mode());
        } else {
            assertEquals(null, entry);
        }
    }
}

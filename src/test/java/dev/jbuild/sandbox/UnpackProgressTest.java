package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layer.Compression;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.testing.Integration;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking base layers (in the agent, another process) reports the compressed bytes it has read. */
@Integration
class UnpackProgressTest {

    @Test
    void theAgentReportsBytesReadOfAllBlobs(@TempDir Path temp) throws Exception {
        // Incompressible content, gzip: reading, inflating and hashing ~96 MB takes well over 100 ms.
        byte[] content = new byte[48 * 1024 * 1024];
        new Random(7).nextBytes(content);
        EntryAttributes file = EntryAttributes.of(0644);
        List<Sandbox.LayerBlob> blobs = new ArrayList<>();
        long total = 0;
        for (String name : List.of("one", "two")) {
            Path blob = temp.resolve(name + ".tar.gz");
            try (OutputStream out = Files.newOutputStream(blob)) {
                new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.GZIP))
                        .write(List.of(LayerEntry.RegularFile.of(name, file, content)), out);
            }
            total += Files.size(blob);
            blobs.add(new Sandbox.LayerBlob(blob, null, null));
        }
        Sandbox sandbox = Sandbox.open(SandboxOptions.defaults(Files.createDirectories(temp.resolve("work"))));
        List<long[]> calls = Collections.synchronizedList(new ArrayList<>());
        Path target = temp.resolve("rootfs");
        try {
            sandbox.unpackAll(List.of(new Sandbox.Unpack(target, blobs, List.of())), (done, all) -> calls.add(new long[] {done, all}));
            assertTrue(Files.size(target.resolve("two")) == content.length);
        } finally {
            sandbox.delete(target);
        }
        assertTrue(!calls.isEmpty(), "progress while unpacking");
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(total, calls.get(i)[1], "the total is the size of every blob");
            assertTrue(calls.get(i)[0] > 0 && calls.get(i)[0] <= total);
            assertTrue(i == 0 || calls.get(i)[0] > calls.get(i - 1)[0], "bytes only grow");
        }
    }
}

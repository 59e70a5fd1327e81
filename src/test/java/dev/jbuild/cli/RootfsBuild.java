package dev.jbuild.cli;

import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.testing.BusyboxImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a Dockerfile on the busybox test image into {@code temp/rootfs.tar} (the flattened image)
 * and reads that tar back: the shape of the RUN tests, which check what a step left in the image.
 */
final class RootfsBuild {

    private RootfsBuild() {}

    /** Writes {@code dockerfile} into {@code context} and builds it with the store in {@code temp/store}. */
    static CliTest.Result build(Path temp, BusyboxImage busybox, Path context, String dockerfile, String... extra)
            throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(List.of("build", "--root", temp.resolve("store").toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                "-o", "type=tar,dest=" + temp.resolve("rootfs.tar")));
        args.addAll(List.of(extra));
        args.add(context.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    /** The flattened image: path → entry, and regular files' text into {@code text}. */
    static Map<String, LayerEntry> rootfs(Path temp, Map<String, String> text) throws Exception {
        Map<String, LayerEntry> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(temp.resolve("rootfs.tar"))) {
            LayerReader.read(in, (entry, content) -> {
                entries.put(entry.path(), entry);
                if (entry instanceof LayerEntry.RegularFile) {
                    text.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
                }
            });
        }
        return entries;
    }
}

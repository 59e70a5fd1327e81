package dev.jbuild.store;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second process for the multi-process tests: started with the test classpath, it works on the
 * store given as argument, the way another jbuild build would.
 *
 * <pre>
 * blob ROOT START ROUNDS          write {@link #content()} ROUNDS times through a verifying BlobWriter
 * tag  ROOT START PREFIX COUNT    tag PREFIX0..PREFIX(COUNT-1), and move the tag "shared" each time
 * record ROOT START PREFIX COUNT append COUNT build records with ids PREFIX0..PREFIX(COUNT-1)
 * temp ROOT START                 make a temporary directory (with a file) and start a blob, print
 *                                 both paths on one line, then wait to be killed
 * </pre>
 *
 * Work begins once the file START exists, so that two workers started one after the other (each
 * JVM takes a moment to boot) really run at the same time.
 */
public final class StoreWorker {

    private StoreWorker() {}

    public static void main(String[] args) throws Exception {
        Store store = Store.open(Path.of(args[1]));
        Path start = Path.of(args[2]);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(start)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("never told to start");
            }
            Thread.sleep(2);
        }
        switch (args[0]) {
            case "blob" -> {
                byte[] content = content();
                Digest digest = Digest.of(content);
                for (int round = 0; round < Integer.parseInt(args[3]); round++) {
                    try (BlobWriter writer = store.blobWriter(digest, content.length)) {
                        for (int offset = 0; offset < content.length; offset += 8192) {
                            writer.write(content, offset, Math.min(8192, content.length - offset));
                        }
                        writer.commit();
                    }
                }
            }
            case "tag" -> {
                String prefix = args[3];
                for (int i = 0; i < Integer.parseInt(args[4]); i++) {
                    Descriptor manifest = manifest(prefix + i);
                    store.tag("example.com/app:" + prefix + i, manifest);
                    store.tag("example.com/app:shared", manifest);
                }
            }
            case "record" -> {
                for (int i = 0; i < Integer.parseInt(args[4]); i++) {
                    store.buildRecords().append(BuildRecordsTest.record(args[3] + i));
                }
            }
            case "temp" -> {
                Path dir = store.createTemporaryDirectory("context");
                Files.writeString(dir.resolve("file"), "scratch");
                BlobWriter writer = store.blobWriter();
                writer.write(content(), 0, 4096);
                Path blob = null;
                try (var entries = Files.list(store.temporaryDirectory())) {
                    for (Path entry : entries.toList()) {
                        String name = entry.getFileName().toString();
                        if (name.startsWith("blob-")
                                && TempOwners.tokenOf(name).equals(TempOwners.tokenOf(dir.getFileName().toString()))) {
                            blob = entry;
                        }
                    }
                }
                System.out.println(dir + " " + blob);
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** One MiB of deterministic, not very compressible content. */
    static byte[] content() {
        byte[] bytes = new byte[1 << 20];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < bytes.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    static Descriptor manifest(String seed) {
        byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
        return new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of(bytes), bytes.length);
    }
}

package dev.jbuild.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind the launchers' class archive (CDS on Java 17, the AOT cache on Java 25):
 * {@code java -XX:ArchiveClassesAtExit=… -cp jbuild.jar dev.jbuild.cli.TrainingRun DIR}. The
 * archive holds the classes one JVM loaded, so this runs in one process what users run most: a
 * build cold and warm, a build on an OCI-layout base, a RUN, {@code images} and {@code inspect}, a push
 * to an empty registry and again when every blob is there, a pull, and an OCI archive output.
 * The registry is {@link TrainingRegistry} on a loopback port, so no network is needed. Every
 * command goes through {@link Main#run}, the path a real command takes; their output is dropped.
 *
 * <p>Exits 0 when the first build worked (a later step that fails only leaves its classes out of
 * the archive, which costs start-up time, not correctness), else 1.
 */
public final class TrainingRun {

    private TrainingRun() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TrainingRun SCRATCH-DIRECTORY (internal to jbuild's launchers)");
            System.exit(2);
        }
        List<String> failed = train(Path.of(args[0]).toAbsolutePath());
        if (failed == null) {
            System.exit(1);
        }
        if (!failed.isEmpty()) {
            System.err.println("training steps that failed (their classes are not in the archive): " + failed);
        }
        System.exit(0);
    }

    /** Runs the commands in {@code dir}; the ones that failed, or null when the first build did. */
    static List<String> train(Path dir) throws IOException {
        Path context = dir.resolve("context");
        Files.createDirectories(context);
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY file /file\nENV A=1\nCMD [\"/file\"]\n");
        Files.writeString(context.resolve("file"), "data\n");
        String store = dir.resolve("store").toString();
        List<String> failed = new ArrayList<>();
        if (run(failed, "--root", store, "build", "-q", "-t", "training/app:1", context.toString()) != 0) {
            return null;
        }
        run(failed, "--root", store, "build", "-t", "training/app:1", "--progress", "plain", context.toString());
        run(failed, "--root", store, "images");
        run(failed, "--root", store, "inspect", "training/app:1");
        run(failed, "--root", store, "build", "-q", "-o", "type=oci,dest=" + dir.resolve("app.tar"), context.toString());
        Path derived = dir.resolve("derived");
        Files.createDirectories(derived);
        // The store is an OCI layout; a digest names the image in it (its tags are full names).
        String manifest = new StoredImages(Stores.open(Path.of(store))).findTag("training/app:1").getValue().digest().toString();
        Files.writeString(derived.resolve("Dockerfile"), "FROM base\nENV B=2\n");
        String base = "base=oci-layout://" + store + "@" + manifest;
        run(failed, "--root", store, "build", "-q", "--build-context", base, derived.toString());
        run(failed, "--root", store, "build", "-q", "--build-context", base, derived.toString());
        // A RUN, for the sandbox agent's classes (its own archive, when the launcher asks the agent for one with
        // -Djbuild.agentArchiveAtExit, and the client's here): the overlay probe, a layer unpacked, a command
        // started and its changes read. The image has no program to run, so the step ends with exit 126 once the
        // command was started; without namespaces (some containers) it fails before, and is listed as failed.
        Path runContext = dir.resolve("run");
        Files.createDirectories(runContext);
        Files.writeString(runContext.resolve("Dockerfile"), "FROM scratch\nCOPY file /file\nRUN [\"/file\"]\n");
        Files.writeString(runContext.resolve("file"), "not a program\n");
        StringWriter runErrors = new StringWriter();
        Main.run(new String[] {"--root", store, "build", "-q", runContext.toString()}, discard(),
                new PrintWriter(runErrors, true));
        if (!runErrors.toString().contains("did not complete successfully: exit code: 126")) {
            failed.add("a RUN in the sandbox: " + runErrors.toString().strip());
        }
        try (TrainingRegistry registry = new TrainingRegistry()) {
            String remote = registry.address() + "/training/app:1";
            run(failed, "--root", store, "push", "training/app:1", remote);
            run(failed, "--root", store, "push", "training/app:1", remote);
            run(failed, "--root", dir.resolve("pulled").toString(), "pull", remote);
        } catch (IOException e) {
            failed.add("the training registry: " + e.getMessage());
        }
        return failed;
    }

    private static int run(List<String> failed, String... args) {
        int code = Main.run(args, discard(), discard());
        if (code != 0) {
            failed.add(String.join(" ", args) + " (exit " + code + ")");
        }
        return code;
    }

    private static PrintWriter discard() {
        return new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    }
}

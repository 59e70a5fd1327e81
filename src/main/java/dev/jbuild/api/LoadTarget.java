package dev.jbuild.api;

import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.export.Exporter;
import dev.jbuild.image.Platform;
import dev.jbuild.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --load}: the container engine on the PATH that gets the image, through {@code podman load}
 * or {@code docker load} reading a Docker archive on its standard input (what buildx's
 * {@code --load}, {@code -o type=docker}, sends the Docker daemon). jbuild has no image store
 * an engine reads, so loading is a copy.
 *
 * @param name       {@code podman} or {@code docker}, for messages
 * @param executable the program found on the PATH
 */
record LoadTarget(String name, Path executable) {

    /**
     * docker when its daemon looks reachable ({@code DOCKER_HOST}, a context, or a socket at the
     * usual places), else podman, which needs no daemon; else docker all the same (its error then
     * says what is wrong). Empty when neither is on the PATH.
     */
    static Optional<LoadTarget> find(Map<String, String> env) {
        List<String> order = dockerDaemonLikely(env) ? List.of("docker", "podman") : List.of("podman", "docker");
        for (String name : order) {
            Optional<Path> found = onPath(name, env.getOrDefault("PATH", ""));
            if (found.isPresent()) {
                return Optional.of(new LoadTarget(name, found.get()));
            }
        }
        return Optional.empty();
    }

    /** The message for a {@code --load} without an engine: what to use instead. */
    static String noEngineMessage() {
        return "error: --load needs podman or docker on the PATH to load the image into, and there is neither;"
                + " write a Docker archive with -o type=docker,dest=FILE (then `podman load -i FILE` or"
                + " `docker load -i FILE` where one is installed), or push it with --push";
    }

    /**
     * Sends the built image (the request's platform of an index) to {@code ENGINE load}; its output
     * goes to {@code err} (null: only into the error message, should it fail).
     */
    void load(Store store, BuildResult result, Platform platform, Instant mtime, PrintWriter err) {
        ProcessBuilder builder = new ProcessBuilder(executable.toString(), "load").redirectErrorStream(true);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit;
        try {
            Process process = builder.start();
            Thread drain = new Thread(() -> copy(process.getInputStream(), output), "jbuild-load-output");
            drain.setDaemon(true);
            drain.start();
            IOException writeFailure = null;
            try (OutputStream in = process.getOutputStream()) {
                Exporter.dockerArchive(store, result.manifest(), result.tags(), platform, mtime, in);
            } catch (IOException e) {
                writeFailure = e; // the engine stopped reading: its exit code and output say why
            }
            exit = process.waitFor();
            drain.join();
            if (exit == 0 && writeFailure != null) {
                throw writeFailure;
            }
        } catch (IOException e) {
            throw Problem.failed("error: --load: " + name + " load: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.interrupted("error: --load interrupted");
        }
        String text = output.toString(StandardCharsets.UTF_8).strip();
        if (exit != 0) {
            throw Problem.failed("error: --load: " + executable + " load failed (exit code " + exit + ")"
                    + (text.isEmpty() ? "" : ": " + text) + "; -o type=docker,dest=FILE writes the archive instead");
        }
        if (err != null && !text.isEmpty()) {
            err.println(name + ": " + text.replace("\n", "\n" + name + ": "));
            err.flush();
        }
    }

    private static boolean dockerDaemonLikely(Map<String, String> env) {
        if (!env.getOrDefault("DOCKER_HOST", "").isBlank() || !env.getOrDefault("DOCKER_CONTEXT", "").isBlank()) {
            return true;
        }
        List<Path> sockets = new ArrayList<>(List.of(Path.of("/var/run/docker.sock")));
        String runtime = env.getOrDefault("XDG_RUNTIME_DIR", "");
        if (!runtime.isBlank()) {
            sockets.add(Path.of(runtime, "docker.sock"));
        }
        return sockets.stream().anyMatch(Files::exists);
    }

    private static Optional<Path> onPath(String program, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue; // an empty entry is the current directory: never run a program from there by surprise
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void copy(InputStream from, ByteArrayOutputStream to) {
        try (from) {
            from.transferTo(to);
        } catch (IOException e) {
            // The process is gone; its exit code tells the rest.
        }
    }
}

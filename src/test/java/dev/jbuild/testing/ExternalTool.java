package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One run of an external program (skopeo, umoci, podman, openssl…) from a test: a small builder
 * over {@link ProcessBuilder} that captures both outputs, enforces a timeout and, on failure, says
 * exactly what ran and what it printed.
 *
 * <p>A missing program is a test <em>failure</em>, never a skip: CI installs everything through
 * {@code scripts/test.sh}, so a skipped integration test would only hide a broken machine.
 *
 * <pre>{@code
 * ExternalTool.command("skopeo", "inspect", "oci:" + dir + ":v1").runSuccessfully().stdout();
 * }</pre>
 */
public final class ExternalTool {

    /**
     * Stops a server a test started (registry, git daemon, sshd): its children and it asked to end, then
     * killed after 5 s; waits for it so that its port and files are free afterwards.
     */
    public static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }


    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    /** Where tools are looked up besides {@code $PATH}: sbin directories are absent from a user's PATH. */
    private static final List<String> EXTRA_DIRECTORIES = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");
    private static final Map<String, Path> FOUND = new ConcurrentHashMap<>();
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private final List<String> commandLine;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> removedEnvironment = new ArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private Path directory;
    private byte[] stdin;

    private ExternalTool(List<String> commandLine) {
        if (commandLine.isEmpty()) {
            throw new IllegalArgumentException("empty command line");
        }
        this.commandLine = List.copyOf(commandLine);
    }

    /** A command to run; the program (first word) is resolved with {@link #require} when it runs. */
    public static ExternalTool command(String... commandLine) {
        return new ExternalTool(List.of(commandLine));
    }

    public static ExternalTool command(List<String> commandLine) {
        return new ExternalTool(commandLine);
    }

    /**
     * The absolute path of an installed program, searched in {@code $PATH} and the sbin
     * directories; fails the test, naming the fix, when it is not installed.
     */
    public static Path require(String tool) {
        Optional<Path> found = find(tool);
        if (found.isEmpty()) {
            fail(tool + " is not installed: run ./scripts/test.sh as root"
                    + " (it installs every tool the integration tests use)");
        }
        return found.get();
    }

    /** The absolute path of an installed program, if there is one; for optional checks only. */
    public static Optional<Path> find(String tool) {
        if (tool.contains("/")) {
            Path path = Path.of(tool);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        Path cached = FOUND.get(tool);
        if (cached != null) {
            return Optional.of(cached);
        }
        List<String> directories = new ArrayList<>();
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            directories.addAll(List.of(pathVariable.split(File.pathSeparator)));
        }
        directories.addAll(EXTRA_DIRECTORIES);
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                FOUND.put(tool, candidate);
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public ExternalTool timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    public ExternalTool directory(Path directory) {
        this.directory = directory;
        return this;
    }

    public ExternalTool env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public ExternalTool withoutEnv(String name) {
        removedEnvironment.add(name);
        return this;
    }

    /** Bytes written to the program's standard input (otherwise it reads /dev/null, never blocks). */
    public ExternalTool stdin(byte[] input) {
        this.stdin = input.clone();
        return this;
    }

    public ExternalTool stdin(String input) {
        return stdin(input.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs the command and asserts it exited with 0; the failure message carries everything. */
    public Result runSuccessfully() {
        return run().assertSuccess();
    }

    /** Runs the command, whatever its exit code; fails the test only on a timeout or if it cannot start. */
    public Result run() {
        List<String> resolved = new ArrayList<>(commandLine);
        resolved.set(0, require(commandLine.get(0)).toString());
        ProcessBuilder builder = new ProcessBuilder(resolved);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        removedEnvironment.forEach(builder.environment()::remove);
        builder.environment().putAll(environment);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return fail("cannot start " + shellQuoted(commandLine) + ": " + e.getMessage(), e);
        }
        // Both pipes are drained concurrently: a tool filling one pipe must not block forever.
        StreamCollector out = new StreamCollector(process.getInputStream());
        StreamCollector err = new StreamCollector(process.getErrorStream());
        writeStdin(process);
        boolean exited;
        try {
            exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Result partial = new Result(commandLine, -1, out.text(), err.text());
            return fail("timed out after " + timeout.toSeconds() + " s: " + partial.describe());
        }
        return new Result(commandLine, process.exitValue(), out.text(), err.text());
    }

    private void writeStdin(Process process) {
        if (stdin == null) {
            return;
        }
        try (OutputStream input = process.getOutputStream()) {
            input.write(stdin);
        } catch (IOException e) {
            // The program exited without reading all of its input: its exit code tells the story.
        }
    }

    /** A command line as one could paste it into a shell. */
    public static String shellQuoted(List<String> words) {
        return words.stream()
                .map(w -> SHELL_SAFE.matcher(w).matches() ? w : "'" + w.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    /** What one run printed and how it exited. */
    public record Result(List<String> commandLine, int exitCode, String stdout, String stderr) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        public Result assertSuccess() {
            if (!succeeded()) {
                fail("command failed: " + describe());
            }
            return this;
        }

        /** Asserts a failure (non-zero exit), for tests that expect a tool to reject something. */
        public Result assertFailure() {
            if (succeeded()) {
                fail("command unexpectedly succeeded: " + describe());
            }
            return this;
        }

        /** The command line, exit code and both outputs, for failure messages. */
        public String describe() {
            return shellQuoted(commandLine) + "\nexit code: " + exitCode
                    + "\n--- stdout ---\n" + stdout + (stdout.endsWith("\n") || stdout.isEmpty() ? "" : "\n")
                    + "--- stderr ---\n" + stderr;
        }
    }

    /** Reads a stream to its end on a daemon thread. */
    private static final class StreamCollector {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        StreamCollector(InputStream stream) {
            thread = new Thread(() -> {
                try (stream) {
                    stream.transferTo(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "external-tool-output");
            thread.setDaemon(true);
            thread.start();
        }

        String text() {
            try {
                // After the process is gone the pipe closes; a grandchild holding it open must not hang us.
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return bytes.toString(StandardCharsets.UTF_8); // synchronized: safe while still writing
        }
    }
}

package dev.jbuild.sandbox;

import dev.jbuild.layer.ExtractResult;
import dev.jbuild.layer.ByteProgress;
import dev.jbuild.layer.LayerExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of the sandbox that runs inside the user and mount namespaces, as container root: the caller's JVM
 * starts it through util-linux {@code unshare} ({@code java -cp … dev.jbuild.sandbox.SandboxAgent OP
 * request.json response.json}). It mounts or copies the root filesystem, starts the command in nested
 * pid/mount/uts/ipc(/net) namespaces through a generated shell script, and, afterwards, diffs the result
 * with full access to files of every container id. It exits as soon as its standard input closes, so a
 * vanished caller leaves nothing running (it is pid 1 of its pid namespace: everything below dies with it).
 *
 * <p>Not an API: the request and response formats belong to this package's version.
 */
public final class SandboxAgent {

    private SandboxAgent() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: SandboxAgent run|extract|probe REQUEST RESPONSE (internal to jbuild)");
            System.exit(2);
        }
        Thread watchdog = startWatchdog();
        Path responseFile = Path.of(args[2]);
        AgentProtocol.Response response;
        try {
            AgentProtocol.Request request = AgentProtocol.read(Path.of(args[1]), AgentProtocol.Request.class);
            response = switch (args[0]) {
                case "run" -> new RunOperation(request).run();
                case "extract" -> extract(request);
                case "probe" -> probe(request);
                default -> throw new IllegalArgumentException("unknown operation " + args[0]);
            };
        } catch (Exception e) {
            // A full disk is named as such, with the file being written (the work directory when the JDK
            // did not say): whatever else it broke follows from it.
            java.util.Optional<NoSpaceLeftException> full = NoSpaceLeftException.of(e, Path.of(args[1]).getParent());
            String message = full.isPresent() ? full.get().getMessage()
                    : e instanceof SandboxException ? e.getMessage() : e.toString();
            response = new AgentProtocol.Response(false, message, false, -1, List.of(), List.of(), Map.of(),
                    List.of(), false, full.map(NoSpaceLeftException::path).orElse(null));
        }
        try {
            AgentProtocol.write(responseFile, response);
        } catch (IOException e) {
            System.err.println("jbuild sandbox agent: cannot write " + responseFile + ": " + e);
            Runtime.getRuntime().halt(3);
        }
        stopWatchdog(watchdog);
        System.exit(0);
    }

    /**
     * The caller keeps our stdin open; end of file means it is gone, and so must we be. The read
     * goes through an interruptible channel, not System.in: HotSpot's exit waits up to 300 ms for
     * threads blocked in native code, so a watchdog stuck in a plain read would add that to every
     * RUN; an interrupted channel read returns at once ({@link #stopWatchdog}).
     */
    private static Thread startWatchdog() {
        java.nio.channels.FileChannel stdin = new java.io.FileInputStream(java.io.FileDescriptor.in).getChannel();
        Thread t = new Thread(() -> {
            try {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64);
                while (stdin.read(buffer) >= 0) {
                    buffer.clear(); // nothing is ever sent
                }
            } catch (java.nio.channels.ClosedChannelException e) {
                return; // closed by stopWatchdog: we are exiting normally
            } catch (IOException e) {
                // same as end of file
            }
            Runtime.getRuntime().halt(137);
        }, "sandbox-agent-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Ends the watchdog's read (it closes the channel and returns) so that the JVM can exit at once. */
    private static void stopWatchdog(Thread watchdog) {
        watchdog.interrupt();
        try {
            watchdog.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the extract agent's progress lines on its standard output. */
    static final String PROGRESS_PREFIX = "progress ";

    private static AgentProtocol.Response extract(AgentProtocol.Request r) throws IOException {
        LayerExtractor extractor = new LayerExtractor();
        List<AgentProtocol.Extracted> out = new ArrayList<>();
        long start = System.nanoTime();
        long total = 0;
        for (AgentProtocol.Blob b : r.blobs()) {
            total += Files.size(Path.of(b.path()));
        }
        // Compressed bytes read so far, as "progress DONE TOTAL" lines on stdout (Sandbox#unpackAll reads them).
        ByteProgress.Counter counter = ByteProgress.throttled((done, all) -> {
            System.out.println(PROGRESS_PREFIX + done + " " + all);
            System.out.flush();
        }, total, 100_000_000L);
        for (AgentProtocol.Blob b : r.blobs()) {
            Path target = Path.of(b.target() != null ? b.target() : r.target());
            Files.createDirectories(target);
            LayerExtractor.Options options = new LayerExtractor.Options(b.digest(), b.diffId(), true);
            if (!b.parents().isEmpty()) {
                options = options.withMissingDirectories(parentDirectories(b.parents()));
            }
            try (InputStream in = counter.counting(Files.newInputStream(Path.of(b.path())))) {
                ExtractResult x;
                try {
                    x = extractor.extract(in, target, options);
                } catch (IOException e) {
                    throw NoSpaceLeftException.of(e, target).<IOException>map(n -> n).orElse(e);
                }
                out.add(new AgentProtocol.Extracted(x.digest(), x.diffId(), x.compression().name(),
                        x.compressedSize(), x.uncompressedSize(), x.entries(), x.warnings()));
            }
        }
        return new AgentProtocol.Response(true, null, false, 0, List.of(), List.of(),
                Map.of("extract", (System.nanoTime() - start) / 1_000_000), out, false, null);
    }

    /**
     * A directory a lone layer lacks gets what the merged tree below has there (mode with its sticky and
     * setgid bits, owner, mtime, user xattrs): overlayfs shows the top-most lower's directory, so a default
     * one would hide them from the command and from the diff.
     */
    static LayerExtractor.MissingDirectories parentDirectories(List<String> parentsTopFirst) {
        List<Path> dirs = new ArrayList<>();
        for (String p : parentsTopFirst) {
            dirs.add(Path.of(p));
        }
        LayerStack below = new LayerStack(dirs);
        return path -> below.lookup(path).filter(LayerStack.Node::isDirectory)
                .map(n -> new dev.jbuild.layer.EntryAttributes(n.mode(), n.uid(), n.gid(), n.mtime().toInstant(),
                        LayerStack.userXattrs(n)));
    }

    /** Can overlayfs be mounted here with {@code userxattr}? */
    private static AgentProtocol.Response probe(AgentProtocol.Request r) throws IOException {
        Path work = Path.of(r.workDir());
        Path lower = Files.createDirectories(work.resolve("lower"));
        Path upper = Files.createDirectories(work.resolve("upper"));
        Path ovl = Files.createDirectories(work.resolve("work"));
        Path merged = Files.createDirectories(work.resolve("merged"));
        Files.writeString(lower.resolve("probe"), "x");
        List<String> warnings = new ArrayList<>();
        boolean works;
        try {
            Exec.run(r.tools().get("mount"), "-t", "overlay", "overlay", "-o",
                    OverlayOptions.of(List.of(lower), upper, ovl), merged.toString());
            // Deleting a lower file must work too: it needs whiteouts (mknod 0:0) in the upper dir.
            Files.delete(merged.resolve("probe"));
            works = Files.notExists(merged.resolve("probe"));
            Exec.run(r.tools().get("umount"), merged.toString());
        } catch (SandboxException e) {
            works = false;
            warnings.add(e.getMessage());
        }
        return new AgentProtocol.Response(true, null, false, 0, List.of(), warnings, Map.of(), List.of(), works,
                null);
    }

    /** Overlayfs mount options; paths with the option separators are refused rather than escaped. */
    static final class OverlayOptions {
        private OverlayOptions() {
        }

        static String of(List<Path> lowers, Path upper, Path work) throws SandboxException {
            List<String> l = new ArrayList<>();
            for (Path p : lowers) {
                l.add(check(p));
            }
            return "lowerdir=" + String.join(":", l) + ",upperdir=" + check(upper) + ",workdir=" + check(work)
                    + ",userxattr";
        }

        private static String check(Path p) throws SandboxException {
            String s = p.toString();
            if (s.contains(",") || s.contains(":") || s.contains("\\")) {
                throw new SandboxException("overlay cannot use a path containing ',', ':' or '\\': " + s
                        + " (use another JBUILD_ROOT or --snapshotter=copy)");
            }
            return s;
        }
    }

    /** Runs host programs from the agent. */
    static final class Exec {
        private Exec() {
        }

        static String run(String... command) throws SandboxException {
            return run(List.of(command));
        }

        /**
         * Runs one command whose words may hold names that are not UTF-8: as a script on the shell's standard
         * input ({@link dev.jbuild.layer.ShellScript}), since process arguments would lose those bytes.
         */
        static String script(String sh, List<String> command) throws SandboxException {
            try {
                dev.jbuild.layer.ShellScript.Result result = dev.jbuild.layer.ShellScript.run(sh,
                        "exec " + dev.jbuild.layer.ShellScript.command(command));
                if (result.status() != 0) {
                    throw new SandboxException(dev.jbuild.layer.RawNames.display(String.join(" ", command))
                            + " failed (exit " + result.status() + ")" + (result.output().isEmpty() ? ""
                            : ": " + result.output()));
                }
                return result.output();
            } catch (IOException e) {
                throw new SandboxException("cannot run " + sh + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted running " + command.get(0), e);
            }
        }

        static String run(List<String> command) throws SandboxException {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                int rc = p.waitFor();
                if (rc != 0) {
                    throw new SandboxException(String.join(" ", command) + " failed (exit " + rc + ")"
                            + (out.isEmpty() ? "" : ": " + out));
                }
                return out;
            } catch (IOException e) {
                throw new SandboxException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted running " + command.get(0), e);
            }
        }
    }

    /** Removes {@code user.overlay.*} xattrs from a file (copies of overlay-format trees must not keep them). */
    static void dropOverlayXattrs(Path p) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        try {
            for (String name : view.list()) {
                if (name.startsWith("overlay.")) {
                    view.delete(name);
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // symlinks and filesystems without user xattrs have none
        }
    }

    static Map<String, Long> timings() {
        return new LinkedHashMap<>();
    }

    static void setMtime(Path p, FileTime t) throws IOException {
        Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(t, null, null);
    }
}

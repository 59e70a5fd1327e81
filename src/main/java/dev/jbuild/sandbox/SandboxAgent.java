package dev.jbuild.sandbox;

import dev.jbuild.layer.ByteProgress;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.ExtractResult;
import dev.jbuild.layer.LayerException;
import dev.jbuild.layer.LayerExtractor;
import dev.jbuild.layer.RawNames;
import dev.jbuild.layer.ShellScript;
import dev.jbuild.store.FileErrors;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The part of the sandbox that runs inside the user and mount namespaces, as container root: the caller's JVM
 * starts one per sandbox, through util-linux {@code unshare} ({@code java -cp … dev.jbuild.sandbox.SandboxAgent
 * serve}), and sends it every request of the build over its standard input ({@link AgentProtocol}). For a
 * run it mounts or copies the root filesystem, starts the command in nested pid/mount/uts/ipc(/net)
 * namespaces through a generated shell script, forwards the command's output and, afterwards, diffs the
 * result with full access to files of every container id; it also unpacks layers, probes overlayfs and
 * removes trees. Each request runs in a thread of its own (parallel stages run RUNs at the same time). It
 * exits as soon as its standard input closes, so a vanished caller leaves nothing running (it is pid 1 of
 * its pid namespace: everything below dies with it).
 *
 * <p>Not an API: the request and response formats belong to this package's version.
 */
public final class SandboxAgent {

    /** Where a run's command output goes: the caller, as frames tagged with the run's call id. */
    interface Output {
        void write(byte stream, byte[] bytes, int length) throws IOException;
    }

    /**
     * What runs share, made once per agent in its mount namespace (so it goes with the agent): the staging
     * root a run's command is pivoted into — a read-only tmpfs with the host's program directories bound in,
     * its {@code /proc} a link to the rootfs's (each run's own), the rootfs rbound at {@code /root} per run —
     * and the names a run's {@code /dev} tmpfs starts with (mount points for the device nodes, pts, shm,
     * the usual links), copied in with one {@code cp -a}.
     */
    record Staging(Path root, Path devTemplate) {
        /** The host's device nodes every run gets bound into its /dev. */
        static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
    }

    /** The agent's staging, prepared on first use. */
    interface StagingSupplier {
        Staging get(Map<String, String> tools) throws IOException;
    }

    private final DataOutputStream toCaller;
    /** The thread of each call in progress, by call id: a kill interrupts it. */
    private final Map<Integer, Thread> running = new ConcurrentHashMap<>();
    /** The agent's own directory (the caller makes it and removes it after us). */
    private final Path scratch;
    private Staging staging; // guarded by this

    private SandboxAgent(DataOutputStream toCaller, Path scratch) {
        this.toCaller = toCaller;
        this.scratch = scratch;
    }

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals("serve")) {
            System.err.println("usage: SandboxAgent serve DIRECTORY (internal to jbuild)");
            System.exit(2);
        }
        // Standard output carries the protocol alone: whatever Java code prints goes to standard error.
        // (Our child processes never inherit it: each gets pipes or /dev/null.)
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(System.err);
        new SandboxAgent(out, Path.of(args[1])).serve(new DataInputStream(new BufferedInputStream(
                new FileInputStream(FileDescriptor.in), 1 << 16)));
    }

    /**
     * Reads requests until the caller closes our input: end of file means it is gone (or done), and so must
     * we be, at once, with whatever still runs (halt: no shutdown hooks, no waiting for threads).
     */
    private void serve(DataInputStream in) {
        try {
            synchronized (toCaller) {
                toCaller.writeInt(AgentProtocol.MAGIC);
                toCaller.flush();
            }
            while (true) {
                AgentProtocol.Frame f = AgentProtocol.read(in);
                if (f == null) {
                    break;
                }
                if (f.kind() == AgentProtocol.REQUEST) {
                    Thread t = new Thread(() -> answer(f.id(), f.payload()), "sandbox-agent-call-" + f.id());
                    running.put(f.id(), t);
                    t.start();
                } else if (f.kind() == AgentProtocol.KILL) {
                    Thread t = running.get(f.id());
                    if (t != null) {
                        t.interrupt(); // a run kills its command (CommandProcess.run)
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("jbuild sandbox agent: " + e.getMessage());
        }
        Runtime.getRuntime().halt(0);
    }

    private void answer(int id, byte[] payload) {
        AgentProtocol.Response response;
        Path work = null;
        try {
            AgentProtocol.Request request = AgentProtocol.deserialize(payload, AgentProtocol.Request.class);
            work = Path.of(request.workDir());
            response = switch (request.op()) {
                case "run" -> new RunOperation(request, (stream, bytes, length) -> send(AgentProtocol.OUTPUT, id,
                        prefixed(stream, bytes, length)), this::staging).run();
                case "extract" -> extract(request, (done, all) -> progress(id, done, all));
                case "probe" -> probe(request);
                case "delete" -> delete(request);
                default -> throw new IllegalArgumentException("unknown operation " + request.op());
            };
        } catch (Exception | Error e) {
            // An Error too (out of memory, a stack overflow, a class that does not load): the call's thread
            // would die without an answer and its caller wait for ever, the agent being alive.
            // A full disk is named as such, with the file being written (the work directory when the JDK
            // did not say): whatever else it broke follows from it.
            Optional<NoSpaceLeftException> full = NoSpaceLeftException.of(e, work);
            // Ours are worded for the user (a hostile layer's LayerException too); others keep their class's name.
            String message = full.isPresent() ? full.get().getMessage()
                    : e instanceof SandboxException || e instanceof LayerException ? e.getMessage()
                    : e instanceof FileSystemException file ? FileErrors.withReason(file.getMessage(), file) : e.toString();
            response = new AgentProtocol.Response(false, message, false, -1, List.of(), List.of(), Map.of(),
                    List.of(), false, full.map(NoSpaceLeftException::path).orElse(null));
        } finally {
            running.remove(id);
        }
        try {
            send(AgentProtocol.ANSWER, id, AgentProtocol.serialize(response));
        } catch (IOException e) {
            System.err.println("jbuild sandbox agent: cannot answer: " + e);
            Runtime.getRuntime().halt(3);
        }
    }

    /** {@link Staging}, made by the first run that needs it (later ones wait for it). */
    private synchronized Staging staging(Map<String, String> tools) throws IOException {
        if (staging != null) {
            return staging;
        }
        Path root = Files.createDirectories(scratch.resolve("stage"));
        Path dev = scratch.resolve("dev");
        if (!Files.isDirectory(dev)) {
            Path tmp = Files.createDirectories(scratch.resolve("dev.new"));
            for (String d : Staging.DEVICES) {
                Files.createFile(tmp.resolve(d));
            }
            for (String d : List.of("pts", "shm")) {
                Files.createDirectory(tmp.resolve(d));
                Files.setAttribute(tmp.resolve(d), "unix:mode", 0755);
            }
            Files.createSymbolicLink(tmp.resolve("ptmx"), Path.of("pts/ptmx"));
            Files.createSymbolicLink(tmp.resolve("fd"), Path.of("/proc/self/fd"));
            Files.createSymbolicLink(tmp.resolve("stdin"), Path.of("/proc/self/fd/0"));
            Files.createSymbolicLink(tmp.resolve("stdout"), Path.of("/proc/self/fd/1"));
            Files.createSymbolicLink(tmp.resolve("stderr"), Path.of("/proc/self/fd/2"));
            Files.move(tmp, dev);
        }
        Script s = new Script();
        String mount = Script.q(tools.get("mount"));
        s.line("set -eu");
        s.line("S=" + Script.q(root.toString()));
        s.line(mount + " -t tmpfs -o mode=755 tmpfs \"$S\"");
        s.line("mkdir \"$S/root\" \"$S/.old\" \"$S/etc\"");
        s.line("ln -s root/proc \"$S/proc\"");
        for (String d : List.of("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
            Path host = Path.of("/" + d);
            if (Files.isSymbolicLink(host)) {
                s.line("ln -s " + Script.q(Files.readSymbolicLink(host).toString()) + " \"$S/" + d + "\"");
            } else if (Files.isDirectory(host)) {
                s.line("mkdir \"$S/" + d + "\"; " + mount + " --rbind /" + d + " \"$S/" + d + "\"");
            }
        }
        if (Files.exists(Path.of("/etc/ld.so.cache"))) {
            s.line(": > \"$S/etc/ld.so.cache\"; " + mount + " --bind /etc/ld.so.cache \"$S/etc/ld.so.cache\"");
        }
        // Shared by every run: nothing a run does may change it for the next one.
        s.line(mount + " -o remount,ro,mode=755 tmpfs \"$S\"");
        Path script = scratch.resolve("stage.sh");
        Files.writeString(script, s.toString());
        Exec.run(tools.get("sh"), script.toString());
        staging = new Staging(root, dev);
        return staging;
    }

    private void send(byte kind, int id, byte[] payload) throws IOException {
        synchronized (toCaller) {
            AgentProtocol.write(toCaller, kind, id, payload);
        }
    }

    /** Tells the caller how far call {@code id} is: a {@link AgentProtocol#PROGRESS} frame. */
    private void progress(int id, long done, long total) {
        try {
            send(AgentProtocol.PROGRESS, id, ByteBuffer.allocate(16).putLong(done).putLong(total).array());
        } catch (IOException e) {
            // the caller is gone: our input ends too, and we with it
        }
    }

    private static byte[] prefixed(byte stream, byte[] bytes, int length) {
        byte[] p = new byte[length + 1];
        p[0] = stream;
        System.arraycopy(bytes, 0, p, 1, length);
        return p;
    }

    /** Removes a tree that may hold files of any container id (the caller cannot). */
    private static AgentProtocol.Response delete(AgentProtocol.Request r) throws SandboxException {
        Exec.run(r.tools().get("rm"), "-rf", "--one-file-system", "--", r.target());
        return new AgentProtocol.Response(true, null, false, 0, List.of(), List.of(), Map.of(), List.of(), false,
                null);
    }

    private static AgentProtocol.Response extract(AgentProtocol.Request r, ByteProgress progress) throws IOException {
        LayerExtractor extractor = new LayerExtractor();
        List<AgentProtocol.Extracted> out = new ArrayList<>();
        long start = System.nanoTime();
        long total = 0;
        for (AgentProtocol.Blob b : r.blobs()) {
            total += Files.size(Path.of(b.path()));
        }
        // Compressed bytes read so far, as progress frames of this call (Sandbox#unpackAll hands them on).
        ByteProgress.Counter counter = ByteProgress.throttled(progress, total, 100_000_000L);
        for (AgentProtocol.Blob b : r.blobs()) {
            Path target = Path.of(b.target() != null ? b.target() : r.target());
            Files.createDirectories(target);
            LayerExtractor.Options options = new LayerExtractor.Options(b.digest(), b.diffId(), true)
                    .withCapabilitiesReturned();
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
                List<String> warnings = x.warnings();
                // After the whole layer: its chowns would clear capabilities set earlier.
                if (!x.fileCapabilities().isEmpty()
                        && !FileCapabilities.write(r.tools(), x.fileCapabilities(), Files.createTempFile("jbuild-caps-", ".dump"))) {
                    warnings = new ArrayList<>(warnings);
                    warnings.add("file capabilities of " + x.fileCapabilities().size() + " files not set (no setfattr:"
                            + " install the attr package)");
                }
                out.add(new AgentProtocol.Extracted(x.digest(), x.diffId(), x.compression().name(),
                        x.compressedSize(), x.uncompressedSize(), x.entries(), warnings));
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
                .map(n -> new EntryAttributes(n.mode(), n.uid(), n.gid(), n.mtime().toInstant(),
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
                ShellScript.Result result = ShellScript.run(sh,
                        "exec " + ShellScript.command(command));
                if (result.status() != 0) {
                    throw new SandboxException(RawNames.display(String.join(" ", command))
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
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
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

    static void setMtime(Path p, FileTime t) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(t, null, null);
    }
}

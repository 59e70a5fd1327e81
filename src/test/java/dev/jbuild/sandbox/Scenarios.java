package dev.jbuild.sandbox;

import dev.jbuild.layer.Compression;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerResult;
import dev.jbuild.layer.LayerWriter;
import dev.jbuild.testing.ExternalTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The RUN scenarios, run in one JVM as whichever user starts it (in-process for the current user, or by
 * {@link #main} as the unprivileged test user); results are plain data so the asserting test can run
 * elsewhere.
 */
public final class Scenarios {
    /** Clamp for layer mtimes: new files get "now", base files 2020; the digest must not depend on the clock. */
    static final Instant EPOCH = Instant.parse("2021-01-01T00:00:00Z");

    /** What one scenario produced. */
    record Outcome(int exitCode, List<String> output, List<String> listing, String diffId, Map<String, Long> timings,
            String error) implements Serializable {
        private static final long serialVersionUID = 1L;

        String out() {
            return String.join("\n", output);
        }
    }

    private Scenarios() {
    }

    /** Usage: Scenarios WORKROOT SNAPSHOTTER RESULTFILE (run as the user under test). */
    public static void main(String[] args) throws Exception {
        Map<String, Outcome> outcomes = runAll(Path.of(args[0]), Snapshotter.valueOf(args[1]));
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(Path.of(args[2])))) {
            out.writeObject(new LinkedHashMap<>(outcomes));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Outcome> load(Path file) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            return (Map<String, Outcome>) in.readObject();
        }
    }

    static Map<String, Outcome> runAll(Path root, Snapshotter snapshotter) throws Exception {
        Files.createDirectories(root);
        Sandbox sandbox = Sandbox.open(SandboxOptions.defaults(root.resolve("work")).withSnapshotter(snapshotter));
        if (sandbox.snapshotter() != snapshotter) {
            throw new AssertionError("asked for " + snapshotter + ", got " + sandbox.snapshotter());
        }
        Path tar = BusyboxBase.writeTar(root.resolve("base.tar"));
        Path base = root.resolve("base");
        sandbox.unpack(base, List.of(new Sandbox.LayerBlob(tar, null, null)));
        Rootfs rootfs = Rootfs.of(base);
        Map<String, Outcome> out = new LinkedHashMap<>();
        try {
            out.put("basics", run(sandbox, rootfs, sh(String.join("; ",
                    "set -e",
                    "mkdir -p /new/dir && echo hello > /new/dir/file",
                    "rm /base/delete-me",
                    "rm -rf /base/dir/sub",
                    // fd 3 keeps the old directory's inode allocated, so the new one cannot get its number:
                    // the copy snapshotter tells a recreated directory by its inode (rootless.md, known differences).
                    "exec 3< /base/dir && rm -rf /base/dir && mkdir /base/dir && echo again > /base/dir/f0 && exec 3<&-",
                    "chmod 0600 /base/chmod-me",
                    "echo o > /new/owned && chown 1000:1000 /new/owned",
                    "echo n > /new/nobody && chown 65534:65534 /new/nobody",
                    "ln -s ../keep /new/link",
                    "echo h > /new/hard1 && ln /new/hard1 /new/hard2",
                    "cp /bin/busybox /new/suid && chmod 4755 /new/suid",
                    "mkdir /new/sgid && chmod 2775 /new/sgid",
                    "echo x > /home/app/private && chown 1000:1000 /home/app/private && chmod 600 /home/app/private"))));
            out.put("noop", run(sandbox, rootfs, sh("cat /etc/passwd > /dev/null; ls / > /dev/null")));
            out.put("exit", run(sandbox, rootfs, sh("echo out; echo err >&2; exit 42")));
            // Debian's static busybox has no adduser applet: add the account the way adduser does, then let
            // the image's own tools resolve the names.
            out.put("add-user", run(sandbox, rootfs, sh("set -e; echo 'bob:x:1234:1234::/home/bob:/bin/sh' >> /etc/passwd;"
                    + " echo 'bob:x:1234:' >> /etc/group; mkdir -m 750 /home/bob; chown bob:bob /home/bob; id bob")));
            out.put("user", run(sandbox, rootfs, sh("id; pwd; echo mine > /home/app/mine")
                    .withUser(1000, 1000, List.of(65534L)).withCwd("/home/app")));
            out.put("network-none", run(sandbox, rootfs, sh("cat /proc/net/dev | tail -n +3 | cut -d: -f1")
                    .withNetwork(Network.NONE)));
            out.put("network-host", run(sandbox, rootfs, sh("cat /proc/net/dev | tail -n +3 | wc -l")));
            out.put("etc-files", run(sandbox, rootfs, sh("cat /etc/hosts /etc/hostname; hostname; "
                    + "echo 1.2.3.4 x >> /etc/hosts; test -s /etc/resolv.conf && echo resolv-ok")
                    .withHostname("buildhost")));
            out.put("pid-ns", run(sandbox, rootfs, sh("ps -o pid,comm | tail -n +2")));
            out.put("environment", run(sandbox, rootfs, new ProcessSpec(List.of("env"), List.of("A=1", "B=two words"),
                    "/", 0, 0, List.of(), "jbuild", Network.HOST, List.of(), List.of(), List.of(), 0)));
            // Limits every process of the run gets (--ulimit): lowered, and a soft one raised to its hard one.
            String limits = "ulimit -n; ulimit -Hn; grep -E '^Max (open files|core file size|processes) ' /proc/self/limits";
            out.put("ulimit", run(sandbox, rootfs, sh(limits + "; sh -c 'ulimit -n'").withUlimits(List.of(
                    ResourceLimit.parse("core=unlimited"), ResourceLimit.parse("nofile=1024:2048"),
                    ResourceLimit.parse("nproc=500:600")))));
            long nofile = ResourceLimits.hardLimits(Files.readString(Path.of("/proc/self/limits"))).get("nofile");
            out.put("ulimit-raise", run(sandbox, rootfs, sh(limits).withUlimits(List.of(
                    new ResourceLimit("nofile", 1024, nofile + 1)))));
            out.put("shm-default", run(sandbox, rootfs, sh("grep ' /dev/shm ' /proc/mounts")));
            out.put("shm-size", run(sandbox, rootfs, sh("grep ' /dev/shm ' /proc/mounts; df -k /dev/shm | tail -n 1")
                    .withShmSize(256L << 20)));
            out.put("not-found", run(sandbox, rootfs, ProcessSpec.of("/no/such/program")));
            out.put("many-files", run(sandbox, rootfs, sh("mkdir /many && cd /many && seq 1 2000 | xargs touch")));
            out.put("id-out-of-range", run(sandbox, rootfs, sh("true").withUser(70000, 0, List.of())));
            // Hostile: the working directory must never resolve to an inherited host descriptor
            // (runc CVE-2024-21626), nor through pid 1's cwd/root.
            StringBuilder escapes = new StringBuilder();
            for (int fd = 3; fd <= 9; fd++) {
                Outcome o = run(sandbox, rootfs, sh("pwd; ls -a . | head -50").withCwd("/proc/self/fd/" + fd));
                escapes.append("fd").append(fd).append(" exit=").append(o.exitCode()).append('\n')
                        .append(o.out()).append('\n').append(o.error() == null ? "" : o.error()).append('\n');
            }
            escapes.append(run(sandbox, rootfs, sh("ls -a /proc/1/root/ /proc/1/cwd/ /proc/self/root/; "
                    + "cd /proc/self/fd/0/../..; pwd; ls -a")).out());
            out.put("cwd-escape", new Outcome(0, List.of(escapes.toString().split("\n")), List.of(), "", Map.of(),
                    null));
            out.put("cwd-created", run(sandbox, rootfs, sh("pwd").withCwd("/made/by/workdir")));
            out.put("symlink-cwd", run(sandbox, rootfs, sh("pwd; ls").withCwd("/base/up")));

            // Mounts.
            Path context = Files.createDirectories(root.resolve("context"));
            Files.writeString(context.resolve("marker-in-context"), "ctx\n");
            Path link = context.resolve("link-to-root");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("/"));
            out.put("bind-symlink", run(sandbox, rootfs, sh("ls /mnt/ctx; { echo w > /mnt/ctx/w; } 2>/dev/null || echo ro")
                    .withMounts(List.of(new SandboxMount.Bind(context, "link-to-root", "/mnt/ctx", false)))));
            out.put("bind-rw", run(sandbox, rootfs, sh("echo w > /mnt/ctx/w && cat /mnt/ctx/w")
                    .withMounts(List.of(new SandboxMount.Bind(context, "/", "/mnt/ctx", true)))));
            Path caches = root.resolve("caches");
            SandboxMount cache = new SandboxMount.Cache(caches, "../../escape", "/root/.cache", 0, 0, 0755);
            out.put("cache-1", run(sandbox, rootfs, sh("echo cached > /root/.cache/data")
                    .withMounts(List.of(cache))));
            out.put("cache-2", run(sandbox, rootfs, sh("cat /root/.cache/data").withMounts(List.of(cache))));
            Path secretFile = root.resolve("secret-src");
            Files.writeString(secretFile, "s3cr3t-value\n");
            out.put("secret", run(sandbox, rootfs, sh("cat /run/secrets/token; stat -c %a:%u:%g /run/secrets/token;"
                    + " { echo try > /run/secrets/token; } 2>/dev/null || echo readonly").withMounts(List.of(
                            SandboxMount.Secret.of("token", secretFile)))));
            out.put("tmpfs", run(sandbox, rootfs, sh("echo t > /scratch/t && cat /scratch/t")
                    .withMounts(List.of(new SandboxMount.Tmpfs("/scratch", 0)))));
            out.put("mount-through-symlink", run(sandbox, rootfs, sh("ls -d /tmp/viasym && echo t > /tmp/viasym/f")
                    .withMounts(List.of(new SandboxMount.Tmpfs("/base/to-root/tmp/viasym", 0)))));

            // Chained: the second step sees the first and deletes from both layers.
            try (RunResult first = sandbox.run(rootfs, sh("mkdir /chain && echo 1 > /chain/a && echo 2 > /chain/b"),
                    OutputListener.discard())) {
                out.put("chain-1", outcome(first, List.of()));
                List<String> lines = Collections.synchronizedList(new ArrayList<>());
                try (RunResult second = sandbox.run(first.rootfs(), sh("cat /chain/a; rm /chain/a /base/keep;"
                        + " echo 3 > /chain/c"), (stream, line) -> lines.add(line))) {
                    out.put("chain-2", outcome(second, lines));
                }
            }

            // File capabilities: set on a new file and on a base file (a copy-up equal in all else), then removed
            // by a later step. The host's setcap and its libraries are bound in (busybox has no setcap).
            List<SandboxMount> setcap = List.of(
                    new SandboxMount.Bind(Path.of("/"), "usr/sbin/setcap", "/setcap", false),
                    new SandboxMount.Bind(Path.of("/"), "usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", false),
                    new SandboxMount.Bind(Path.of("/"), "usr/lib/x86_64-linux-gnu", "/lib64", false));
            out.put("caps-base", run(sandbox, rootfs, sh("/getcap /usr/capped").withMounts(List.of(
                    new SandboxMount.Bind(Path.of("/"), "usr/sbin/getcap", "/getcap", false), setcap.get(1), setcap.get(2)))));
            List<String> setcapOutput = Collections.synchronizedList(new ArrayList<>());
            try (RunResult first = sandbox.run(rootfs, sh("set -e; cp /bin/busybox /new-cap;"
                    + " /setcap cap_net_raw+ep /new-cap; /setcap cap_net_bind_service=eip /bin/busybox")
                    .withMounts(setcap), (stream, line) -> setcapOutput.add(line))) {
                out.put("caps-1", capabilities(first, setcapOutput));
                try (RunResult second = sandbox.run(first.rootfs(), sh("/setcap -r /new-cap").withMounts(setcap),
                        (stream, line) -> setcapOutput.add(line))) {
                    out.put("caps-2", capabilities(second, setcapOutput));
                }
            }

            // Names the command makes itself, not UTF-8 and non-ASCII UTF-8, then deleted by a second step; the
            // layers are kept as tar files for the checks to read their bytes with GNU tar.
            Outcome rawNames = bounded(() -> {
                try (RunResult first = sandbox.run(rootfs, sh(RAW_NAMES), OutputListener.discard())) {
                    out.put("raw-names-1", outcome(first, List.of(), root.resolve("raw-names-1.tar")));
                    try (RunResult second = sandbox.run(first.rootfs(), sh("rm \"/raw/$(printf 'bad\\377\\376name')\""
                            + " && rm -r \"/raw/$(printf 'caf\\303\\251')\""), OutputListener.discard())) {
                        return outcome(second, List.of(), root.resolve("raw-names-2.tar"));
                    }
                } catch (IOException | RuntimeException e) {
                    return new Outcome(-1, List.of(), List.of(), "", Map.of(), e.toString());
                }
            });
            out.put("raw-names-2", rawNames);
            out.putIfAbsent("raw-names-1", rawNames);

            // A read-write bind of a FIFO: its copy must not open it (the open would wait for a writer forever).
            ExternalTool.command("mkfifo", context.resolve("pipe").toString()).runSuccessfully();
            out.put("bind-rw-fifo", bounded(() -> run(sandbox, rootfs, sh("test -p /mnt/p && echo fifo")
                    .withMounts(List.of(new SandboxMount.Bind(context, "pipe", "/mnt/p", true))))));
        } finally {
            sandbox.delete(base);
            sandbox.close();
        }
        return out;
    }

    /** Made by the shell (printf writes the bytes), so the names do not depend on any Java mapping. */
    static final String RAW_NAMES = String.join("; ",
            "set -e",
            "mkdir /raw && cd /raw",
            "B=$(printf 'bad\\377\\376name') && C=$(printf 'caf\\303\\251')",
            "echo bad > \"$B\"",
            "mkdir \"$C\" && echo in > \"$C/$B\"",
            "ln -s \"$(printf '../t\\377')\" \"$C/link\"",
            "ln -s \"$(printf 't\\376')\" \"$(printf 'l\\377')\"",
            "ln \"$B\" \"$(printf 'h\\377')\"",
            "mkfifo \"$(printf 'p\\377')\"");

    /** A scenario that must end within a minute: the thread is interrupted then, which kills the command. */
    static Outcome bounded(Callable<Outcome> scenario) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<Outcome> future = thread.submit(scenario);
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Outcome(-1, List.of(), List.of(), "", Map.of(), "timed out after 60 s");
        } finally {
            thread.shutdownNow();
        }
    }

    static ProcessSpec sh(String script) {
        return ProcessSpec.of("/bin/sh", "-c", script);
    }

    static Outcome run(Sandbox sandbox, Rootfs rootfs, ProcessSpec spec) throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (RunResult r = sandbox.run(rootfs, spec, (stream, line) -> lines.add(line))) {
            return outcome(r, lines);
        } catch (SandboxException e) {
            return new Outcome(-1, lines, List.of(), "", Map.of(), e.getMessage());
        }
    }

    static Outcome outcome(RunResult r, List<String> lines) throws IOException {
        return outcome(r, lines, null);
    }

    /** With {@code tar} set, the layer is kept there (uncompressed). */
    static Outcome outcome(RunResult r, List<String> lines, Path tar) throws IOException {
        LayerResult layer;
        try (OutputStream sink = tar == null ? OutputStream.nullOutputStream() : Files.newOutputStream(tar)) {
            layer = new LayerWriter(LayerWriter.Options.defaults().withCompression(Compression.NONE)
                    .withSourceDateEpoch(EPOCH)).write(r.changes(), sink);
        }
        return new Outcome(r.exitCode(), new ArrayList<>(lines), listing(r.changes()), layer.diffId(), r.timings(),
                null);
    }

    /** The outcome with, as its output, each written regular file and its file capabilities in hex (or "none"). */
    static Outcome capabilities(RunResult r, List<String> commandOutput) throws IOException {
        Outcome o = outcome(r, List.of());
        if (r.exitCode() != 0) {
            return new Outcome(r.exitCode(), List.of(), o.listing(), o.diffId(), o.timings(),
                    "exit " + r.exitCode() + ": " + commandOutput);
        }
        List<String> caps = new ArrayList<>();
        for (LayerEntry e : r.changes()) {
            if (e instanceof LayerEntry.RegularFile f) {
                byte[] value = f.attributes().xattrs().get("security.capability");
                caps.add(f.path() + " " + (value == null ? "none" : HexFormat.of().formatHex(value)));
            }
        }
        Collections.sort(caps);
        return new Outcome(o.exitCode(), caps, o.listing(), o.diffId(), o.timings(), o.error());
    }

    /** One line per entry: kind, path, mode, owner and content hash or link target. */
    static List<String> listing(List<LayerEntry> entries) throws IOException {
        List<String> out = new ArrayList<>();
        for (LayerEntry e : entries) {
            String kind = e.getClass().getSimpleName();
            String base = kind + " " + e.path() + " " + Integer.toOctalString(e.attributes().mode()) + " "
                    + e.attributes().uid() + ":" + e.attributes().gid();
            if (e instanceof LayerEntry.RegularFile f) {
                base += " " + f.size() + " " + sha(f);
            } else if (e instanceof LayerEntry.Symlink s) {
                base += " -> " + s.target();
            } else if (e instanceof LayerEntry.Hardlink h) {
                base += " => " + h.target();
            } else if (e instanceof LayerEntry.Whiteout || e instanceof LayerEntry.OpaqueWhiteout) {
                base = kind + " " + e.path();
            }
            out.add(base);
        }
        Collections.sort(out);
        return out;
    }

    private static String sha(LayerEntry.RegularFile f) throws IOException {
        try (InputStream in = f.content().open()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(in.readAllBytes());
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

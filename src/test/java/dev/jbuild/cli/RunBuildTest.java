package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.image.Digest;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Bytes;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds with RUN steps on a busybox base and reads the flattened result back. */
@Integration
class RunBuildTest {

    @TempDir
    Path temp;

    Path context;
    BusyboxImage busybox;

    @BeforeEach
    void setUp() throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "from the context\n");
    }

    private CliTest.Result build(String dockerfile, String... extra) throws Exception {
        return RootfsBuild.build(temp, busybox, context, dockerfile, extra);
    }

    private Map<String, LayerEntry> rootfs(Map<String, String> text) throws Exception {
        return RootfsBuild.rootfs(temp, text);
    }

    @Test
    void runChangesTheFilesystemAsTheImagesUsers() throws Exception {
        CliTest.Result result = build(TestResources.text(RunBuildTest.class, "runChangesTheFilesystemAsTheImagesUsers.Dockerfile"));
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> fs = rootfs(text);
        assertEquals("hello from the context\n", text.get("built.txt"));
        assertEquals(04755, fs.get("built.txt").attributes().mode());
        assertEquals(1000, fs.get("data/sub").attributes().uid());
        assertFalse(fs.containsKey("bin/ls"), "deleted files are gone");
        assertFalse(fs.containsKey("home/app"), "deleted directories are gone");
        assertTrue(fs.containsKey("bin/cat"));
        assertEquals("/built.txt", ((LayerEntry.Symlink) fs.get("link")).target());
        assertTrue(fs.get("hard") instanceof LayerEntry.Hardlink || fs.get("built.txt") instanceof LayerEntry.Hardlink);
        assertEquals("HOME=/root\n", text.get("heredoc.txt"));
        assertEquals("1000\n", text.get("tmp/uid.txt"));
        assertEquals("/work\n", text.get("tmp/pwd.txt"));
        assertEquals(1000, fs.get("tmp/uid.txt").attributes().uid());
    }

    /**
     * A RUN's groups are runc's, as BuildKit runs it: the primary gid is always among them, the groups
     * listing the user only when USER names no group; HOME is "/" for a user passwd lacks, root too.
     */
    @Test
    void runHasThePrimaryGroupAmongItsGroupsAndHomeSlashWithoutPasswd() throws Exception {
        CliTest.Result result = build("""
                FROM busybox
                RUN echo 'staff:x:50:app' >> /etc/group && grep Groups /proc/self/status > /root-groups
                USER app
                RUN grep Groups /proc/self/status > /tmp/app-groups
                USER app:daemon
                RUN grep Groups /proc/self/status > /tmp/named-group
                USER 1234:5678
                RUN grep Groups /proc/self/status > /tmp/numeric
                USER 0
                RUN rm /etc/passwd
                RUN echo "$HOME" > /home-without-passwd
                """);
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals("Groups:\t0 \n", text.get("root-groups"));
        assertEquals("Groups:\t50 1000 \n", text.get("tmp/app-groups"));
        assertEquals("Groups:\t1 \n", text.get("tmp/named-group"));
        assertEquals("Groups:\t5678 \n", text.get("tmp/numeric"));
        assertEquals("/\n", text.get("home-without-passwd"));
    }

    /** A RUN sees a read-only /sys, as under runc, with the host's network or its own; nothing of it stays in the layer. */
    @Test
    void runSeesAReadOnlySys() throws Exception {
        CliTest.Result result = build("""
                FROM busybox
                RUN ls /sys/class > /host-net.txt && (touch /sys/x 2>/dev/null && echo writable || echo read-only) > /sys-ro.txt
                RUN --network=none ls /sys/class/net > /own-net.txt
                """);
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> fs = rootfs(text);
        assertTrue(text.get("host-net.txt").contains("net\n"), text.get("host-net.txt"));
        assertEquals("read-only\n", text.get("sys-ro.txt"));
        assertEquals("lo\n", text.get("own-net.txt"), "a network namespace of its own has only lo");
        assertFalse(fs.keySet().stream().anyMatch(p -> p.startsWith("sys/")), fs.keySet().toString());
    }

    /**
     * A hard link a RUN made is, for COPY --from, the file it named in that layer: replacing the target by a
     * rename, or removing it, in a later RUN leaves the link as a RUN (and the extracted stage) sees it.
     */
    @Test
    void copyFromReadsAHardLinkAsTheStageHasItAfterItsTargetIsReplacedOrRemoved() throws Exception {
        CliTest.Result result = build("""
                FROM busybox AS renamed
                RUN echo v1 > /a && ln /a /b
                RUN echo new > /a.tmp && mv /a.tmp /a
                FROM busybox AS removed
                RUN echo v1 > /a && ln /a /b
                RUN rm /a
                FROM busybox
                COPY --from=renamed /b /renamed
                COPY --from=removed /b /removed
                """);
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals("v1\n", text.get("renamed"));
        assertEquals("v1\n", text.get("removed"), "once: COPY failed: /b: no such file or directory");
    }

    /** The base and three COPY layers under one RUN: unpacked together, all visible, in order. */
    @Test
    void aRunSeesEveryLayerUnderItUnpackedInOneGo() throws Exception {
        Files.writeString(context.resolve("b.txt"), "b\n");
        CliTest.Result result = build("""
                FROM busybox
                COPY a.txt /one/a.txt
                COPY b.txt /one/b.txt
                COPY b.txt /one/a.txt
                RUN cat /one/a.txt /one/b.txt > /joined && ls /bin/busybox
                """, "--progress=plain");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("unpacking 4 layers ("), "one agent for the base and the COPY layers: " + result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals("b\nb\n", text.get("joined"), "the later COPY of /one/a.txt wins, as the layer order says");
    }

    @Test
    void addHostPutsLinesIntoEveryRunsEtcHosts() throws Exception {
        CliTest.Result result = build("""
                FROM busybox
                RUN cp /etc/hosts /hosts.txt
                """, "--add-host", "db.internal:10.1.2.3", "--add-host=v6=[::1],cache:192.168.0.9");
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        String hosts = text.get("hosts.txt");
        assertTrue(hosts.startsWith("127.0.0.1\tlocalhost\n"), hosts);
        assertTrue(hosts.endsWith("10.1.2.3\tdb.internal\n::1\tv6\n192.168.0.9\tcache\n"), hosts);

        CliTest.Result bad = build("FROM busybox\nRUN true\n", "--add-host", "db:not-an-address");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("invalid --add-host db:not-an-address: invalid IP address not-an-address"), bad.err());
        CliTest.Result gateway = build("FROM busybox\nRUN true\n", "--add-host", "h:host-gateway");
        assertEquals(2, gateway.exitCode(), gateway.err());
        assertTrue(gateway.err().contains("host-gateway is not implemented yet"), gateway.err());
    }

    /** /proc/self/limits rows, blanks squeezed: "Max open files 1024 2048 files". */
    private static List<String> limitRows(String procLimits, String... labels) {
        return procLimits.lines().map(l -> l.replaceAll("\\s+", " ").strip())
                .filter(l -> Arrays.stream(labels).anyMatch(label -> l.startsWith(label + " "))).toList();
    }

    @Test
    void ulimitSetsTheLimitsOfEveryRun() throws Exception {
        CliTest.Result result = build("""
                FROM busybox
                RUN ulimit -n > /soft.txt && ulimit -Hn > /hard.txt
                RUN cat /proc/self/limits > /limits.txt
                """, "--ulimit", "nofile=1024:2048", "--ulimit=core=-1", "--ulimit", "nproc=512",
                "--ulimit", "stack=4194304:unlimited");
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals("1024\n", text.get("soft.txt"));
        assertEquals("2048\n", text.get("hard.txt"));
        assertEquals(List.of("Max stack size 4194304 unlimited bytes", "Max core file size unlimited unlimited bytes",
                "Max processes 512 512 processes", "Max open files 1024 2048 files"),
                limitRows(text.get("limits.txt"), "Max stack size", "Max core file size", "Max processes", "Max open files"));

        // Refused as the other flags are: exit code 2, the flag and its value named.
        Map<String, String> refused = Map.of(
                "nofile=2048:1024", "invalid --ulimit nofile=2048:1024: the soft limit 2048 is above the hard limit 1024",
                "nofiles=1", "invalid --ulimit nofiles=1: unknown limit nofiles (one of core, cpu, data,",
                "nofile=lots", "invalid --ulimit nofile=lots: invalid number lots",
                "nofile=-1:1024", "invalid --ulimit nofile=-1:1024: the soft limit is unlimited but the hard limit is 1024",
                "nofile", "invalid --ulimit nofile: want NAME=SOFT[:HARD]");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            CliTest.Result r = build("FROM busybox\nRUN true\n", "--ulimit", bad.getKey());
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains(bad.getValue()), r.err());
        }
    }

    @Test
    void shmSizeSizesEveryRunsDevShm() throws Exception {
        CliTest.Result result = build("""
                FROM busybox
                RUN df -k /dev/shm | tail -n 1 > /df.txt && grep ' /dev/shm ' /proc/mounts > /mounts.txt
                """, "--shm-size", "256m");
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals("262144", text.get("df.txt").strip().split("\\s+")[1], text.get("df.txt"));
        assertTrue(text.get("mounts.txt").contains("tmpfs rw,nosuid,nodev,noexec,relatime,size=262144k"), text.get("mounts.txt"));

        CliTest.Result bad = build("FROM busybox\nRUN true\n", "--shm-size", "12x");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("invalid --shm-size 12x: want bytes, or a number with b, k, m, g"), bad.err());
    }

    /**
     * Both flags are in a RUN's cache key when given, so another value runs the step again; when absent (or
     * --shm-size 0, buildx's "not given") the key is the one of a build without them.
     */
    @Test
    void ulimitAndShmSizeAreInTheRunCacheKeyOnlyWhenGiven() throws Exception {
        String dockerfile = "FROM busybox\nRUN echo ran-$((20 + 22))\n";
        Function<String[], Boolean> runs = flags -> {
            try {
                List<String> args = new ArrayList<>(List.of("--progress=plain"));
                args.addAll(List.of(flags));
                CliTest.Result r = build(dockerfile, args.toArray(String[]::new));
                assertEquals(0, r.exitCode(), r.err());
                return r.err().contains("ran-42");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        assertTrue(runs.apply(new String[0]), "the first build runs the step");
        assertTrue(runs.apply(new String[] {"--ulimit", "nofile=1024:2048"}), "a limit: another key");
        assertTrue(runs.apply(new String[] {"--ulimit", "nofile=1024:4096"}), "another value: another key");
        assertFalse(runs.apply(new String[] {"--ulimit", "nofile=1024:2048"}), "the same value: the same key");
        assertFalse(runs.apply(new String[] {"--ulimit", "nofile=1024:2048", "--ulimit", "nofile=1024:2048"}),
                "a repeated value is one limit");
        assertTrue(runs.apply(new String[] {"--shm-size", "64m"}), "a size: another key");
        assertTrue(runs.apply(new String[] {"--shm-size", "128m"}), "another size: another key");
        assertFalse(runs.apply(new String[] {"--shm-size", "134217728"}), "the same size in bytes: the same key");
        assertFalse(runs.apply(new String[] {"--shm-size", "0"}), "0 is the default: the key of no flag");
        assertFalse(runs.apply(new String[0]), "without the flags: the first build's key");
    }

    @Test
    void aFailingRunNamesTheLineTheExitCodeAndTheOutput() throws Exception {
        CliTest.Result result = build("FROM busybox\nRUN echo about to fail && exit 3\n");
        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("Dockerfile:2: RUN failed"), result.err());
        assertTrue(result.err().contains("exit code: 3"), result.err());
        assertTrue(result.err().contains("about to fail"), result.err());
    }

    /**
     * mode=max provenance lists the secrets and SSH agents the RUN mounts used, as BuildKit takes them from its exec
     * ops: not the {@code --secret} flags, {@code optional} unless a mount requires it, no list when none.
     */
    @Test
    void provenanceNamesTheSecretsAndSshAgentsTheMountsUsedNotTheFlags() throws Exception {
        Path secret = Files.writeString(temp.resolve("tok"), "value-never-in-provenance");
        Files.writeString(context.resolve("Dockerfile"), """
                FROM busybox
                RUN --mount=type=secret,id=tok --mount=type=secret,id=opt,required=false --mount=type=ssh,id=git true
                RUN --mount=type=secret,id=tok,required=true true
                """);
        Path out = temp.resolve("out");
        CliTest.Result result = CliTest.run("build", "--root", temp.resolve("store").toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                "-o", "type=local,dest=" + out, "--provenance=mode=max", "--secret", "id=tok,src=" + secret,
                "--secret", "id=unused,src=" + secret, context.toString());
        assertEquals(0, result.exitCode(), result.err());
        var parameters = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("provenance.json").toFile())
                .at("/predicate/invocation/parameters");
        assertEquals("[{\"id\":\"opt\",\"optional\":true},{\"id\":\"tok\"}]", parameters.get("secrets").toString());
        assertEquals("[{\"id\":\"git\",\"optional\":true}]", parameters.get("ssh").toString());

        Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN true\n");
        CliTest.Result none = CliTest.run("build", "--root", temp.resolve("store").toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0",
                "-o", "type=local,dest=" + temp.resolve("none"), "--provenance=mode=max", "--secret", "id=tok,src=" + secret,
                context.toString());
        assertEquals(0, none.exitCode(), none.err());
        var empty = new com.fasterxml.jackson.databind.ObjectMapper().readTree(temp.resolve("none/provenance.json").toFile())
                .at("/predicate/invocation/parameters");
        assertFalse(empty.has("secrets") || empty.has("ssh"), "no mounts: no lists, as BuildKit: " + empty);
    }

    @Test
    void secretsAreMountedButLeaveNoTrace() throws Exception {
        String value = "s3cr3t-" + System.nanoTime();
        Path secret = temp.resolve("token");
        Files.writeString(secret, value);
        CliTest.Result withArg = build("""
                FROM busybox
                ARG EXPECTED
                RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" = "$EXPECTED" && echo used > /used.txt
                """, "--secret", "id=token,src=" + secret, "--build-arg", "EXPECTED=" + value.substring(0, 7) + "x");
        assertEquals(1, withArg.exitCode(), "a wrong expectation fails: the secret really is mounted");
        CliTest.Result right = build("""
                FROM busybox
                ARG EXPECTED
                RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" = "$EXPECTED"
                """, "--secret", "id=token,src=" + secret, "--build-arg", "EXPECTED=" + value);
        assertEquals(0, right.exitCode(), right.err());
        CliTest.Result ok = build("""
                FROM busybox
                RUN --mount=type=secret,id=token cp /run/secrets/token /dev/null && echo used > /used.txt
                """, "--secret", "id=token,src=" + secret);
        assertEquals(0, ok.exitCode(), ok.err());
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> fs = rootfs(text);
        assertEquals("used\n", text.get("used.txt"));
        assertFalse(fs.containsKey("run/secrets/token"));
        byte[] needle = value.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(temp.resolve("store"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Bytes.contains(Files.readAllBytes(file), needle), "secret found in " + file);
            }
        }
        assertFalse(ok.err().contains(value) || ok.out().contains(value));
    }

    /** {@code env=}: the secret is the command's variable, no file (unless a target is given), and leaves no trace. */
    @Test
    void aSecretCanBeAVariableOfTheCommand() throws Exception {
        String value = "t0k3n-" + System.nanoTime();
        Path secret = Files.writeString(temp.resolve("env-token"), value);
        // The value is not in the Dockerfile (a RUN's text is in the image's history): its digest is compared.
        CliTest.Result result = build("""
                FROM busybox
                ENV TOKEN=not-the-secret
                RUN --mount=type=secret,id=tok,env=TOKEN test ! -e /run/secrets/tok && printf %s "$TOKEN" | sha256sum > /sum.txt
                RUN --mount=type=secret,id=tok,env=ALSO,target=/tok test "$ALSO" = "$(cat /tok)" && echo "$TOKEN" > /after.txt
                RUN --mount=type=secret,id=absent,env=ABSENT test -z "${ABSENT+set}" && echo unset > /absent.txt
                """, "--secret", "id=tok,src=" + secret);
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals(Digest.of(value.getBytes(StandardCharsets.UTF_8)).hex() + "  -\n", text.get("sum.txt"));
        assertEquals("not-the-secret\n", text.get("after.txt"), "the image's ENV is untouched");
        assertEquals("unset\n", text.get("absent.txt"), "an optional secret the build lacks is no variable");
        byte[] needle = value.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(temp.resolve("store"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Bytes.contains(Files.readAllBytes(file), needle), "secret found in " + file);
            }
        }
        CliTest.Result required = build("FROM busybox\nRUN --mount=type=secret,id=none,env=X,required true\n");
        assertEquals(1, required.exitCode());
        assertTrue(required.err().contains("secret none not found"), required.err());
    }

    /**
     * A bind mount of the context shows it as {@code .dockerignore} leaves it, as in BuildKit: an ignored secret is
     * not there, an ignored directory cannot be mounted, and changing an ignored file keeps the step cached.
     */
    @Test
    void aBindMountOfTheContextLeavesOutWhatDockerignoreIgnores() throws Exception {
        Files.writeString(context.resolve("secret.env"), "TOKEN=1\n");
        Files.createDirectories(context.resolve("node_modules/pkg"));
        Files.writeString(context.resolve("node_modules/pkg/index.js"), "x\n");
        Files.createDirectories(context.resolve("src"));
        Files.writeString(context.resolve("src/main.txt"), "kept\n");
        Files.writeString(context.resolve(".dockerignore"), "secret.env\nnode_modules\n");
        String dockerfile = """
                FROM busybox
                RUN --mount=type=bind,target=/ctx ls -a /ctx > /listing.txt && cat /ctx/src/main.txt > /main.txt
                RUN --mount=type=bind,source=src,target=/s,rw echo changed > /s/main.txt && cat /s/main.txt > /written.txt
                """;
        CliTest.Result first = build(dockerfile);
        assertEquals(0, first.exitCode(), first.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals(List.of(".", "..", ".dockerignore", "Dockerfile", "a.txt", "src"),
                List.of(text.get("listing.txt").split("\n")), "secret.env and node_modules are ignored");
        assertEquals("kept\n", text.get("main.txt"));
        assertEquals("changed\n", text.get("written.txt"));
        assertEquals("kept\n", Files.readString(context.resolve("src/main.txt")), "a rw mount's writes stay in the step");

        Files.writeString(context.resolve("secret.env"), "TOKEN=2\n");
        CliTest.Result again = build(dockerfile);
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("2 of 2 steps cached"), again.err());

        CliTest.Result ignoredSource = build("FROM busybox\nRUN --mount=type=bind,source=node_modules,target=/nm ls /nm\n");
        assertEquals(1, ignoredSource.exitCode());
        assertTrue(ignoredSource.err().contains("bind mount source node_modules does not exist"), ignoredSource.err());
    }

    @Test
    void bindMountsFromStagesAndCacheMountsThatPersist() throws Exception {
        CliTest.Result result = build(TestResources.text(RunBuildTest.class, "bindMountsFromStagesAndCacheMountsThatPersist.Dockerfile"));
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> fs = rootfs(text);
        assertEquals("built in tools\n", text.get("copied.txt"));
        assertFalse(fs.containsKey("mnt/tool.txt"), "mounts leave nothing in the layer");
        assertEquals("from the context\n", text.get("from-context.txt"));
        assertEquals("run\n", text.get("cache-log.txt"));
        assertEquals("x\n", text.get("tmpfs.txt"));
        assertFalse(fs.containsKey("scratch/x") || fs.containsKey("cache/log"));
        CliTest.Result again = build("""
                FROM busybox
                RUN --mount=type=cache,target=/cache echo run >> /cache/log && cp /cache/log /cache-log.txt
                """);
        assertEquals(0, again.exitCode(), again.err());
        text.clear();
        rootfs(text);
        assertEquals("run\nrun\n", text.get("cache-log.txt"), "the cache mount persists across builds");
    }

    /**
     * With --no-cache, BuildKit gives cache mounts an empty directory for the build: shared by its RUNs, gone
     * afterwards, and the store's cache mounts untouched for the builds that use the cache.
     */
    @Test
    void noCacheGivesCacheMountsAnEmptyDirectoryForTheBuild() throws Exception {
        String dockerfile = """
                FROM busybox
                RUN --mount=type=cache,target=/c,mode=0777 echo a >> /c/log && wc -l < /c/log > /first
                USER app
                RUN --mount=type=cache,target=/c,mode=0777 echo b >> /c/b && cat /c/log /c/b > /tmp/second
                """;
        Map<String, String> text = new HashMap<>();
        for (String[] flags : List.of(new String[0], new String[] {"--no-cache"}, new String[] {"--no-cache"})) {
            CliTest.Result result = build(dockerfile, flags);
            assertEquals(0, result.exitCode(), result.err());
            assertFalse(result.err().contains("could not remove"), result.err());
            text.clear();
            rootfs(text);
            assertEquals("1\n", text.get("first"), String.join(" ", flags));
            assertEquals("a\nb\n", text.get("tmp/second"), "the build's RUNs share the directory");
        }
        CliTest.Result cached = build("""
                FROM busybox
                RUN --mount=type=cache,target=/c cat /c/log /c/b > /third
                """);
        assertEquals(0, cached.exitCode(), cached.err());
        text.clear();
        rootfs(text);
        assertEquals("a\nb\n", text.get("third"), "the store's cache mount as the first build left it");
    }

    /** BuildKit's {@code ro} on cache and tmpfs mounts, and tmpfs sizes with go-units' units. */
    @Test
    void readOnlyCacheAndTmpfsMountsAndTmpfsSizesWithUnits() throws Exception {
        CliTest.Result result = build("""
                FROM busybox
                RUN --mount=type=cache,target=/cache echo seeded > /cache/seed
                RUN --mount=type=cache,target=/cache,ro cat /cache/seed > /seed.txt \\
                    && (touch /cache/x 2>/dev/null && echo writable || echo read-only) > /cache-ro.txt
                RUN --mount=type=tmpfs,target=/t,size=1m grep ' /t ' /proc/mounts > /tmpfs-mount.txt
                RUN --mount=type=tmpfs,target=/t,ro (touch /t/x 2>/dev/null && echo writable || echo read-only) > /tmpfs-ro.txt
                """);
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        assertEquals("seeded\n", text.get("seed.txt"));
        assertEquals("read-only\n", text.get("cache-ro.txt"));
        assertTrue(text.get("tmpfs-mount.txt").contains("size=1024k"), text.get("tmpfs-mount.txt"));
        assertEquals("read-only\n", text.get("tmpfs-ro.txt"));
    }

    @Test
    void secretsMayComeFromTheEnvironment() throws Exception {
        // A bare id reads the environment variable of that name; PATH is always set.
        CliTest.Result result = build("""
                FROM busybox
                RUN --mount=type=secret,id=PATH test "$(cat /run/secrets/PATH)" = "%s"
                """.formatted(System.getenv("PATH")), "--secret", "id=PATH");
        assertEquals(0, result.exitCode(), result.err());
        try (var tmp = Files.list(temp.resolve("store/tmp"))) {
            assertEquals(List.of(), tmp.filter(p -> p.getFileName().toString().startsWith("secrets")).toList(),
                    "the file holding the value is removed");
        }
    }

    @Test
    void networkNoneHasOnlyLoopback() throws Exception {
        CliTest.Result result = build("FROM busybox\nRUN --network=none cat /proc/net/dev > /net.txt\n"
                + "RUN cat /proc/net/dev > /host-net.txt\n");
        assertEquals(0, result.exitCode(), result.err());
        Map<String, String> text = new HashMap<>();
        rootfs(text);
        List<String> interfaces = text.get("net.txt").lines().filter(l -> l.contains(":"))
                .map(l -> l.substring(0, l.indexOf(':')).strip()).toList();
        assertEquals(List.of("lo"), interfaces);
        assertTrue(text.get("host-net.txt").lines().filter(l -> l.contains(":")).count() >= interfaces.size(),
                "the default network is the host's");
    }

}

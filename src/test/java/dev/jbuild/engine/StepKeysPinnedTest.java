package dev.jbuild.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.jbuild.context.DockerIgnore;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.cache.BuildCache;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.engine.stage.StageSources;
import dev.jbuild.engine.step.Step;
import dev.jbuild.engine.step.StepContext;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.PlanOptions;
import dev.jbuild.plan.Planner;
import dev.jbuild.sandbox.HostEntry;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.store.Store;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache keys of every kind of step, pinned: the values were computed by the build before steps owned
 * their keys (when {@code StepKeys} derived every kind's key and {@code StageExecutor} chose the kind), so
 * moving key code between classes cannot silently invalidate existing cache records. Steps that need no
 * sandbox are keyed by a real build (each record's key by the instruction its history names); RUN, which
 * would need one, is keyed without running, as {@code step.RunMountKeysTest} does. Re-pinned on purpose when
 * {@code FROM scratch} gained BuildKit's {@code WorkingDir "/"} (every config key below it changed) and ONBUILD
 * lost its history entry, so its record.
 */
class StepKeysPinnedTest {

    @TempDir
    Path temp;

    /** One of every step kind and of the flags that enter a key, in a two-stage build. */
    private static final String DOCKERFILE = TestResources.text(StepKeysPinnedTest.class, "Dockerfile");

    /** Instruction as written (a history's created_by) → the key of its cache record. */
    private static final Map<String, String> BUILT = new TreeMap<>();

    static {
        BUILT.put("ADD $URL /downloaded",
                "9a869a93521f284a74cb7c94747ecdc6cccbf9ca9d7c53b73216814c7142ba68");
        BUILT.put("ADD --checksum=sha256:30031a9831674dd684c3817399acebc88a116ce5a7a3fbc0cf34d92521a534e6 $URL /checked",
                "90cd62161dcb22e3e9755814c93486710be891920405894eafe0d0e951d1efec");
        BUILT.put("ADD --chown=1000 --chmod=755 b.txt /added",
                "bf9ab3a1bf35b406ea80e245d35e9b2b0579edce5323d58ad3bdd854af3130ef");
        BUILT.put("ADD archive.tar /unpacked/",
                "0d53518a4703d067b168021c41b1508d4dd4b9087079b7484f203c0b0924b33b");
        BUILT.put("ARG URL",
                "3b8e5259d770f2620c769b353c744410479c2138b56c12f7c5236b57417f092d");
        BUILT.put("ARG V=1",
                "620ea853066ae3114f196787b52fc040a5f965b3a8d9ceda0d8f56ce3f46c2f4");
        BUILT.put("CMD [\"serve\"]",
                "ab49008f137fc1869fc4dbe6757ea43ff66012d09c6fb648c3626a4d2d534dbf");
        BUILT.put("COPY --chmod=0600 dir /dir",
                "ab1a1327235f1d2cd37ebaf1de1467e3a0fc8615449e1f54feed95f3ea69f06c");
        BUILT.put("COPY --chown=1234:50 <<EOF /heredoc",
                "ea2fb95992d5c95c1db094b0c57284e6b8f57cc84a1942a277576a5c4581ece7");
        BUILT.put("COPY --exclude=*.md --exclude=inner dir /excluded",
                "a852c0f7fbae13aaaa8975ca562d316c3457b423f42f1ce5048bb5e1a39af8ab");
        BUILT.put("COPY --from=one --chown=app:staff --chmod=640 /a.txt from-one",
                "924df561a01dbb7955b474d389c6e323e9510080e7ca301513d5ea0ee9f5b1d2");
        BUILT.put("COPY --from=one /dir /from-dir/",
                "ef882cf8168a4389f92b8a8ce6308d06d745567dd464bfe379048f19743a8149");
        BUILT.put("COPY --link a.txt /linked",
                "e7792362303628d93df147e771258a7f9a4d03a53cec08459d4ca83d9bb1b6c9");
        BUILT.put("COPY <<'EOT' b.txt /quoted/",
                "a9339cd3b17d979244a3f850299b1da680bcb246e3a8a403954aafc433defcff");
        BUILT.put("COPY a.txt /a.txt",
                "95ce96207af813b152b5234d2a7d9ef05b4637878836425276ff48a705590e2c");
        BUILT.put("COPY passwd group /etc/",
                "5c8429e9a5c8bfb3d71cfea56fdebf36c6b2fac181963a30e5b296f2d7ebfd65");
        BUILT.put("ENTRYPOINT /bin/app",
                "400c9c4aceaa1c2e84a606b419983160e6ee896e9faddb0b6c59ecc4ded03e84");
        BUILT.put("ENV A=1 B=\"two words\" C=$V",
                "715b2f1f6bf326d19c31139e33e83386d6dc73d3af72c9cc25f33d6a85124873");
        BUILT.put("EXPOSE 80/tcp 443",
                "e85d9ac5ac3311afa73a7df4e0b482ed3c130fe501339fbf263d87e9e4c9005e");
        BUILT.put("HEALTHCHECK --interval=5s CMD true",
                "473b59c6e8eacfcae0d8f3b7d5d782b466141d620236942cbf2cb2a1ade0e193");
        BUILT.put("LABEL org.example.x=y \"quoted key\"=\"v w\"",
                "74b51c7784217e7e288642861c2071193a0f1d791d226db9582ac0ec262f93c1");
        BUILT.put("MAINTAINER someone",
                "0b7543a46c8449708115a9a6be3c954c2bb5c10ac521677801805e27721cb944");
        BUILT.put("SHELL [\"/bin/bash\", \"-c\"]",
                "0c5b68c656ec04a90670c1019d277749f3d4872de522d83f8d97303c5862d1bf");
        BUILT.put("STOPSIGNAL SIGTERM",
                "703c147a1ebd6b6064e5200792bb55bc90ac11e1caff01082b5c6857e0865036");
        BUILT.put("USER app",
                "de118177b0a9d1617a554936063b0c0bc4bafeb6d15d04c16525c48546448514");
        BUILT.put("VOLUME /data",
                "55df3023dc6be084d39d570b776471a4536e3eb53ea6d95b662cef4724d84f19");
        BUILT.put("WORKDIR /work",
                "7f40d378988447d88cf605ed1e8d24f155338be35ab20674aec81cfa44f7c22f");
        BUILT.put("WORKDIR sub",
                "b1175654c50e49fb6de32b5e32ca2958e4866f70248546eb0037f7a424b37fd4");
    }

    @Test
    @Integration // a build, and ADD from a local HTTP server
    void keysOfBuiltStepsAreTheOnesOfBefore() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        BuildFixture fixture = new BuildFixture(context, temp.resolve("store"));
        fixture.file("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n")
                .file("group", "root:x:0:\nstaff:x:50:app\napp:x:1001:\n")
                .file("a.txt", "A\n")
                .file("b.txt", "B\n")
                .file("dir/x", "X\n")
                .file("dir/readme.md", "md\n")
                .file("dir/inner/y.txt", "Y\n");
        writeTar(context.resolve("archive.tar"));
        fixModes(context);
        byte[] download = "downloaded\n".getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/file.txt", exchange -> {
            exchange.sendResponseHeaders(200, download.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(download);
            }
        });
        server.start();
        try {
            // The URL comes from an ARG so that the server's port is in no key.
            fixture.buildArgs = Map.of("URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/file.txt");
            fixture.sourceDateEpoch = Instant.parse("2024-01-02T03:04:05Z");
            fixture.build(DOCKERFILE);
        } finally {
            server.stop(0);
        }
        Map<String, String> actual = new TreeMap<>();
        Path records = temp.resolve("store/cache/records");
        try (Stream<Path> files = Files.list(records)) {
            for (Path record : files.toList()) {
                BuildCache.Entry entry = BuildCache.parse(Files.readAllBytes(record));
                actual.put(entry.history().createdBy(), record.getFileName().toString());
            }
        }
        assertEquals(BUILT, actual);
    }

    /** Instruction → its key on top of {@link #PARENT}, with the request set up in {@link #runKey}. */
    private static final Map<String, String> RUNS = new TreeMap<>();

    static {
        RUNS.put("RUN --mount=type=bind,source=a.txt,target=/a cat /a (plain)",
                "08dc2dcb0e867b66321ec996400ce4286a22e723a45adcdfc13ffb89f2af0a78");
        RUNS.put("RUN --mount=type=bind,source=a.txt,target=/a cat /a (with host, ulimit, shm)",
                "57009835d1c0d3f5fdb5bcb4e9aca8a1377edfc81428fbed077faa5e9b8b332c");
        RUNS.put("RUN --mount=type=cache,target=/c,sharing=private make (plain)",
                "49619403b988bd1b5ff957f9b628e8cffb53e2097b0100beb376ac5221a42781");
        RUNS.put("RUN --mount=type=cache,target=/c,sharing=private make (with host, ulimit, shm)",
                "ec5d2a4c48620f6331b8c1fe7d381612b413906378e2aef04296825546e9ab8b");
        RUNS.put("RUN --mount=type=secret,id=token --mount=type=secret,id=absent cat /run/secrets/token (plain)",
                "ef311e74e48ba84d471c690fcf2511110085787a8043b979e21db5ef3d3776a4");
        RUNS.put("RUN --mount=type=secret,id=token --mount=type=secret,id=absent cat /run/secrets/token (with host, ulimit, shm)",
                "a9c594cd132baf1001015fe56976be1aed49ec67707078fc5b5eec23f65003e7");
        RUNS.put("RUN --mount=type=ssh,id=default ssh-add -l (plain)",
                "bfc43029e1764e672cefbbe32356cb15d61abc8cd7f5fdd7e93900a63052b2a4");
        RUNS.put("RUN --mount=type=ssh,id=default ssh-add -l (with host, ulimit, shm)",
                "2fa6c84408e98c8667ae9a325cfda76a64be9c33b821915dd7b148058544b49c");
        RUNS.put("RUN --network=host make (plain)",
                "3ed5fdb83cb4a5d1f84afdb1b5f8023737548a8b3437b399787fdee8e6b9f562");
        RUNS.put("RUN --network=host make (with host, ulimit, shm)",
                "5c8ef066951b06fedf0ed87fd9a50f3ffd28cfa0dd935bd3faf2895589e62aaa");
        RUNS.put("RUN --network=none make (plain)",
                "89dcf31d3cfc001df60188c93509b439866e74c1ac4661d4257138039da129fd");
        RUNS.put("RUN --network=none make (with host, ulimit, shm)",
                "33b9947fe376fffa07d630e827407abd4f44eb32d9d7daeac8c30250a26f69d2");
        RUNS.put("RUN <<'EOF' bash\n#!/bin/bash\necho \"$PROXY\"\nEOF (plain)",
                "ea44d19b786753216a9c4f0e2cd4e1f127d0bff62f346cf560bee24b28ce0c00");
        RUNS.put("RUN <<'EOF' bash\n#!/bin/bash\necho \"$PROXY\"\nEOF (with host, ulimit, shm)",
                "7830d6a7b8e9dbd304cfb34e55dfa8ecde73275647f6b896c4713147d1b13018");
        RUNS.put("RUN <<EOF\necho $A\nEOF (plain)",
                "11e61db5f7f6fe630e3a928b689c508163a88ba9fe906cf3aa23a7301a7b6904");
        RUNS.put("RUN <<EOF\necho $A\nEOF (with host, ulimit, shm)",
                "d07e3da2eaf3d6698bb8c76c36deab8e20ffd89da3ec650a0e694f47be0da8c5");
        RUNS.put("RUN [\"/bin/make\", \"all\"] (plain)",
                "d3921d697be42afddc85536b53411075234113db565b7bdb4ad99b3ce8bdbfde");
        RUNS.put("RUN [\"/bin/make\", \"all\"] (with host, ulimit, shm)",
                "3e2504a27620eb738fa5526f579cacc87d043bb6e5c8934d7e7fb7c071f1e8c8");
        RUNS.put("RUN make (plain)",
                "82ce08cba586baac902dc38d766acacc59968892c3aadc86fa92132d2d79c01b");
        RUNS.put("RUN make (with host, ulimit, shm)",
                "98f3bfdfd762857d31513156427ed7018faa948dc205ddb96595f58457471b45");
    }

    private static final String PARENT = "sha256:" + "cd".repeat(32);

    @Test
    void keysOfRunStepsAreTheOnesOfBefore() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "a\n");
        Path secret = temp.resolve("token");
        Files.writeString(secret, "value");
        fixModes(context);
        Map<String, String> actual = new TreeMap<>();
        String[] runs = {
            "RUN make",
            "RUN [\"/bin/make\", \"all\"]",
            "RUN --network=none make",
            "RUN --network=host make",
            "RUN --mount=type=secret,id=token --mount=type=secret,id=absent cat /run/secrets/token",
            "RUN --mount=type=ssh,id=default ssh-add -l",
            "RUN --mount=type=bind,source=a.txt,target=/a cat /a",
            "RUN --mount=type=cache,target=/c,sharing=private make",
            "RUN <<EOF\necho $A\nEOF",
            "RUN <<'EOF' bash\n#!/bin/bash\necho \"$PROXY\"\nEOF",
        };
        for (String line : runs) {
            actual.put(line + " (plain)", runKey(context, secret, line, false));
            actual.put(line + " (with host, ulimit, shm)", runKey(context, secret, line, true));
        }
        assertEquals(RUNS, actual);
    }

    private String runKey(Path context, Path secret, String line, boolean runOptions) throws Exception {
        String text = "FROM scratch\nARG V=1\nENV A=1\nUSER 1000\nWORKDIR /w\n" + line + "\n";
        Dockerfile dockerfile = DockerfileParser.parse(text, "Dockerfile");
        Platform platform = new Platform("linux", "amd64");
        BuildPlan plan = Planner.plan(dockerfile, new PlanOptions(Map.of("http_proxy", "http://proxy:3128"), null,
                platform.toString(), platform.toString(), Set.of()));
        BuildRequest request = BuildRequest.builder(dockerfile, plan, context, platform)
                .ignore(DockerIgnore.load(context, context.resolve("Dockerfile")))
                .sourceDateEpoch(Instant.parse("2024-01-02T03:04:05Z"))
                .compression(Compression.ZSTD)
                .secrets(Map.of("token", secret))
                .network("default")
                .extraHosts(runOptions ? List.of(new HostEntry("db", "10.0.0.7"), new HostEntry("cache", "::1")) : List.of())
                .ulimits(runOptions ? List.of(ResourceLimit.parse("nofile=1024:2048"), ResourceLimit.parse("nproc=512")) : List.of())
                .shmSize(runOptions ? 64L << 20 : 0)
                .build();
        Store store = Store.open(temp.resolve("store"));
        BuildSession session = new BuildSession(request, store, new BuildListener() {}, temp.resolve("scratch"),
                CacheOptions.DEFAULT, null, new AtomicInteger(), null);
        ImageState state = new ImageState(ImageConfig.forPlatform(platform), List.of(), List.of(), new FsView(), List.of());
        state.declareArg("V", "1");
        state.setEnv("A", "1");
        state.updateRunConfig(c -> c.withUser("1000").withWorkingDir("/w"));
        Instruction run = dockerfile.instructions().get(5);
        return Step.of(new StepContext(session, state, new StageSources(session, null, null), null), run).inputKey(PARENT);
    }

    /** Modes are part of keys: set them rather than take what the umask gives. */
    private static void fixModes(Path context) throws IOException {
        try (Stream<Path> walk = Files.walk(context)) {
            for (Path path : walk.toList()) {
                Files.setAttribute(path, "unix:mode", Files.isDirectory(path) ? 0755 : 0644);
            }
        }
    }

    private static void writeTar(Path file) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file))) {
            for (String name : List.of("top/", "top/file.txt", "implied/child.txt")) {
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setModTime(1_700_000_000_000L);
                entry.setMode(name.endsWith("/") ? 040755 : 0100644);
                byte[] content = name.endsWith("/") ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
    }

}

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
 * would need one, is keyed without running, as {@code step.RunMountKeysTest} does.
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
                "67c3d35477cc109077eafd0a4bd0c305cd09b8b969a5489d3c3ecd3a6a457138");
        BUILT.put("ADD --checksum=sha256:30031a9831674dd684c3817399acebc88a116ce5a7a3fbc0cf34d92521a534e6 $URL /checked",
                "4e56db0d5c47985e4c9783e5dff0a39572f1173fe605a6c2f74a76134cb53a43");
        BUILT.put("ADD --chown=1000 --chmod=755 b.txt /added",
                "0e57f2fbd5ffc5ab49f8777b72d27b365a14af24988c8fee18d6f212a905236d");
        BUILT.put("ADD archive.tar /unpacked/",
                "9dcea0b3017ba1bd0ecb135663e5c6e0739185ede225d9403d304328f5cd5d16");
        BUILT.put("ARG URL",
                "da0e791d021004b3ce600cae2ce2b4d43a0eff27e8c2f8b9c77733f684bcc25c");
        BUILT.put("ARG V=1",
                "f8e314c5055d0850667854c81d8bb43f3c4b9498f87de2cc68b31a189cf0f64e");
        BUILT.put("CMD [\"serve\"]",
                "7fbaeaa28e9602b2501ccb843e4c651c01864a4410cc37fc2a23f13b4a4fa6ce");
        BUILT.put("COPY --chmod=0600 dir /dir",
                "ab1a1327235f1d2cd37ebaf1de1467e3a0fc8615449e1f54feed95f3ea69f06c");
        BUILT.put("COPY --chown=1234:50 <<EOF /heredoc",
                "b4ec3c5e901eaaaf3b71114b865776d437fd66b5979e1e3182150e490727d78a");
        BUILT.put("COPY --exclude=*.md --exclude=inner dir /excluded",
                "8445a6a8f1f28cbcc3feb0595ed5673a7a38d5735ece59bb9d6582fec24a7172");
        BUILT.put("COPY --from=one --chown=app:staff --chmod=640 /a.txt from-one",
                "c4d855b593e5577d3a9848f88c9f0313fac3b15910a2937615bd267c1861df72");
        BUILT.put("COPY --from=one /dir /from-dir/",
                "98fcda563caf2d05996e16c1986b6a9f8959cc515d8008a4eef5c1cfbe51241a");
        BUILT.put("COPY --link a.txt /linked",
                "e29f2e2d34fb997a810e9de89fae840380ea88090d71bbc7bd10746dc6c1b832");
        BUILT.put("COPY <<'EOT' b.txt /quoted/",
                "c6f78e34cc254b486d23a48e6be04833b711ad525641a15852ab63315864d027");
        BUILT.put("COPY a.txt /a.txt",
                "95ce96207af813b152b5234d2a7d9ef05b4637878836425276ff48a705590e2c");
        BUILT.put("COPY passwd group /etc/",
                "ec8cf61f47e4b16aa15b3682e52e6956878426b0ee30c697ed848a1835a1bbf9");
        BUILT.put("ENTRYPOINT /bin/app",
                "6a8dabfe12d33ce26d6e09d3032e79b5682764e9159437280d4086bca3780163");
        BUILT.put("ENV A=1 B=\"two words\" C=$V",
                "0cf68f1c503200b26bfb72cccde95665b75923717606e23d5d850eaee7674b5c");
        BUILT.put("EXPOSE 80/tcp 443",
                "c502071b643b199c283779461d724c406f40a5809e4fba0fb31e7f73f3764e99");
        BUILT.put("HEALTHCHECK --interval=5s CMD true",
                "b18eb98eadbb29f099dd5025c72f9204e1c63b97e02ecce04434fc6d911dfcc2");
        BUILT.put("LABEL org.example.x=y \"quoted key\"=\"v w\"",
                "72c08a4a9589200b510f35e2ae3074da2de5a7bddb5f6e06b94ec4bbedcf8ec1");
        BUILT.put("MAINTAINER someone",
                "b858e587b48b1b8140ed865dea310687886fa2b1f04e896eebad7fa0fdebe28e");
        BUILT.put("ONBUILD RUN echo later",
                "0e67a70b5edb5214d1146da73a5453460afb1a7c6e6b91c0823db0dde0430269");
        BUILT.put("SHELL [\"/bin/bash\", \"-c\"]",
                "5ffd69ad0f2c15cfd0e5e27d386db8ad44e9327d54bdcf87c2aff611a7c704d2");
        BUILT.put("STOPSIGNAL SIGTERM",
                "c17dc3d81b015d07de5c9135cddcd6f0982d6ab3a34f445151f7a9ff7f59f8f3");
        BUILT.put("USER app",
                "fe202ffbc263ad9eb6495759da67509b5ec75dc5d7b9585de165624f0a8ed0a8");
        BUILT.put("VOLUME /data",
                "ba067c793e23c034807fca52838ce234ddd6397e10a9cfede9841ffb8f03327b");
        BUILT.put("WORKDIR /work",
                "9309c6ead8e62df114b04aad1ea433ac48c695e7a745c11948f5eb4b800ae3ff");
        BUILT.put("WORKDIR sub",
                "bb0a4599317d929ab794e4293e96eb51e1203afbf93ce68a7a2a57743ab1d47a");
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
                "12881abcd702fbebbc9601490fbca2a563d6cfdfc0390609f1f2be5314b65097");
        RUNS.put("RUN --mount=type=bind,source=a.txt,target=/a cat /a (with host, ulimit, shm)",
                "669f12bd446e8864c7fe066e6ef977dac5bdea6ed71fbe22d43cd85e40b8f8cf");
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
        return Step.of(new StepContext(session, state, null, null), run).inputKey(PARENT);
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

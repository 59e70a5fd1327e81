package dev.jbuild.engine.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jbuild.context.DockerIgnore;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.engine.stage.StageSources;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.Platform;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.PlanOptions;
import dev.jbuild.plan.Planner;
import dev.jbuild.store.Store;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN keys of mount shapes, pinned: the values were computed by the build before {@code --mount} was parsed
 * into typed records (when StepKeys read the specification's text itself), so a change to the parser cannot
 * silently move every cache record of a RUN with a mount. The bind mounts of the context and of a directory named
 * context were re-pinned on purpose when their key gained owners, xattrs and hard-link grouping (one walk,
 * {@code StepKeys.mounted}, for every bind source).
 */
class RunMountKeysTest {

    /** Instruction → its key on top of {@link #PARENT}; the context, secrets and scope are set up below. */
    private static final Map<String, String> PINNED = new LinkedHashMap<>();

    static {
        PINNED.put("RUN --mount=type=cache,target=/root/.cache make",
                "2c13fa9759b96db121d8ee2c3bb2586553e845dc231f7f9165bc2f77d0f4d7d4");
        PINNED.put("RUN --mount=type=cache,id=go,target=/go,sharing=locked,mode=0700,uid=1000,gid=100 make",
                "8ee3e8605ce4ceff48bbf3bd4a4b7bd0cdde6d4be5e2674736712c79e81f1159");
        PINNED.put("RUN --mount=type=cache,target=$CACHE make",
                "d2f6e22ea677dfce08afe2225f0bcb23c4ea0300c8b4d56c81669d2002a9a3ef");
        PINNED.put("RUN --mount=target=/ctx cat /ctx/a.txt",
                "864719d831c9cdca5392eb78b2626aa225db2069e308ffdb325c79119e8ef22f");
        PINNED.put("RUN --mount=type=bind,source=dir,target=/src,rw make",
                "d6da9d705b95cbd73d7f9aa8fb53996262a5151f8827d6bc04fbef5626827360");
        PINNED.put("RUN --mount=type=bind,src=a.txt,dst=/a cat /a",
                "748d79ec2821ec3976026ba70ffca298598502474ab32dde4a3c0996a7efd2e8");
        PINNED.put("RUN --mount=type=bind,source=missing,target=/m true",
                "5745da89dbbc899cdf5d47e30fcc93f172638a76afc8d7032cf6fb6cf520b37e");
        PINNED.put("RUN --mount=type=bind,from=named,source=n.txt,target=/n cat /n",
                "891d0c5f97bbd9ce3711acf9a37eeb4e1933be60a7e76622984494052e5eb58c");
        PINNED.put("RUN --mount=Type=Bind,Source=dir,Target=/d,readonly ls /d",
                "0f4f1d4667193b2b9ed8f0302a9910ccbcdff8d1de7f4394a461ec9a925e0e84");
        PINNED.put("RUN --mount=type=secret,id=token cat /run/secrets/token",
                "0617f9bbb1514e08f7a4c5eaff4af2e704f190e156be99433295b41be10506c8");
        PINNED.put("RUN --mount=type=secret,target=/run/secrets/npmrc,required=true cat /run/secrets/npmrc",
                "d2e65fb30c57a5eb4d43b2d02f8d16c1017834572663f4fe477d480e5ce4dfbc");
        PINNED.put("RUN --mount=type=secret,id=absent,required=false true",
                "d51b56a222a0d72c29d03b5156338e3d9244f647777ce101331e5d1a64a4d742");
        PINNED.put("RUN --mount=type=tmpfs,target=/t,size=1048576 true",
                "19a451ec8623db0652eb50c125a940a72d81ac30106a2508bab86fc9f95db2e8");
        PINNED.put("RUN --mount=type=ssh ssh-add -l",
                "cc8758d7edb6cdd4672b0ea63a1e82de9992883e1127fa55ff6638d797cb985b");
        PINNED.put("RUN --mount=type=ssh,id=other,target=/agent,mode=0666 --mount=type=cache,target=/c"
                + " --mount=type=bind,source=dir,target=/src make",
                "469d685fc06c1ebf5f9625e6f7815bc228b399deee00cd6ef6aa9403b03bfa25");
    }

    private static final String PARENT = "sha256:" + "ab".repeat(32);

    @TempDir
    Path temp;

    @Test
    void keysOfMountShapesAreTheOnesOfBefore() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Files.setAttribute(context, "unix:mode", 0755);
        write(context.resolve("a.txt"), "a\n", 0644);
        Path dir = Files.createDirectories(context.resolve("dir"));
        Files.setAttribute(dir, "unix:mode", 0755);
        write(dir.resolve("b.txt"), "b\n", 0600);
        Files.createSymbolicLink(dir.resolve("link"), Path.of("b.txt"));
        Path named = Files.createDirectories(temp.resolve("named"));
        write(named.resolve("n.txt"), "n\n", 0644);
        Path secret = temp.resolve("token");
        Files.writeString(secret, "value");

        Map<String, String> actual = new LinkedHashMap<>();
        for (String line : PINNED.keySet()) {
            actual.put(line, key(context, named, secret, line));
        }
        assertEquals(PINNED, actual);
    }

    /**
     * A bind mount of the context shows owners and xattrs to the command (ls -ln, getfattr), so they are in the
     * RUN's key, as in BuildKit's context hash; COPY writes context files as 0:0, so its key leaves owners out.
     */
    @Test
    @Integration // chown to another uid: the integration suite runs as root (scripts/test.sh)
    void ownersAndXattrsOfABoundContextAreInTheRunsKeyAndOwnersNotInCopys() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Path dir = Files.createDirectories(context.resolve("bd"));
        write(dir.resolve("f"), "f\n", 0644);
        Path named = Files.createDirectories(temp.resolve("named"));
        Path secret = Files.writeString(temp.resolve("token"), "value");
        String run = "RUN --mount=type=bind,source=bd,target=/m ls -ln /m";
        String copy = "COPY bd /bd";
        String runBefore = key(context, named, secret, run);
        String copyBefore = key(context, named, secret, copy);

        Files.setAttribute(dir.resolve("f"), "unix:uid", 4321);
        String runOwned = key(context, named, secret, run);
        assertNotEquals(runBefore, runOwned, "the owner the command sees changed");
        assertEquals(copyBefore, key(context, named, secret, copy), "COPY writes 0:0 whoever owns the file");

        Files.getFileAttributeView(dir.resolve("f"), UserDefinedFileAttributeView.class)
                .write("user.note", ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(runOwned, key(context, named, secret, run), "an xattr the command can read changed");
    }

    /** The key of {@code line}, the third instruction after FROM scratch and an ENV, on top of {@link #PARENT}. */
    private String key(Path context, Path named, Path secret, String line) throws Exception {
        String text = "FROM scratch\nENV CACHE=/var/cache\n" + line + "\n";
        Dockerfile dockerfile = DockerfileParser.parse(text, "Dockerfile");
        Platform platform = new Platform("linux", "amd64");
        BuildPlan plan = Planner.plan(dockerfile,
                new PlanOptions(Map.of(), null, platform.toString(), platform.toString(), Set.of("named")));
        BuildRequest request = BuildRequest.builder(dockerfile, plan, context, platform)
                .ignore(DockerIgnore.load(context, context.resolve("Dockerfile")))
                .namedContexts(Map.of("named", new NamedContext.Directory(named)))
                .secrets(Map.of("token", secret))
                .network("default")
                .build();
        Store store = Store.open(temp.resolve("store"));
        BuildSession session = new BuildSession(request, store, new BuildListener() {}, temp.resolve("scratch"),
                CacheOptions.DEFAULT, null, new AtomicInteger(), null);
        ImageState state = new ImageState(ImageConfig.forPlatform(platform), List.of(), List.of(), new FsView(),
                List.of());
        state.setEnv("CACHE", "/var/cache");
        Instruction instruction = dockerfile.instructions().get(2);
        return Step.of(new StepContext(session, state, new StageSources(session, null, null), null), instruction)
                .inputKey(PARENT);
    }

    private static void write(Path file, String content, int mode) throws IOException {
        Files.writeString(file, content);
        Files.setAttribute(file, "unix:mode", mode);
    }

    /**
     * A bind mount from a directory named context shows what its own .dockerignore leaves, so its key covers
     * that and no more: editing an ignored file is still a hit, editing a kept one is not.
     */
    @Test
    void aBindFromADirectoryNamedContextIsKeyedByWhatItsDockerignoreLeaves() throws Exception {
        Path context = Files.createDirectories(temp.resolve("context"));
        Path named = Files.createDirectories(temp.resolve("named"));
        Files.writeString(named.resolve(".dockerignore"), "ig.txt\n");
        Files.writeString(named.resolve("kept.txt"), "kept\n");
        Files.writeString(named.resolve("ig.txt"), "one\n");
        String first = bindKey(context, named);
        Files.writeString(named.resolve("ig.txt"), "two, longer\n");
        assertEquals(first, bindKey(context, named), "an ignored file is not in the mount");
        Files.writeString(named.resolve("kept.txt"), "kept, changed\n");
        assertNotEquals(first, bindKey(context, named));
    }

    private String bindKey(Path context, Path named) throws Exception {
        String text = "FROM scratch\nRUN --mount=type=bind,from=named,target=/n ls /n\n";
        Dockerfile dockerfile = DockerfileParser.parse(text, "Dockerfile");
        Platform platform = new Platform("linux", "amd64");
        BuildPlan plan = Planner.plan(dockerfile, new PlanOptions(Map.of(), null, platform.toString(), platform.toString(), Set.of("named")));
        BuildRequest request = BuildRequest.builder(dockerfile, plan, context, platform)
                .namedContexts(Map.of("named", new NamedContext.Directory(named, null, DockerIgnore.load(named, null))))
                .network("default")
                .build();
        Store store = Store.open(temp.resolve("store"));
        BuildSession session = new BuildSession(request, store, new BuildListener() {}, temp.resolve("scratch"),
                CacheOptions.DEFAULT, null, new AtomicInteger(), null);
        ImageState state = new ImageState(ImageConfig.forPlatform(platform), List.of(), List.of(), new FsView(), List.of());
        return Step.of(new StepContext(session, state, new StageSources(session, null, null), null), dockerfile.instructions().get(1)).inputKey(PARENT);
    }
}

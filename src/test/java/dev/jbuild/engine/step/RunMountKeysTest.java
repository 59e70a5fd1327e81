package dev.jbuild.engine.step;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.Platform;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.PlanOptions;
import dev.jbuild.plan.Planner;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * silently move every cache record of a RUN with a mount.
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
                "5ca2ee16b85ccd8c7fd5f93e24086760d1b8c599c3d2bdcb98164735403fd88f");
        PINNED.put("RUN --mount=type=bind,source=dir,target=/src,rw make",
                "29cd9122017c08db6edd2c2cd3ed923373c3d2f86f3270eecf29259dcdde7733");
        PINNED.put("RUN --mount=type=bind,src=a.txt,dst=/a cat /a",
                "257c973fa21e82f36b58ad3926fa57739a5b0a2eb2089378fd4b2057dd1bb980");
        PINNED.put("RUN --mount=type=bind,source=missing,target=/m true",
                "5745da89dbbc899cdf5d47e30fcc93f172638a76afc8d7032cf6fb6cf520b37e");
        PINNED.put("RUN --mount=type=bind,from=named,source=n.txt,target=/n cat /n",
                "0ac28624d3ffefc9c615f200165d3fdaf3ea1c6f97d8d925c46f84f763299a79");
        PINNED.put("RUN --mount=Type=Bind,Source=dir,Target=/d,readonly ls /d",
                "7708758aab67b2d8d64badc6f2743656cc4adcadcfd58fd35e672d4c7235e50d");
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
                "19ec444f8823134e29b1ca5beb4d71bfdc4cf0e2297eb06c9fbfeb5cb4f55ada");
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
            Instruction run = dockerfile.instructions().get(2);
            actual.put(line, Step.of(new StepContext(session, state, null, null), run).inputKey(PARENT));
        }
        assertEquals(PINNED, actual);
    }

    private static void write(Path file, String content, int mode) throws IOException {
        Files.writeString(file, content);
        Files.setAttribute(file, "unix:mode", mode);
    }
}

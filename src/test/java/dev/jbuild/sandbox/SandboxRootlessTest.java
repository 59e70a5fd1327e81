package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.security.auth.module.UnixSystem;
import dev.jbuild.testing.Integration;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RUN scenarios as an unprivileged user with a subordinate id range, the way CI users and developers run
 * jbuild. As root (CI), the scenarios run as {@value #USER} (created by scripts/test.sh) in a JVM started
 * with runuser, from a copy of the test classpath that user can read; as a normal user, they run as that user.
 * Either way under {@code LC_ALL=C}, the locale in which the JVM maps file names with the least.
 */
@Integration
class SandboxRootlessTest extends ScenarioChecks {
    static final String USER = "jbuildtest";

    private final Map<Snapshotter, Map<String, Scenarios.Outcome>> outcomes = new EnumMap<>(Snapshotter.class);
    private final Map<Snapshotter, Path> roots = new EnumMap<>(Snapshotter.class);
    private Path base;

    @BeforeAll
    void runScenariosUnprivileged() throws Exception {
        boolean root = new UnixSystem().getUid() == 0;
        base = Files.createTempDirectory(Path.of("/tmp"), "jbuild-rootless-");
        List<String> prefix = new ArrayList<>();
        String classpath;
        if (root) {
            checkTestUser();
            Files.setAttribute(base, "unix:mode", 0755);
            classpath = copyClasspath(base.resolve("cp"));
            prefix.addAll(List.of(which("runuser"), "-u", USER, "--"));
        } else {
            classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        }
        for (Snapshotter s : new Snapshotter[] {Snapshotter.OVERLAY, Snapshotter.COPY}) {
            Path work = base.resolve(s.name().toLowerCase());
            Files.createDirectories(work);
            if (root) {
                Files.setAttribute(work, "unix:uid", uid(USER));
            }
            roots.put(s, work);
            Path result = work.resolve("outcomes.bin");
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                    "-cp", classpath,
                    Scenarios.class.getName(), work.toString(), s.name(), result.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(base.toFile());
            // The C locale: this JVM maps no non-ASCII name, so the names the scenarios make must not depend on it.
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("scenarios as " + USER + " timed out");
            }
            if (p.exitValue() != 0) {
                fail("scenarios as unprivileged user failed (exit " + p.exitValue() + "): " + String.join(" ", cmd)
                        + "\n" + new String(out, StandardCharsets.UTF_8));
            }
            outcomes.put(s, Scenarios.load(result));
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (base == null) {
            return;
        }
        if (new UnixSystem().getUid() == 0) {
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        } else {
            try (Sandbox sandbox = Sandbox.open(SandboxOptions.defaults(base.resolve("rm"))
                    .withSnapshotter(Snapshotter.COPY))) {
                sandbox.delete(base);
            }
        }
    }

    @Override
    Map<Snapshotter, Map<String, Scenarios.Outcome>> outcomes() {
        return outcomes;
    }

    @Override
    Path workRoot(Snapshotter s) {
        return roots.get(s);
    }

    @Test
    void scenariosRanWithASubordinateIdMapping() {
        // Every chown in the scenarios would have failed with a single-id map; this documents the premise.
        outcomes.forEach((s, o) -> assertEquals(0, o.get("basics").exitCode(), s + ": " + o.get("basics")));
    }

    /** In a user namespace no process may raise a hard limit: always refused, before the command starts. */
    @Test
    void rootlessRunsCannotRaiseAHardLimit() {
        outcomes.forEach((s, o) -> {
            Scenarios.Outcome r = o.get("ulimit-raise");
            assertTrue(r.error() != null && r.error().contains("which a rootless build cannot raise"), s + ": " + r);
            assertEquals(List.of(), r.output(), "the command never ran");
        });
    }

    private static void checkTestUser() throws IOException {
        if (uidOrMinus(USER) < 0) {
            fail("user " + USER + " does not exist: run ./scripts/test.sh as root (it creates " + USER
                    + " with a range in /etc/subuid and /etc/subgid)");
        }
        for (String f : List.of("/etc/subuid", "/etc/subgid")) {
            if (Files.readAllLines(Path.of(f)).stream().noneMatch(l -> l.startsWith(USER + ":"))) {
                fail(USER + " has no range in " + f + ": run ./scripts/test.sh as root");
            }
        }
        which("runuser");
    }

    private static String which(String tool) {
        return HostTools.which(tool).orElseGet(() -> fail(tool + " is not installed (util-linux)"));
    }

    private static int uid(String user) throws IOException {
        return (int) uidOrMinus(user);
    }

    private static long uidOrMinus(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length > 2 && f[0].equals(user)) {
                return Long.parseLong(f[2]);
            }
        }
        return -1;
    }

    /** Copies classes and jars to a directory the test user can read; returns the classpath. */
    private static String copyClasspath(Path dir) throws IOException {
        Files.createDirectories(dir);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = dir.resolve((n++) + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (Stream<Path> walk = Files.walk(src)) {
                    for (Path p : walk.toList()) {
                        Path t = dst.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            }
            out.add(dst.toString());
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                Files.setAttribute(p, "unix:mode", Files.isDirectory(p) ? 0755 : 0644);
            }
        }
        return String.join(File.pathSeparator, out);
    }
}

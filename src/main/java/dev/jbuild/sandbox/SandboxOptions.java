package dev.jbuild.sandbox;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to set up the sandbox.
 *
 * @param workRoot        where runs keep their upper/copy dirs and scratch files (e.g. {@code $JBUILD_ROOT/tmp});
 *                        must be on a filesystem that supports overlayfs upper dirs for the overlay snapshotter
 * @param snapshotter     auto, overlay or copy
 * @param agentJava       the command that starts a JVM for the agent (java binary and options)
 * @param agentClasspath  a classpath holding jbuild (the shaded jar, or the classes and dependencies)
 * @param isolation       namespaces (the default) or chroot
 */
public record SandboxOptions(Path workRoot, Snapshotter snapshotter, List<String> agentJava, String agentClasspath,
        Isolation isolation) {

    /**
     * The system property naming the agent JVM's class-data-sharing archive (the launchers pass it when the
     * file exists): the agent's own classes then load from it rather than from the jar, about 0.1 s less
     * before a cold build's first RUN (docs/performance.md, "Start-up").
     */
    static final String AGENT_ARCHIVE = "jbuild.agentArchive";
    /** The system property naming where an agent writes that archive as it exits: for the launchers' training run. */
    static final String AGENT_ARCHIVE_AT_EXIT = "jbuild.agentArchiveAtExit";

    public SandboxOptions(Path workRoot, Snapshotter snapshotter, List<String> agentJava, String agentClasspath) {
        this(workRoot, snapshotter, agentJava, agentClasspath, Isolation.AUTO);
    }

    public SandboxOptions {
        Objects.requireNonNull(workRoot, "workRoot");
        Objects.requireNonNull(snapshotter, "snapshotter");
        agentJava = List.copyOf(agentJava);
        Objects.requireNonNull(agentClasspath, "agentClasspath");
        Objects.requireNonNull(isolation, "isolation");
        workRoot = workRoot.toAbsolutePath();
    }

    /**
     * This JVM's java binary and classpath, a small fast-starting agent JVM, {@link Snapshotter#AUTO}. The
     * JVM's own log goes to standard error: standard output carries the agent's protocol.
     */
    public static SandboxOptions defaults(Path workRoot) {
        String cp = agentClasspath(SandboxOptions.class.getClassLoader(),
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx256m",
                "-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr"));
        java.addAll(agentArchiveOptions(System.getProperty(AGENT_ARCHIVE), System.getProperty(AGENT_ARCHIVE_AT_EXIT)));
        return new SandboxOptions(workRoot, Snapshotter.AUTO, java, cp);
    }

    /**
     * The agent JVM's options for its class archive: write one at exit when {@code atExit} is given, else use
     * {@code archive} when it is a file. The JVM checks that an archive is of this jar and JVM and otherwise
     * runs without it; its complaint is kept off the agent's standard error like the rest of its CDS log.
     */
    static List<String> agentArchiveOptions(String archive, String atExit) {
        List<String> quiet = List.of("-Xlog:cds=off:stderr", "-Xlog:cds+dynamic=off:stderr");
        List<String> options = new ArrayList<>();
        if (atExit != null && !atExit.isEmpty()) {
            options.add("-XX:ArchiveClassesAtExit=" + atExit);
        } else if (archive != null && !archive.isEmpty() && Files.isRegularFile(Path.of(archive))) {
            options.add("-XX:SharedArchiveFile=" + archive);
        } else {
            return List.of();
        }
        options.addAll(quiet);
        return options;
    }

    /**
     * The classpath jbuild was loaded from: {@code jvmClasspath} (the shaded jar, the test classpath) unless jbuild
     * lives in a class loader of its own. A host that loads it so (Maven puts a plugin and its dependencies in a
     * {@code ClassRealm}, a {@link URLClassLoader}, in a JVM whose class path is only Maven's launcher) would
     * otherwise start an agent that cannot find {@link SandboxAgent}; that loader's own jars hold jbuild and its
     * dependencies.
     */
    static String agentClasspath(ClassLoader loader, String jvmClasspath) {
        if (loader instanceof URLClassLoader own && loader != ClassLoader.getSystemClassLoader()) {
            List<String> entries = new ArrayList<>();
            for (URL url : own.getURLs()) {
                if ("file".equals(url.getProtocol())) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        // Not a path (an odd file: URL): the agent cannot use it either.
                    }
                }
            }
            if (!entries.isEmpty()) {
                return String.join(File.pathSeparator, entries);
            }
        }
        return jvmClasspath;
    }

    public SandboxOptions withSnapshotter(Snapshotter s) {
        return new SandboxOptions(workRoot, s, agentJava, agentClasspath, isolation);
    }

    public SandboxOptions withIsolation(Isolation i) {
        return new SandboxOptions(workRoot, snapshotter, agentJava, agentClasspath, i);
    }
}

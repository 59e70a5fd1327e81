package dev.jbuild.cli;

import picocli.CommandLine.Command;

/** The top-level {@code jbuild} command. */
@Command(name = "jbuild", mixinStandardHelpOptions = true, version = "jbuild 0.1.0",
        description = "Build OCI images from Dockerfiles, without a daemon and without root.")
final class JbuildCommand implements Runnable {
    @Override
    public void run() {
    }
}

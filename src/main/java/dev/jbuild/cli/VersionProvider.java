package dev.jbuild.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest, so it is set in one place: the pom. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {
            "jbuild " + (version == null ? "(development build)" : version),
            "Java " + Runtime.version() + " on " + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }
}

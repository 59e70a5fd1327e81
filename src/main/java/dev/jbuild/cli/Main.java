package dev.jbuild.cli;

import picocli.CommandLine;

/** Process entry point: runs the picocli command tree and exits with its code. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new JbuildCommand()).execute(args));
    }
}

package dev.jbuild.cli;

import org.slf4j.LoggerFactory;

/** A process that sets up logging as jbuild's {@code main} does (args[0]: "debug" or not) and logs one debug line. */
public final class LoggingProbe {

    private LoggingProbe() {}

    public static void main(String[] args) {
        Main.configureLogging(args.length > 0 && args[0].equals("debug"));
        LoggerFactory.getLogger(LoggingProbe.class).debug("probe line");
    }
}

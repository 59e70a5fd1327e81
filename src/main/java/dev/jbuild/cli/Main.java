package dev.jbuild.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Process entry point. {@code jbuild -t app .} means {@code jbuild build -t app .}, as
 * {@code docker-build} users expect, so arguments that do not start with a subcommand go to build.
 */
public final class Main {

    private Main() {}

    /** How long Ctrl-C waits for the build to stop its processes and remove its scratch files. */
    private static final long STOP_GRACE_MILLIS = 15_000;

    public static void main(String[] args) {
        Thread worker = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        // Ctrl-C / SIGTERM: interrupt the build so RUN processes are killed and finally blocks remove
        // scratch files, wait for that (bounded), and let the JVM exit with 130/143. Every store
        // write is a rename of a complete file, so stopping anywhere leaves the store consistent.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (done.get()) {
                return;
            }
            interrupted.set(true);
            worker.interrupt();
            try {
                worker.join(STOP_GRACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jbuild-stop"));
        if (debugRequested(args, System.getenv())) {
            // Before any logger exists: slf4j-simple reads its level once (simplelogger.properties
            // turns it off), and a system property wins over that file.
            System.setProperty(SLF4J_LEVEL_PROPERTY, "debug");
        }
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        done.set(true);
        if (!interrupted.get()) {
            System.exit(code);
        }
    }

    static final String SLF4J_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    /**
     * Whether the command line asks for {@code --debug} (or {@code JBUILD_DEBUG=1}), looked at
     * before picocli parses it, because log levels must be set before the first logger is made.
     * Words after {@code --} are operands. The error report uses the parsed options
     * ({@link ErrorReporter#debugRequested}); the two agree on every command line picocli accepts
     * except one that passes the word {@code --debug} as a value, which only logs more.
     */
    static boolean debugRequested(String[] args, java.util.Map<String, String> env) {
        if ("1".equals(env.get("JBUILD_DEBUG"))) {
            return true;
        }
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** Runs one command line and returns the exit code; used by tests to run in-process. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = commandLine(out, err);
        return commandLine.execute(withDefaultSubcommand(commandLine, args));
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new JbuildCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new ErrorReporter());
        commandLine.setParameterExceptionHandler(new UsageErrorHandler());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    /**
     * Inserts {@code build} unless the first word after the global options names a command (or is
     * a top-level flag such as {@code --version}). Global options stay valid after {@code build}
     * because they are inherited.
     */
    private static String[] withDefaultSubcommand(CommandLine commandLine, String[] args) {
        if (args.length == 0) {
            return args;
        }
        List<String> topLevelOnly = List.of("-h", "--help", "-V", "--version");
        int i = 0;
        while (i < args.length && !topLevelOnly.contains(args[i])) {
            String arg = args[i];
            int equals = arg.indexOf('=');
            picocli.CommandLine.Model.OptionSpec option =
                    commandLine.getCommandSpec().findOption(equals > 0 ? arg.substring(0, equals) : arg);
            if (option == null || !arg.startsWith("--")) {
                break;
            }
            // A global option: skip it, and its value when that is the next word.
            i += equals < 0 && option.arity().min() > 0 ? 2 : 1;
        }
        if (i < args.length && (commandLine.getSubcommands().containsKey(args[i]) || topLevelOnly.contains(args[i]))) {
            return args;
        }
        if (i >= args.length) {
            return args;
        }
        List<String> withBuild = new ArrayList<>(Arrays.asList(args));
        withBuild.add(0, "build");
        return withBuild.toArray(String[]::new);
    }
}

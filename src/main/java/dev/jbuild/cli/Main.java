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

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
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

    private static String[] withDefaultSubcommand(CommandLine commandLine, String[] args) {
        if (args.length == 0) {
            return args;
        }
        List<String> topLevelOnly = List.of("-h", "--help", "-V", "--version");
        for (String arg : args) {
            if (commandLine.getSubcommands().containsKey(arg) || topLevelOnly.contains(arg)) {
                return args;
            }
            if (!arg.equals("--debug")) {
                break;
            }
        }
        List<String> withBuild = new ArrayList<>(Arrays.asList(args));
        int insertAt = 0;
        while (insertAt < withBuild.size() && withBuild.get(insertAt).equals("--debug")) {
            insertAt++;
        }
        withBuild.add(insertAt, "build");
        return withBuild.toArray(String[]::new);
    }
}

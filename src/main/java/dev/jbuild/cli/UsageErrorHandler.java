package dev.jbuild.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** A wrong command line: one line saying what is wrong, a pointer to --help, exit code 2. */
final class UsageErrorHandler implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException exception, String[] args) {
        CommandLine commandLine = exception.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println("jbuild: " + message(exception));
        if (!(exception instanceof UnmatchedArgumentException)) {
            CommandLine.UnmatchedArgumentException.printSuggestions(exception, err);
        }
        err.println("See '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * picocli's words, except for what it could not match: an unknown flag is named alone, as docker names it
     * ({@code unknown flag: --tgg}, with the flag it is closest to), not with every argument after it.
     */
    private static String message(ParameterException exception) {
        if (!(exception instanceof UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return exception.getMessage();
        }
        String first = unmatched.getUnmatched().get(0);
        if (!first.startsWith("-") || first.equals("-")) {
            return "unexpected argument '" + first + "'";
        }
        String flag = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
        List<String> names = List.copyOf(exception.getCommandLine().getCommandSpec().optionsMap().keySet());
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : names) {
            int d = UnknownCommand.distance(flag, name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return "unknown flag: " + flag + (best != null && bestDistance <= 2 ? " (did you mean " + best + "?)" : "");
    }
}

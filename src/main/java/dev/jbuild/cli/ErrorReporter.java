package dev.jbuild.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any exception a command throws into a message and an exit code. Stack traces appear only
 * with {@code --debug} (or {@code JBUILD_DEBUG=1}): users need the cause, not our call chain.
 */
final class ErrorReporter implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        boolean debug = debugRequested(parseResult);
        int exitCode;
        if (exception instanceof CliFailure failure) {
            failure.lines().forEach(err::println);
            exitCode = failure.exitCode();
        } else if (exception instanceof InterruptedException) {
            err.println("jbuild: interrupted");
            exitCode = ExitCodes.INTERRUPTED;
        } else {
            err.println("jbuild: internal error: " + exception);
            if (!debug) {
                err.println("Run again with --debug to see where it happened, and please report it.");
            }
            exitCode = ExitCodes.BUILD_FAILED;
        }
        if (debug) {
            Throwable cause = exception instanceof CliFailure && exception.getCause() != null ? exception.getCause() : exception;
            cause.printStackTrace(err);
        }
        err.flush();
        return exitCode;
    }

    static boolean debugRequested(ParseResult parseResult) {
        if ("1".equals(System.getenv("JBUILD_DEBUG"))) {
            return true;
        }
        for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
            if (result.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }
}

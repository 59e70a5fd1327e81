package dev.jbuild.cli;

import dev.jbuild.layer.RawNames;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.store.Store;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
        } else if (NoSpaceLeftException.of(exception, null).isPresent()) {
            // A full disk that reached here unworded (an unchecked wrapper, say) is still no internal error.
            Path root = storeRoot(commandLine);
            err.println("error: " + NoSpaceLeftException.of(exception, root).orElseThrow().inStore(root).getMessage());
            exitCode = ExitCodes.BUILD_FAILED;
        } else if (exception instanceof InvalidPathException invalid && !RawNames.jvmNamesAreUtf8()) {
            // A path from the command line (or the environment) that the JVM's file name encoding, fixed
            // from the locale at start-up, cannot hold: say so rather than report an internal error.
            err.println("error: cannot use the path " + invalid.getInput() + ": this JVM maps file names with "
                    + System.getProperty("sun.jnu.encoding") + " (from the locale), which cannot hold it;"
                    + " run jbuild with a UTF-8 locale (e.g. LC_ALL=C.UTF-8), as the ./jbuild launcher does");
            exitCode = ExitCodes.BUILD_FAILED;
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

    /** The store the command used: {@code --root}, else the default. */
    private static Path storeRoot(CommandLine commandLine) {
        Object top = commandLine.getCommandSpec().root().userObject();
        Path root = top instanceof JbuildCommand jbuild ? jbuild.root : null;
        return root != null ? root : Store.defaultRoot();
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

package dev.jbuild.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
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
        configureLogging(debugRequested(args, System.getenv()));
        int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        done.set(true);
        if (!interrupted.get()) {
            System.exit(code);
        }
    }

    static final String SLF4J_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    /**
     * Sets up slf4j-simple before any logger exists: it reads its settings once, a system
     * property winning over simplelogger.properties (which turns logging off). With
     * {@code --debug}, lines are logged with their time. The time format is set only then,
     * because slf4j-simple builds its {@code SimpleDateFormat} when it starts, whatever the level,
     * and the JDK's calendar and locale data behind one cost ~0.1 s of every command that makes a
     * logger (all that touch a registry).
     */
    static void configureLogging(boolean debug) {
        if (debug) {
            System.setProperty(SLF4J_LEVEL_PROPERTY, "debug");
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
            System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        }
    }

    /**
     * Whether the command line asks for {@code --debug} (or {@code JBUILD_DEBUG=1}), looked at
     * before picocli parses it, because log levels must be set before the first logger is made.
     * Words after {@code --} are operands. The error report uses the parsed options
     * ({@link ErrorReporter#debugRequested}); the two agree on every command line picocli accepts
     * except one that passes the word {@code --debug} as a value, which only logs more.
     */
    static boolean debugRequested(String[] args, Map<String, String> env) {
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

    /**
     * The subcommands in the order {@code --help} lists them. picocli builds a command's model by
     * reflecting over its class (and its option types) when the command is registered, which was
     * a fifth of a {@code push}'s time for all fifteen; so a command line that names one (or
     * defaults to {@code build}) registers only that one, and the rest only when something shows
     * or walks them all ({@code --help}, {@code completion}, a bare {@code jbuild}).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            BuildCommand.class,
            ParseCommand.class,
            ImagesCommand.class,
            InspectCommand.class,
            HistoryCommand.class,
            TagCommand.class,
            RmiCommand.class,
            PruneCommand.class,
            DuCommand.class,
            SystemCommand.class,
            SaveCommand.class,
            PullCommand.class,
            PushCommand.class,
            SignCommand.class,
            VerifyCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            CompletionCommand.class);

    /** Top-level flags that print the version and need no subcommand. */
    private static final List<String> VERSION = List.of("-V", "--version");

    /** Subcommands that need every other one registered: they show or walk the whole tree. */
    private static final List<Class<?>> NEEDS_ALL = List.of(CompletionCommand.class);

    /** Runs one command line and returns the exit code; used by tests to run in-process. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new JbuildCommand());
        String[] effective = withDefaultSubcommand(commandLine, args);
        if (effective != args) {
            Optional<String> mistake = UnknownCommand.message(args[firstCommandWord(commandLine, args)], commandNames());
            if (mistake.isPresent()) {
                err.println("jbuild: " + mistake.get());
                err.println("See 'jbuild --help'.");
                err.flush();
                return ExitCodes.USAGE;
            }
        }
        int i = firstCommandWord(commandLine, effective);
        Class<?> invoked = i < effective.length ? subcommand(effective[i]) : null;
        if (invoked != null && !NEEDS_ALL.contains(invoked)) {
            addSubcommand(commandLine, invoked);
        } else if (!(i < effective.length && VERSION.contains(effective[i]))) {
            SUBCOMMANDS.forEach(type -> addSubcommand(commandLine, type));
        }
        return configure(commandLine, out, err).execute(effective);
    }

    /** The whole command tree, as {@code --help} shows it; for tests and tools. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new JbuildCommand());
        SUBCOMMANDS.forEach(type -> addSubcommand(commandLine, type));
        return configure(commandLine, out, err);
    }

    // After the subcommands are added: picocli applies these settings to the commands it has.
    private static CommandLine configure(CommandLine commandLine, PrintWriter out, PrintWriter err) {
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new ErrorReporter());
        commandLine.setParameterExceptionHandler(new UsageErrorHandler());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    // A class, not an instance: picocli creates it with its factory, as for annotated subcommands.
    private static void addSubcommand(CommandLine commandLine, Class<?> type) {
        commandLine.addSubcommand(type);
    }

    /** The subcommand class for a name or alias, from its annotation (no model is built), or null. */
    private static Class<?> subcommand(String word) {
        for (Class<?> type : SUBCOMMANDS) {
            Command command = type.getAnnotation(Command.class);
            if (command.name().equals(word) || Arrays.asList(command.aliases()).contains(word)) {
                return type;
            }
        }
        return null;
    }

    /** Every subcommand's name and aliases, from the annotations. */
    private static List<String> commandNames() {
        List<String> names = new ArrayList<>();
        for (Class<?> type : SUBCOMMANDS) {
            Command command = type.getAnnotation(Command.class);
            names.add(command.name());
            names.addAll(Arrays.asList(command.aliases()));
        }
        return names;
    }

    private static final List<String> TOP_LEVEL_ONLY = List.of("-h", "--help", "-V", "--version");

    /** The index of the first word after the global options (options of the root command), or args.length. */
    private static int firstCommandWord(CommandLine commandLine, String[] args) {
        int i = 0;
        while (i < args.length && !TOP_LEVEL_ONLY.contains(args[i])) {
            String arg = args[i];
            int equals = arg.indexOf('=');
            CommandLine.Model.OptionSpec option =
                    commandLine.getCommandSpec().findOption(equals > 0 ? arg.substring(0, equals) : arg);
            if (option == null || !arg.startsWith("--")) {
                break;
            }
            // A global option: skip it, and its value when that is the next word.
            i += equals < 0 && option.arity().min() > 0 ? 2 : 1;
        }
        return i;
    }

    /**
     * Inserts {@code build} unless the first word after the global options names a command (or is
     * a top-level flag such as {@code --version}). Global options stay valid after {@code build}
     * because they are inherited.
     */
    private static String[] withDefaultSubcommand(CommandLine commandLine, String[] args) {
        int i = firstCommandWord(commandLine, args);
        if (i >= args.length || subcommand(args[i]) != null || TOP_LEVEL_ONLY.contains(args[i])) {
            return args;
        }
        List<String> withBuild = new ArrayList<>(Arrays.asList(args));
        withBuild.add(0, "build");
        return withBuild.toArray(String[]::new);
    }
}

package dev.jbuild.api;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.progress.ProgressPrinter;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where one build's output goes: the engine's events to the plain progress printer (or the CLI's own
 * printer) and as {@link BuildEvent}s to the caller's listener; the API's own lines (warnings, signing,
 * {@code --load}, the summary) as lines and as events. It also keeps the warnings for the outcome.
 */
final class Report {

    private final Consumer<String> progress;
    private final Consumer<BuildEvent> events;
    private final ImageBuild.CliOutput cli;
    private final List<Finding> warnings = new ArrayList<>();

    Report(ImageBuild options) {
        this.progress = options.progress;
        this.events = options.listener;
        this.cli = options.cliOutput;
    }

    /** The listener the engine is given: every event once to each of the printer and the caller's listener. */
    BuildListener engine() {
        List<BuildListener> listeners = new ArrayList<>();
        if (cli != null) {
            listeners.add(cli.printer());
        } else if (progress != null) {
            listeners.add(new ProgressPrinter(LineWriter.of(progress), false));
        }
        listeners.add(new Events());
        return (BuildListener) Proxy.newProxyInstance(BuildListener.class.getClassLoader(), new Class<?>[] {BuildListener.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(this, args);
                    }
                    for (BuildListener listener : listeners) {
                        try {
                            method.invoke(listener, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                    return null;
                });
    }

    /** The printer that owns the terminal while the build runs (the CLI's), or null: told when the engine is done. */
    Object printer() {
        return cli == null ? null : cli.printer();
    }

    /** A warning of the build (not the engine's): {@code text} as it follows {@code warning: }. */
    void warning(Finding finding, String text) {
        synchronized (warnings) {
            warnings.add(finding);
        }
        String line = "warning: " + text;
        if (cli != null) {
            cli.warnings().accept(line);
        } else if (progress != null) {
            progress.accept(line);
        }
        event(new BuildEvent.Warning(finding, text));
    }

    void warning(String text) {
        warning(new Finding(null, text, null, 0), text);
    }

    /** A line of the build's own (signing, {@code --load}, the summary, garbage collection). */
    void message(String line) {
        if (cli != null) {
            cli.messages().accept(line);
        } else if (progress != null) {
            progress.accept(line);
        }
        event(new BuildEvent.Message(line));
    }

    /** {@link #message} for each line written. */
    PrintWriter messages() {
        return LineWriter.of(this::message);
    }

    void event(BuildEvent event) {
        if (events != null) {
            synchronized (this) {
                events.accept(event);
            }
        }
    }

    List<Finding> warnings() {
        synchronized (warnings) {
            return List.copyOf(warnings);
        }
    }

    static Finding finding(dev.jbuild.dockerfile.Finding f) {
        return new Finding(f.ruleName(), f.detail(), f.url().isEmpty() ? null : f.url(), f.line());
    }

    /** The engine's events as the API's, and its warnings kept for the outcome. */
    private final class Events implements BuildListener {
        @Override
        public void stepStarted(StepId step, String stage, int index, int steps, String text) {
            event(new BuildEvent.StepStarted(step.number(), stage, index, steps, text));
        }

        @Override
        public void stepFinished(StepId step, Duration elapsed) {
            event(new BuildEvent.StepDone(step.number(), elapsed));
        }

        @Override
        public void stepCached(StepId step) {
            event(new BuildEvent.StepCached(step.number()));
        }

        @Override
        public void log(StepId step, String line) {
            event(new BuildEvent.Output(step.number(), line));
        }

        @Override
        public void warning(String message) {
            Finding finding = new Finding(null, message, null, 0);
            synchronized (warnings) {
                warnings.add(finding);
            }
            event(new BuildEvent.Warning(finding, message));
        }

        @Override
        public void finding(dev.jbuild.dockerfile.Finding finding) {
            Finding converted = Report.finding(finding);
            synchronized (warnings) {
                warnings.add(converted);
            }
            event(new BuildEvent.Warning(converted, CheckReport.warningLine(finding)));
        }
    }
}

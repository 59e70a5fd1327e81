package dev.jbuild.api;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.function.Consumer;

/**
 * A {@link PrintWriter} whose every line goes to a consumer, so that the printers of plain progress (which
 * write to a stream, as the CLI's standard error) give the API's callers the same text line by line.
 */
final class LineWriter extends Writer {

    private final Consumer<String> lines;
    private final StringBuilder pending = new StringBuilder();

    private LineWriter(Consumer<String> lines) {
        this.lines = lines;
    }

    static PrintWriter of(Consumer<String> lines) {
        return new PrintWriter(new LineWriter(lines), true);
    }

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            char c = buffer[i];
            if (c == '\n') {
                int end = pending.length() > 0 && pending.charAt(pending.length() - 1) == '\r' ? pending.length() - 1 : pending.length();
                lines.accept(pending.substring(0, end));
                pending.setLength(0);
            } else {
                pending.append(c);
            }
        }
    }

    @Override
    public void flush() {
        // Lines go out whole, when they end; a partial line waits for its end.
    }

    @Override
    public synchronized void close() {
        if (pending.length() > 0) {
            lines.accept(pending.toString());
            pending.setLength(0);
        }
    }
}

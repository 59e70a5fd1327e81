package dev.jbuild.sandbox;

import dev.jbuild.layer.ByteProgress;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running sandbox agent, seen from the caller's JVM: requests go to its standard input, a reader thread
 * takes frames from its standard output ({@link AgentProtocol}) and hands each call its command's output,
 * line by line, and its answer. Calls run concurrently; each is told apart by its id.
 *
 * <p>When the agent ends (killed, out of memory, closed), every call still waiting fails with
 * {@link Ended}, which says how it ended and what it printed on its standard error; a later call needs a new
 * connection. The agent exits when its standard input closes, so this JVM's exit, however it happens,
 * takes it and everything it started along.
 */
final class AgentConnection {
    /** How long a cancelled call may take to answer before the whole agent is killed to end it. */
    static final long CANCEL_GRACE_SECONDS = 20;

    /** The agent ended before answering a call. */
    static final class Ended extends Exception {
        private static final long serialVersionUID = 1L;
        /** The agent's exit status, or -1 while unknown (it was closed, or did not exit). */
        final int exitCode;
        /** What was wrong with its output ("it ended before answering", a frame cut short, ...). */
        final String reason;
        /** The end of what it printed on its standard error. */
        final String said;

        Ended(int exitCode, String reason, String said) {
            super(reason);
            this.exitCode = exitCode;
            this.reason = reason;
            this.said = said;
        }
    }

    /** A request on its way: its output goes to the listener, its answer completes {@link #answer}. */
    final class Call {
        final int id;
        private final CompletableFuture<AgentProtocol.Response> answer = new CompletableFuture<>();
        private final LineSplitter out;
        private final LineSplitter err;
        private final ByteProgress progress;

        Call(int id, OutputListener listener, ByteProgress progress) {
            this.id = id;
            this.progress = progress;
            this.out = new LineSplitter(OutputListener.Stream.STDOUT, listener);
            this.err = new LineSplitter(OutputListener.Stream.STDERR, listener);
        }

        /** Waits for the answer; interrupting the caller asks the agent to kill the call's processes. */
        AgentProtocol.Response await() throws Ended, InterruptedException {
            try {
                return answer.get();
            } catch (InterruptedException e) {
                cancel();
                throw e;
            } catch (ExecutionException e) {
                throw (Ended) e.getCause();
            }
        }

        /**
         * Sends a kill and waits (not interruptibly) for the answer, so that the call's directories are out of
         * use when the caller goes on to delete them; an agent that does not answer in time is killed whole.
         */
        private void cancel() {
            try {
                send(AgentProtocol.KILL, id, new byte[0]);
            } catch (IOException e) {
                // the agent is gone: so is the call
            }
            boolean interrupted = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CANCEL_GRACE_SECONDS);
            while (true) {
                try {
                    answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    break;
                } catch (TimeoutException e) {
                    destroy();
                    break;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final Process process;
    private final DataOutputStream toAgent;
    private final Map<Integer, Call> calls = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final StringBuilder errors = new StringBuilder();
    private final Thread errorPump;
    /** Set once, when the agent's output ended; calls made afterwards fail with it. */
    private volatile Ended ended;

    private AgentConnection(Process process) {
        this.process = process;
        this.toAgent = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
        this.errorPump = daemon("sandbox-agent-stderr", this::pumpErrors);
        daemon("sandbox-agent-reader", this::readFrames);
    }

    /** Starts {@code command}, the agent; it is ready for calls at once (they wait in its input). */
    static AgentConnection start(List<String> command) throws SandboxException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        String lang = env.get("LANG");
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        if (lang != null) {
            env.put("LANG", lang);
        }
        // The agent's JVM maps file names with the locale's character set: a UTF-8 one keeps non-ASCII
        // names of the root filesystem and mounts intact whatever the user's locale (C.UTF-8 is glibc's own).
        env.put("LC_CTYPE", "C.UTF-8");
        try {
            return new AgentConnection(pb.start());
        } catch (IOException e) {
            throw new SandboxException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** The agent's process (outside the namespaces: {@code unshare}, or the JVM itself without them). */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return ended == null;
    }

    /** Sends {@code request}; its command's output goes to {@code listener} from the reader thread, its progress frames to {@code progress}. */
    Call submit(AgentProtocol.Request request, OutputListener listener, ByteProgress progress)
            throws Ended, IOException {
        Call call = new Call(ids.incrementAndGet(), listener, progress);
        calls.put(call.id, call);
        Ended end = ended;
        if (end != null) {
            calls.remove(call.id);
            throw end;
        }
        try {
            send(AgentProtocol.REQUEST, call.id, AgentProtocol.serialize(request));
        } catch (IOException e) {
            // A broken pipe means the agent is gone: the reader thread will say how.
            if (!process.isAlive() || ended != null) {
                return call;
            }
            calls.remove(call.id);
            throw e;
        }
        return call;
    }

    private void send(byte kind, int id, byte[] payload) throws IOException {
        synchronized (toAgent) {
            AgentProtocol.write(toAgent, kind, id, payload);
        }
    }

    /**
     * Closes the agent's input, which ends it (its calls fail), and waits a moment for it to go; one that does
     * not is killed with what it started.
     */
    void close() {
        try {
            synchronized (toAgent) {
                toAgent.close();
            }
        } catch (IOException e) {
            // gone already
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                destroy();
            }
        } catch (InterruptedException e) {
            destroy();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the agent: with {@code unshare --kill-child} in front, that ends its pid namespace too. */
    void destroy() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void readFrames() {
        DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        String reason;
        try {
            AgentProtocol.readMagic(in);
            while (true) {
                AgentProtocol.Frame f = AgentProtocol.read(in);
                if (f == null) {
                    reason = "it ended before answering";
                    break;
                }
                Call call = calls.get(f.id());
                if (call == null) {
                    continue; // a call given up on
                }
                if (f.kind() == AgentProtocol.OUTPUT && f.payload().length > 0) {
                    (f.payload()[0] == AgentProtocol.STDERR ? call.err : call.out).bytes(f.payload(), 1,
                            f.payload().length - 1);
                } else if (f.kind() == AgentProtocol.PROGRESS && f.payload().length == 16) {
                    ByteBuffer b = ByteBuffer.wrap(f.payload());
                    try {
                        call.progress.bytes(b.getLong(), b.getLong());
                    } catch (RuntimeException e) {
                        // progress is only ever shown, never needed: the call goes on
                    }
                } else if (f.kind() == AgentProtocol.ANSWER) {
                    AgentProtocol.Response response;
                    try {
                        response = AgentProtocol.deserialize(f.payload(), AgentProtocol.Response.class);
                    } catch (IOException e) {
                        calls.remove(f.id());
                        call.answer.completeExceptionally(new Ended(-1, e.getMessage(), ""));
                        continue;
                    }
                    call.out.finish();
                    call.err.finish();
                    calls.remove(f.id());
                    call.answer.complete(response);
                }
            }
        } catch (IOException e) {
            reason = e.getMessage();
            destroy(); // it says what it should not: it cannot be trusted with more calls
        } catch (RuntimeException e) {
            reason = "its output could not be handled: " + e;
            destroy();
        }
        int exit = -1;
        try {
            if (process.waitFor(10, TimeUnit.SECONDS)) {
                exit = process.exitValue();
            } else {
                destroy();
            }
            errorPump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String said;
        synchronized (errors) {
            said = errors.toString().strip();
        }
        Ended end = new Ended(exit, reason, said);
        ended = end;
        for (Call call : calls.values()) {
            call.out.finish();
            call.err.finish();
            call.answer.completeExceptionally(end);
        }
        calls.clear();
    }

    /** The agent's own standard error (the JVM's complaints): kept, the end of it, for the failure message. */
    private void pumpErrors() {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (Reader r = new InputStreamReader(process.getErrorStream(), decoder)) {
            char[] buffer = new char[4096];
            for (int n = r.read(buffer); n >= 0; n = r.read(buffer)) {
                synchronized (errors) {
                    errors.append(buffer, 0, n);
                    if (errors.length() > 8192) {
                        errors.delete(0, errors.length() - 8192);
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Cuts a byte stream into lines as {@link java.io.BufferedReader#readLine} does (ended by \n, \r or
     * \r\n; a last line without one is delivered at the end), decoded as UTF-8 with replacements. Lines are
     * cut on bytes: neither terminator occurs inside a UTF-8 sequence.
     */
    static final class LineSplitter {
        private final OutputListener.Stream stream;
        private final OutputListener listener;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean afterCr;

        LineSplitter(OutputListener.Stream stream, OutputListener listener) {
            this.stream = stream;
            this.listener = listener;
        }

        void bytes(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                byte c = b[i];
                if (afterCr && c == '\n') {
                    afterCr = false;
                    continue;
                }
                afterCr = c == '\r';
                if (c == '\n' || c == '\r') {
                    emit();
                } else {
                    line.write(c);
                }
            }
        }

        void finish() {
            if (line.size() > 0) {
                emit();
            }
        }

        private void emit() {
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
            String text;
            try {
                text = decoder.decode(ByteBuffer.wrap(line.toByteArray())).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalStateException(e); // REPLACE never throws
            }
            line.reset();
            try {
                listener.line(stream, text);
            } catch (RuntimeException e) {
                // the listener's problem: the other calls' output and answers must still get through
            }
        }
    }
}

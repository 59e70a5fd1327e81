package dev.jbuild.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the blob transfers of one pull or push, {@link RegistryOptions#parallelism()} at a time,
 * on a pool that lives only as long as the call. The first failure cancels the rest (interrupting
 * them) and is thrown, as is an interrupt of the caller; either way the call returns only when
 * the cancelled transfers have stopped, because they delete their partial files as they stop.
 */
final class TransferPool {

    /** How long a cancelled transfer may take to stop before the call returns anyway. */
    private static final long STOP_WAIT_SECONDS = 30;

    /** One transfer. */
    @FunctionalInterface
    interface Task {
        void run() throws IOException;
    }

    private final int parallelism;
    private final RegistryListener listener;

    TransferPool(RegistryOptions options) {
        this.parallelism = options.parallelism();
        this.listener = options.listener();
    }

    /** Runs every task; threads are named {@code threadName-N}. */
    void runAll(List<Task> tasks, String threadName) throws IOException {
        if (tasks.isEmpty()) {
            return;
        }
        if (tasks.size() == 1 || parallelism == 1) {
            for (Task t : tasks) {
                t.run();
            }
            return;
        }
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadName + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, tasks.size()), factory);
        try {
            // Results are taken as transfers finish, not in the order they were started: a failure of the
            // last blob must stop the others at once, not after every earlier blob has been transferred.
            CompletionService<Void> finished = new ExecutorCompletionService<>(pool);
            List<Future<Void>> futures = new ArrayList<>();
            for (Task t : tasks) {
                futures.add(finished.submit(() -> {
                    t.run();
                    return null;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    finished.take().get();
                } catch (ExecutionException e) {
                    cancelAll(futures);
                    throw asIOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelAll(futures);
                    throw new InterruptedIOException("interrupted");
                }
            }
        } finally {
            pool.shutdownNow();
            // Cancelled transfers delete their partial files as they stop: wait for that, so a failed
            // pull returns with nothing half-written left behind.
            try {
                if (!pool.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    listener.warning("transfers still stopping after " + STOP_WAIT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void cancelAll(List<Future<Void>> futures) {
        for (Future<Void> f : futures) {
            f.cancel(true);
        }
    }

    private static IOException asIOException(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(t);
    }
}

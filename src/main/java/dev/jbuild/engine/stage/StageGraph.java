package dev.jbuild.engine.stage;

import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.plan.Stage;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the stages of a plan as the DAG their dependencies make (FROM a stage, COPY --from,
 * RUN --mount=from): a stage starts once every stage it depends on has finished, so independent
 * stages run at the same time, each on its own thread. At most {@code parallelism} stages run at
 * once ({@link #defaultParallelism()}: the cores, at least two, so two independent stages always
 * overlap even on one core, as much of a stage is waiting for RUN processes or the disk).
 *
 * <p>When a stage fails, the stages still running are cancelled by interrupting their threads (a
 * RUN's sandbox is killed, as on Ctrl-C) and the first failure is thrown once all of them have
 * stopped, so that cleanup afterwards never races a stage still writing. Interrupting the calling
 * thread cancels the build the same way.
 *
 * <p>The result does not depend on the order stages happen to finish in: a stage sees only the
 * finished results of the stages it names, and everything shared is keyed by content.
 */
public final class StageGraph {

    /** How long cancelled stages get to stop (kill their RUN, remove scratch files) before cleanup goes on. */
    private static final long STOP_SECONDS = 30;

    /** The work of one stage: returns its finished image. */
    @FunctionalInterface
    public interface StageWork {
        public ImageState run(Stage stage) throws BuildException, IOException;
    }

    private final List<Stage> stages;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final Map<Integer, CompletableFuture<ImageState>> results = new HashMap<>();
    /** The running stages' permits; a stage waiting for another gives its permit back meanwhile. */
    private final Semaphore slots;

    public StageGraph(List<Stage> stages, int parallelism) {
        this.stages = List.copyOf(stages);
        this.slots = new Semaphore(Math.max(1, parallelism));
        for (Stage stage : stages) {
            results.put(stage.index(), new CompletableFuture<>());
            if (stage.name() != null) {
                indexByName.put(stage.name(), stage.index());
            }
        }
    }

    /** The number of stages that run at once by default: the available cores, at least 2. */
    public static int defaultParallelism() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The stage of this plan that {@code from} (a name or an index) names, when it comes before
     * stage {@code before}; null otherwise. Later or pruned stages are not stages to a {@code --from}
     * (it then names an image), exactly as when the stages ran one after another in file order.
     */
    Integer stageIndex(String from, int before) {
        Integer index;
        if (!from.isEmpty() && from.chars().allMatch(Character::isDigit)) {
            index = Integer.valueOf(from);
        } else {
            index = indexByName.get(from.toLowerCase(Locale.ROOT));
        }
        return index != null && index < before && results.containsKey(index) ? index : null;
    }

    /**
     * The finished image of stage {@code index}. The plan's dependencies make this immediate; a
     * {@code --from} the planner could not resolve (its value comes from an ENV of the base image)
     * waits for that earlier stage, without holding a permit so the stage it waits for can run.
     * Call only from a stage's thread.
     */
    public ImageState await(int index, Location at) throws BuildException {
        CompletableFuture<ImageState> result = results.get(index);
        if (result == null) {
            throw new BuildException(at, "stage " + index + " is not part of this build");
        }
        if (!result.isDone()) {
            slots.release();
            try {
                result.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildException(at, "interrupted waiting for stage " + index, e);
            } catch (ExecutionException e) {
                // That stage's own failure is what the build reports.
            } finally {
                slots.acquireUninterruptibly();
            }
        }
        if (result.isCompletedExceptionally()) {
            throw new BuildException(at, "stage " + index + " failed");
        }
        return result.join();
    }

    /** The image of stage {@code index} once it finished without failure; empty while it runs or when it failed. */
    public Optional<ImageState> finished(int index) {
        CompletableFuture<ImageState> result = results.get(index);
        return result != null && result.isDone() && !result.isCompletedExceptionally()
                ? Optional.of(result.join()) : Optional.empty();
    }

    /**
     * Runs every stage and returns the image of {@code target}. Throws the first stage failure
     * ({@link BuildException} or {@link IOException} as the stage threw it).
     */
    public ImageState run(int target, StageWork work) throws BuildException, IOException {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "jbuild-stage-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        CompletionService<Integer> completion = new ExecutorCompletionService<>(pool);
        Set<Integer> submitted = new HashSet<>();
        Set<Integer> done = new HashSet<>();
        Throwable failure = null;
        try {
            int running = 0;
            while (true) {
                for (Stage stage : stages) {
                    if (!submitted.contains(stage.index()) && ready(stage, done)) {
                        submitted.add(stage.index());
                        completion.submit(() -> runStage(stage, work));
                        running++;
                    }
                }
                if (running == 0) {
                    break;
                }
                Future<Integer> finished = completion.take();
                running--;
                try {
                    done.add(finished.get());
                } catch (ExecutionException e) {
                    failure = e.getCause();
                    break;
                }
            }
            if (failure == null && submitted.size() < stages.size()) {
                throw new IllegalStateException("stages left that can never start: the plan has a cycle");
            }
        } catch (InterruptedException e) {
            // Ctrl-C: the interrupt becomes the build's failure. The flag is not set again, so that
            // the cleanup after this (which runs processes to remove sandbox files) can still work.
            failure = new BuildException(null, "build interrupted", e);
        } finally {
            stop(pool, failure != null);
        }
        rethrow(failure);
        return results.get(target).join();
    }

    /** Throws what a stage (or a platform's build) failed with, as it threw it; nothing when null. */
    public static void rethrow(Throwable failure) throws BuildException, IOException {
        if (failure instanceof BuildException build) {
            throw build;
        } else if (failure instanceof IOException io) {
            throw io;
        } else if (failure instanceof RuntimeException runtime) {
            throw runtime;
        } else if (failure instanceof Error error) {
            throw error;
        } else if (failure != null) {
            throw new BuildException(null, failure.toString(), failure);
        }
    }

    private boolean ready(Stage stage, Set<Integer> done) {
        for (int dependency : stage.dependsOn()) {
            if (results.containsKey(dependency) && !done.contains(dependency)) {
                return false;
            }
        }
        return true;
    }

    private Integer runStage(Stage stage, StageWork work) throws Exception {
        Thread.currentThread().setName("jbuild-stage-" + stage.displayName());
        CompletableFuture<ImageState> result = results.get(stage.index());
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            result.completeExceptionally(e);
            throw e;
        }
        try {
            result.complete(work.run(stage));
            return stage.index();
        } catch (Throwable t) {
            result.completeExceptionally(t);
            throw t;
        } finally {
            slots.release();
        }
    }

    /**
     * Waits (bounded, whatever interrupts come) until every stage thread has returned. Stage
     * threads only remain here when the build is failing already, so an interrupt meanwhile (Ctrl-C)
     * cancels them too and is not passed on: the cleanup that follows must still be able to work.
     */
    /**
     * Shuts {@code pool} down, interrupting what runs when {@code cancel} (a failure, Ctrl-C), and
     * waits for its threads to stop (bounded), so cleanup afterwards never races them.
     */
    public static void stop(ExecutorService pool, boolean cancel) {
        if (cancel) {
            pool.shutdownNow();
        } else {
            pool.shutdown();
        }
        awaitStopped(pool);
    }

    private static void awaitStopped(ExecutorService pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
        while (!pool.isTerminated() && System.nanoTime() < deadline) {
            try {
                pool.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                pool.shutdownNow();
            }
        }
    }
}

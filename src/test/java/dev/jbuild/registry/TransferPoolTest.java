package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransferPoolTest {

    private static TransferPool pool(int parallelism) {
        return new TransferPool(RegistryOptions.builder().parallelism(parallelism).build());
    }

    @Test
    void runsEveryTaskAtMostParallelismAtOnce() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<TransferPool.Task> tasks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tasks.add(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                threads.add(Thread.currentThread().getName());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                running.decrementAndGet();
                done.incrementAndGet();
            });
        }
        pool(3).runAll(tasks, "test-pull");
        assertEquals(12, done.get());
        assertTrue(most.get() <= 3, "at most 3 at once, saw " + most.get());
        assertTrue(threads.stream().allMatch(n -> n.startsWith("test-pull-")), threads.toString());
    }

    @Test
    void aSingleTaskRunsOnTheCallersThread() throws Exception {
        String[] ran = new String[1];
        pool(4).runAll(List.of(() -> ran[0] = Thread.currentThread().getName()), "test");
        assertEquals(Thread.currentThread().getName(), ran[0]);
    }

    @Test
    void runtimeExceptionsPassThrough() {
        IllegalStateException bug = new IllegalStateException("bug");
        TransferPool.Task ok = () -> {};
        assertSame(bug, assertThrows(IllegalStateException.class, () -> pool(2).runAll(List.of(ok, () -> {
            throw bug;
        }), "test")));
    }

    /**
     * A failure of the last transfer started stops the earlier ones at once (not after they finish), and
     * the call returns only when the stopped ones have cleaned up.
     */
    @Test
    void theFirstFailureStopsTheOthersBeforeItIsThrown() throws Exception {
        IOException failure = new IOException("broken");
        CountDownLatch othersStarted = new CountDownLatch(2);
        AtomicInteger stopped = new AtomicInteger();
        TransferPool.Task slow = () -> {
            othersStarted.countDown();
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(1));
            } catch (InterruptedException e) {
                // Like a cancelled download: clean up, then stop.
                try {
                    Thread.sleep(50);
                } catch (InterruptedException again) {
                    // keep stopping
                }
                stopped.incrementAndGet();
            }
        };
        TransferPool.Task failing = () -> {
            try {
                othersStarted.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            throw failure;
        };
        long start = System.nanoTime();
        IOException thrown = assertThrows(IOException.class, () -> pool(3).runAll(List.of(slow, slow, failing), "test"));
        assertSame(failure, thrown);
        assertEquals(2, stopped.get(), "both stopped transfers finished their clean-up before the call returned");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "stopped at once, not after a minute");
    }
}

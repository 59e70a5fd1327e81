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
}

package dev.jbuild.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.store.Store;
import dev.jbuild.store.StoreMaintenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment settings of the collection after builds. */
class AutoCollectionTest {

    @TempDir
    Path temp;

    @Test
    void defaultsAreTenPercentOfTheFileSystemEveryHour() throws Exception {
        Store store = Store.open(temp.resolve("store"));
        StoreMaintenance.GcPolicy policy = AutoCollection.policy(Map.of(), store).orElseThrow();
        assertEquals(Files.getFileStore(store.root()).getTotalSpace() / 10, policy.keepStorage());
        assertEquals(Duration.ofHours(1), policy.interval());
        assertEquals(Duration.ofHours(48), policy.danglingAge());
    }

    @Test
    void environmentSetsOrTurnsItOff() throws Exception {
        Store store = Store.open(temp.resolve("store"));
        StoreMaintenance.GcPolicy policy = AutoCollection.policy(
                Map.of(AutoCollection.KEEP_STORAGE, "5GB", AutoCollection.INTERVAL, "10m"), store).orElseThrow();
        assertEquals(5_000_000_000L, policy.keepStorage());
        assertEquals(Duration.ofMinutes(10), policy.interval());
        assertTrue(AutoCollection.policy(Map.of(AutoCollection.KEEP_STORAGE, "off"), store).isEmpty());
        assertThrows(IllegalArgumentException.class,
                () -> AutoCollection.policy(Map.of(AutoCollection.KEEP_STORAGE, "lots"), store));
        assertThrows(IllegalArgumentException.class,
                () -> AutoCollection.policy(Map.of(AutoCollection.INTERVAL, "soon"), store));
    }
}

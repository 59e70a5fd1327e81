package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.testing.Integration;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' class archive is only as good as its training run: every command of it has to
 * work (against its own loopback registry), or that command's classes silently miss the archive.
 */
@Integration
class TrainingRunTest {

    @TempDir
    Path dir;

    @Test
    void everyTrainingCommandSucceeds() throws Exception {
        List<String> failed = TrainingRun.train(dir);
        assertEquals(List.of(), failed);
    }
}

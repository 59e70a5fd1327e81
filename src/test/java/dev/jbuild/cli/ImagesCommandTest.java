package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.store.Store;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbuild images}: docker's columns, CREATED as "2 hours ago" against an injected clock. */
class ImagesCommandTest {

    @Test
    void createdIsAnAgeAndColumnsFitTheirContent(@TempDir Path temp) throws Exception {
        Files.writeString(temp.resolve("a.txt"), "a\n");
        Files.writeString(temp.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
        Path root = temp.resolve("store");
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        String twoHoursAgo = String.valueOf(now.minusSeconds(2 * 3600).getEpochSecond());
        String threeDaysAgo = String.valueOf(now.minusSeconds(3 * 86400).getEpochSecond());
        for (String[] build : new String[][] {{"app:1", twoHoursAgo}, {"registry.example:5000/team/backend:v2", threeDaysAgo}}) {
            CliTest.Result result = CliTest.run("--root", root.toString(), "-q", "-t", build[0], "--build-arg",
                    "SOURCE_DATE_EPOCH=" + build[1], temp.toString());
            assertEquals(0, result.exitCode(), result.err());
        }
        StringWriter out = new StringWriter();
        new ImagesCommand().print(Store.open(root), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), now);
        // IDs are digests; a size depends on the zlib build by a few bytes.
        String table = out.toString().replaceAll("\\b[0-9a-f]{12}\\b", "ID0123456789").replaceAll("\\d{3} B\n", "N B\n");
        assertEquals("""
                REPOSITORY                           TAG   IMAGE ID       CREATED       SIZE
                app                                  1     ID0123456789   2 hours ago   N B
                registry.example:5000/team/backend   v2    ID0123456789   3 days ago    N B
                """, table);
    }
}

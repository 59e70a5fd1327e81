package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** docker's {@code --ulimit NAME=SOFT[:HARD]}, as go-units' ParseUlimit reads it. */
class ResourceLimitTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "nofile=1024:2048 | nofile | 1024 | 2048",
        "nproc=512 | nproc | 512 | 512",
        "core=-1 | core | -1 | -1",
        "core=unlimited | core | -1 | -1",
        "core=0:-1 | core | 0 | -1",
        "stack=8388608:unlimited | stack | 8388608 | -1",
        "cpu=0 | cpu | 0 | 0",
        "rttime=-1:-1 | rttime | -1 | -1",
        "nice=10:20 | nice | 10 | 20"
    })
    void softAndHardAsDockerReadsThem(String value, String name, long soft, long hard) {
        assertEquals(new ResourceLimit(name, soft, hard), ResourceLimit.parse(value));
    }

    @Test
    void everyNameOfGoUnits() {
        assertEquals(List.of("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc",
                "rss", "rtprio", "rttime", "sigpending", "stack"), List.copyOf(ResourceLimit.NAMES.keySet()));
        for (String name : ResourceLimit.NAMES.keySet()) {
            assertEquals("--" + name + "=1:2", ResourceLimit.parse(name + "=1:2").prlimitOption());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "nofile | want NAME=SOFT[:HARD]",
        "as=1 | unknown limit as (one of core, cpu,",
        "NOFILE=1 | unknown limit NOFILE",
        "=1 | unknown limit ",
        "nofile=2048:1024 | the soft limit 2048 is above the hard limit 1024",
        "nofile=-1:1024 | the soft limit is unlimited but the hard limit is 1024",
        "nofile=1:2:3 | too many values",
        "nofile= | invalid number (empty)",
        "nofile=1: | invalid number (empty)",
        "nofile=lots | invalid number lots",
        "nofile=-2 | invalid number -2",
        "nofile=1.5 | invalid number 1.5",
        "nofile=+5 | invalid number +5",
        "nofile=99999999999999999999 | invalid number 99999999999999999999",
        "nofile=9999999999999999999 | invalid number 9999999999999999999: too large"
    })
    void badValuesSayWhatIsWrong(String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResourceLimit.parse(value));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void oneSpellingPerLimitForTheCacheKey() {
        assertEquals("nofile=1024:1024", ResourceLimit.parse("nofile=1024").toString());
        assertEquals("core=unlimited:unlimited", ResourceLimit.parse("core=-1").toString());
        assertEquals(ResourceLimit.parse("core=-1").toString(), ResourceLimit.parse("core=unlimited").toString());
        assertEquals("--stack=1024:unlimited", ResourceLimit.parse("stack=1024:-1").prlimitOption());
    }
}

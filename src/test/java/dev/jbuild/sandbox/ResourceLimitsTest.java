package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the agent refuses before a run, and how it reads the kernel's tables. */
class ResourceLimitsTest {

    /** The kernel's format ("%-25s %-20s %-20s %-10s"), as an unprivileged user's shell has it. */
    static final String PROC_LIMITS = """
            Limit                     Soft Limit           Hard Limit           Units     \n\
            Max cpu time              unlimited            unlimited            seconds   \n\
            Max file size             unlimited            unlimited            bytes     \n\
            Max data size             unlimited            unlimited            bytes     \n\
            Max stack size            8388608              unlimited            bytes     \n\
            Max core file size        0                    unlimited            bytes     \n\
            Max resident set          unlimited            unlimited            bytes     \n\
            Max processes             96367                96367                processes \n\
            Max open files            1024                 20000                files     \n\
            Max locked memory         8388608              8388608              bytes     \n\
            Max address space         unlimited            unlimited            bytes     \n\
            Max file locks            unlimited            unlimited            locks     \n\
            Max pending signals       96367                96367                signals   \n\
            Max msgqueue size         819200               819200               bytes     \n\
            Max nice priority         0                    0                    \n\
            Max realtime priority     0                    0                    \n\
            Max realtime timeout      unlimited            unlimited            us        \n\
            """;

    static final IdMapping ROOTLESS = new IdMapping(IdMapping.Kind.SUBORDINATE, 1000, 1000, 100000, 65536, 100000, 65536);
    static final IdMapping ROOT = new IdMapping(IdMapping.Kind.IDENTITY, 0, 0, 0, 0, 0, 0);

    @Test
    void hardLimitsByName() {
        Map<String, Long> hard = ResourceLimits.hardLimits(PROC_LIMITS);
        assertEquals(15, hard.size(), hard.toString());
        assertEquals(20000L, hard.get("nofile"));
        assertEquals(ResourceLimit.UNLIMITED, hard.get("core"));
        assertEquals(0L, hard.get("nice"));
        assertEquals(0L, hard.get("rtprio"));
        assertEquals(96367L, hard.get("nproc"));
        assertEquals(ResourceLimit.UNLIMITED, hard.get("rttime"));
        assertFalse(hard.containsKey("as"), "no --ulimit name");
    }

    @Test
    void lowerOrEqualHardLimitsAndRaisedSoftOnesAreFine() {
        Map<String, Long> hard = ResourceLimits.hardLimits(PROC_LIMITS);
        assertNull(ResourceLimits.problem(List.of(ResourceLimit.parse("nofile=20000:20000"),
                ResourceLimit.parse("core=-1"), ResourceLimit.parse("nproc=1"), ResourceLimit.parse("nice=0")), hard,
                "a rootless build", 1048576));
    }

    @Test
    void aHardLimitAboveTheCurrentOneIsRefusedByNameWhenItCannotBeRaised() {
        Map<String, Long> hard = ResourceLimits.hardLimits(PROC_LIMITS);
        String problem = ResourceLimits.problem(List.of(ResourceLimit.parse("core=-1"),
                ResourceLimit.parse("nofile=1024:20001")), hard, "a rootless build", 1048576);
        assertTrue(problem.startsWith("--ulimit nofile=1024:20001: the hard limit 20001 is above the build's own hard"
                + " limit of nofile, 20000, which a rootless build cannot raise"), problem);
        assertTrue(problem.contains("ask for at most 20000"), problem);
        String unlimited = ResourceLimits.problem(List.of(ResourceLimit.parse("memlock=-1")), hard, "a rootless build", 0);
        assertTrue(unlimited.startsWith("--ulimit memlock=unlimited:unlimited: the hard limit unlimited is above"), unlimited);
        assertNull(ResourceLimits.problem(List.of(ResourceLimit.parse("nofile=1024:20001")), hard, null, 1048576),
                "root with CAP_SYS_RESOURCE raises it");
    }

    @Test
    void nofileAboveTheKernelsMaximumIsRefusedEvenForRoot() {
        String problem = ResourceLimits.problem(List.of(ResourceLimit.parse("nofile=2000000")),
                ResourceLimits.hardLimits(PROC_LIMITS), null, 1048576);
        assertEquals("--ulimit nofile=2000000:2000000: the kernel allows at most 1048576 open files per process"
                + " (fs.nr_open)", problem);
    }

    @Test
    void onlyRootWithCapSysResourceOutsideAUserNamespaceMayRaise() {
        String full = "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n";
        String docker = "Name:\tjava\nCapEff:\t00000000a80425fb\n"; // docker's default set
        assertNull(ResourceLimits.cannotRaise(ROOT, full));
        assertTrue(ResourceLimits.cannotRaise(ROOT, docker).startsWith("root without CAP_SYS_RESOURCE"));
        assertTrue(ResourceLimits.cannotRaise(ROOT, "CapEff:\t000001fffeffffff\n").startsWith("root without"),
                "every capability but CAP_SYS_RESOURCE");
        assertEquals("a rootless build", ResourceLimits.cannotRaise(ROOTLESS, full),
                "capabilities in a user namespace do not count");
    }

    @Test
    void unlimitedIsAboveEveryNumber() {
        assertTrue(ResourceLimits.above(-1, Long.MAX_VALUE));
        assertFalse(ResourceLimits.above(-1, -1));
        assertFalse(ResourceLimits.above(Long.MAX_VALUE, -1));
        assertTrue(ResourceLimits.above(2, 1));
        assertFalse(ResourceLimits.above(1, 1));
    }

    @Test
    void prlimitStartsTheCommandWithEveryLimit() {
        assertEquals(List.of("/usr/bin/prlimit", "--core=unlimited:unlimited", "--nofile=1024:2048", "--"),
                ResourceLimits.prlimitCommand("/usr/bin/prlimit", List.of(ResourceLimit.parse("core=-1"),
                        ResourceLimit.parse("nofile=1024:2048"))));
        assertEquals(List.of(), ResourceLimits.prlimitCommand("/usr/bin/prlimit", List.of()), "no limits, no prlimit");
    }
}

package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Assertions on the outcomes of {@link Scenarios}, run once per snapshotter by a subclass that decides who
 * runs them (this JVM's user, or the unprivileged test user in another JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ScenarioChecks {

    /** Outcomes per snapshotter (OVERLAY, COPY). */
    abstract Map<Snapshotter, Map<String, Scenarios.Outcome>> outcomes();

    /** Where the scenarios kept their work (for host-side checks such as the cache directory). */
    abstract Path workRoot(Snapshotter s);

    private void each(BiConsumer<Snapshotter, Map<String, Scenarios.Outcome>> check) {
        assertEquals(2, outcomes().size(), "both snapshotters ran");
        outcomes().forEach(check);
    }

    private static Scenarios.Outcome ok(Map<String, Scenarios.Outcome> o, String name) {
        Scenarios.Outcome r = o.get(name);
        assertNull(r.error(), name + ": " + r.error());
        return r;
    }

    @Test
    void basicChangesHaveContainerIdsModesLinksAndDeletions() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "basics");
            assertEquals(0, r.exitCode(), s + ": " + r.output());
            assertEquals(List.of(
                    "Directory base 755 0:0",
                    "Directory base/dir 755 0:0",
                    "Directory home 755 0:0",
                    "Directory home/app 700 1000:1000",
                    "Directory new 755 0:0",
                    "Directory new/dir 755 0:0",
                    "Directory new/sgid 2775 0:0",
                    "Hardlink new/hard2 644 0:0 => new/hard1",
                    "OpaqueWhiteout base/dir",
                    "RegularFile base/chmod-me 600 0:0 2 73cb3858a687",
                    "RegularFile base/dir/f0 644 0:0 6 9252a75c942d",
                    "RegularFile home/app/private 600 1000:1000 2 73cb3858a687",
                    "RegularFile new/dir/file 644 0:0 6 5891b5b522d5",
                    "RegularFile new/hard1 644 0:0 2 91ee5e9f42ba",
                    "RegularFile new/nobody 644 65534:65534 2 a4fb621495a0",
                    "RegularFile new/owned 644 1000:1000 2 7427d152005f",
                    "RegularFile new/suid 4755 0:0 " + suidLine(r),
                    "Symlink new/link 777 0:0 -> ../keep",
                    "Whiteout base/delete-me"), r.listing(), s.toString());
        });
    }

    private static String suidLine(Scenarios.Outcome r) {
        return r.listing().stream().filter(l -> l.startsWith("RegularFile new/suid ")).findFirst().orElseThrow()
                .substring("RegularFile new/suid 4755 0:0 ".length());
    }

    @Test
    void bothSnapshottersGiveTheSameLayers() {
        Map<String, Scenarios.Outcome> overlay = outcomes().get(Snapshotter.OVERLAY);
        Map<String, Scenarios.Outcome> copy = outcomes().get(Snapshotter.COPY);
        assertEquals(overlay.keySet(), copy.keySet());
        for (String name : overlay.keySet()) {
            if (name.equals("cwd-escape")) {
                continue;
            }
            assertEquals(overlay.get(name).listing(), copy.get(name).listing(), name);
            assertEquals(overlay.get(name).diffId(), copy.get(name).diffId(), name);
        }
    }

    @Test
    void readOnlyCommandsChangeNothing() {
        each((s, o) -> {
            for (String name : List.of("noop", "network-none", "network-host", "etc-files", "pid-ns", "environment",
                    "symlink-cwd", "bind-symlink", "bind-rw", "cache-1", "cache-2", "secret", "tmpfs",
                    "mount-through-symlink", "shm-default", "shm-size")) {
                Scenarios.Outcome r = ok(o, name);
                assertEquals(0, r.exitCode(), s + " " + name + ": " + r.output());
                assertEquals(List.of(), r.listing(), s + " " + name);
            }
        });
    }

    @Test
    void exitCodeAndBothStreamsArePassedOn() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "exit");
            assertEquals(42, r.exitCode());
            assertTrue(r.output().containsAll(List.of("out", "err")), r.output().toString());
            Scenarios.Outcome nf = ok(o, "not-found");
            assertEquals(127, nf.exitCode());
            assertTrue(nf.out().contains("/no/such/program"), nf.out());
        });
    }

    @Test
    void namesResolveInsideTheImage() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "add-user");
            assertEquals(0, r.exitCode(), r.out());
            assertEquals(List.of("uid=1234(bob) gid=1234(bob) groups=1234(bob)"), r.output());
            assertTrue(r.listing().contains("Directory home/bob 750 1234:1234"), r.listing().toString());
            assertTrue(r.listing().stream().anyMatch(l -> l.startsWith("RegularFile etc/passwd 644 0:0")));
        });
    }

    @Test
    void commandRunsAsTheRequestedUserInTheRequestedDirectory() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "user");
            assertEquals(List.of("uid=1000(app) gid=1000(app) groups=65534(nobody)", "/home/app"), r.output());
            assertEquals(List.of("Directory home 755 0:0", "Directory home/app 700 1000:1000",
                    "RegularFile home/app/mine 644 1000:1000 5 fcbc800db3f1"), r.listing());
            Scenarios.Outcome c = ok(o, "cwd-created");
            assertEquals(List.of("/made/by/workdir"), c.output());
            assertEquals(List.of("Directory made 755 0:0", "Directory made/by 755 0:0",
                    "Directory made/by/workdir 755 0:0"), c.listing());
        });
    }

    @Test
    void idsOutsideTheMappingFailClearly() {
        each((s, o) -> {
            Scenarios.Outcome r = o.get("id-out-of-range");
            if (r.error() == null) {
                // Real root has every id: the command simply runs.
                assertEquals(0, r.exitCode());
            } else {
                assertTrue(r.error().contains("cannot run as 70000:0"), r.error());
                assertTrue(r.error().contains("/etc/subuid"), r.error());
            }
        });
    }

    @Test
    void networkNoneHasOnlyLoopback() {
        each((s, o) -> {
            assertEquals(List.of("lo"), ok(o, "network-none").output().stream().map(String::strip).toList());
            assertTrue(Integer.parseInt(ok(o, "network-host").output().get(0).strip()) >= 1);
        });
    }

    @Test
    void ulimitsApplyToTheCommandAndWhatItStarts() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "ulimit");
            assertEquals(0, r.exitCode(), r.out());
            assertEquals(List.of("1024", "2048", "Max core file size unlimited unlimited bytes",
                    "Max processes 500 600 processes", "Max open files 1024 2048 files", "1024"),
                    r.output().stream().map(l -> l.replaceAll("\\s+", " ").strip()).toList());
            assertEquals(List.of(), r.listing(), "limits leave nothing in the layer");
        });
    }

    /** Raising a hard limit needs CAP_SYS_RESOURCE outside any user namespace: refused, naming the limit. */
    @Test
    void aHardLimitThatCannotBeRaisedIsRefusedByName() {
        each((s, o) -> {
            Scenarios.Outcome r = o.get("ulimit-raise");
            if (r.error() == null) {
                // Root with CAP_SYS_RESOURCE raises it (as docker does).
                assertEquals(0, r.exitCode(), r.out());
            } else {
                assertTrue(r.error().startsWith("--ulimit nofile=1024:"), r.error());
                assertTrue(r.error().contains("is above the build's own hard limit of nofile")
                        || r.error().contains("(fs.nr_open)"), r.error());
                assertFalse(r.error().contains("Operation not permitted"), r.error());
            }
        });
    }

    @Test
    void shmSizeSizesTheDevShmTmpfs() {
        each((s, o) -> {
            String standard = ok(o, "shm-default").out();
            assertTrue(standard.contains(" /dev/shm tmpfs ") && !standard.contains("size="),
                    "without --shm-size, tmpfs's default size: " + standard);
            List<String> sized = ok(o, "shm-size").output();
            assertTrue(sized.get(0).contains(" /dev/shm tmpfs ") && sized.get(0).contains(",size=262144k"), sized.get(0));
            assertEquals("262144", sized.get(1).strip().split("\\s+")[1], "df's total: " + sized.get(1));
        });
    }

    @Test
    void etcFilesAreProvidedAndNeverCommitted() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "etc-files");
            assertEquals(List.of("127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback",
                    "127.0.1.1\tbuildhost", "buildhost", "buildhost", "resolv-ok"), r.output());
        });
    }

    @Test
    void commandIsPidOneOfItsOwnPidNamespace() {
        each((s, o) -> {
            List<String> ps = ok(o, "pid-ns").output();
            assertEquals("1 sh", ps.get(0).strip(), ps.toString());
            assertTrue(ps.size() <= 3, ps.toString());
        });
    }

    @Test
    void environmentIsExactlyTheGivenOnePlusDefaultPath() {
        each((s, o) -> assertEquals(List.of("A=1", "B=two words",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), ok(o, "environment").output()));
    }

    @Test
    void twoThousandFiles() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "many-files");
            assertEquals(2001, r.listing().size());
        });
    }

    /** runc CVE-2024-21626: no descriptor to a host directory reaches the command. */
    @Test
    void workingDirectoryCannotEscapeThroughProcFd() {
        each((s, o) -> {
            String all = ok(o, "cwd-escape").out();
            for (int fd = 3; fd <= 9; fd++) {
                assertTrue(all.contains("fd" + fd + " exit=1"), all);
            }
            for (String hostOnly : List.of(".dockerenv", "lost+found", "boot", "farm", "jbt", "work", "stage", ".old",
                    "usr/bin/setpriv")) {
                assertFalse(all.lines().anyMatch(l -> l.strip().equals(hostOnly)), hostOnly + " seen in:\n" + all);
            }
        });
    }

    /** Buildah CVE-2024-1753: a bind source that is a symlink to / resolves inside its own tree. */
    @Test
    void bindSourceSymlinkToRootStaysInItsTree() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "bind-symlink");
            assertTrue(r.output().contains("marker-in-context"), r.output().toString());
            assertTrue(r.output().contains("ro"), "read-only by default: " + r.output());
            assertEquals(List.of("w"), ok(o, "bind-rw").output());
            assertFalse(Files.exists(workRoot(s).resolve("context/w")), "rw bind writes are thrown away");
        });
    }

    @Test
    void cacheIdsCannotNameOtherDirectories() throws Exception {
        each((s, o) -> {
            assertEquals(List.of("cached"), ok(o, "cache-2").output());
            Path caches = workRoot(s).resolve("caches");
            assertTrue(Files.isDirectory(caches.resolve(ExtraMounts.sha256("../../escape"))));
            assertFalse(Files.exists(caches.resolve("../escape")));
            assertFalse(Files.exists(workRoot(s).resolve("../escape")));
        });
    }

    @Test
    void secretsAreReadOnlyOwnedAndNeverCommitted() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "secret");
            assertEquals(List.of("s3cr3t-value", "400:0:0", "readonly"), r.output());
            assertEquals(List.of(), r.listing());
        });
    }

    @Test
    void mountTargetsResolveInsideTheRootfs() {
        each((s, o) -> assertEquals(List.of("/tmp/viasym"), ok(o, "mount-through-symlink").output()));
    }

    @Test
    void chainedRunsSeeEarlierChangesAndDeleteAcrossLayers() {
        each((s, o) -> {
            assertEquals(List.of("Directory chain 755 0:0", "RegularFile chain/a 644 0:0 2 4355a46b19d3",
                    "RegularFile chain/b 644 0:0 2 53c234e5e847"), ok(o, "chain-1").listing());
            Scenarios.Outcome second = ok(o, "chain-2");
            assertEquals(List.of("1"), second.output());
            assertEquals(List.of("Directory base 755 0:0", "Directory chain 755 0:0",
                    "RegularFile chain/c 644 0:0 2 1121cfccd591", "Whiteout base/keep", "Whiteout chain/a"),
                    second.listing());
        });
    }

    /**
     * {@code setcap} in a RUN reaches the layer as the {@code security.capability} xattr in the namespace's own
     * terms (revision 2: no root id, whoever runs the build), for a new file and for a base file whose content
     * did not change; a later {@code setcap -r} writes the file again without it.
     */
    @Test
    void fileCapabilitiesThatARunSetsAreKept() {
        each((s, o) -> {
            // VFS_CAP_REVISION_2 | effective, then permitted/inheritable words (little endian): net_raw is bit 13,
            // net_bind_service bit 10 (inheritable too, from =eip).
            assertEquals(List.of("bin/busybox 0100000200040000000400000000000000000000",
                    "new-cap 0100000200200000000000000000000000000000"), ok(o, "caps-1").output());
            assertEquals(List.of("new-cap none"), ok(o, "caps-2").output());
            // A base layer's capabilities are set on the unpacked file, so a RUN sees them, and nothing changed.
            assertEquals(List.of("/usr/capped cap_net_raw=ep"), ok(o, "caps-base").output());
            assertEquals(List.of(), ok(o, "caps-base").listing());
        });
    }

    /**
     * Names a command makes are bytes: ones that are not UTF-8 and non-ASCII UTF-8 ones reach the layer's tar
     * headers byte for byte (file, directory, symlink target, hard link, FIFO, and the whiteouts of a later
     * step), as GNU tar reads them (its escape quoting shows each byte that is not ASCII as octal).
     */
    @Test
    void namesTheCommandMakesKeepTheirBytesInTheLayer() {
        each((s, o) -> {
            ok(o, "raw-names-1");
            assertEquals(List.of(
                    "d raw/",
                    "- raw/bad\\377\\376name",
                    "d raw/caf\\303\\251/",
                    "- raw/caf\\303\\251/bad\\377\\376name",
                    "l raw/caf\\303\\251/link -> ../t\\377",
                    "h raw/h\\377 link to raw/bad\\377\\376name",
                    "l raw/l\\377 -> t\\376",
                    "p raw/p\\377"), gnuTarListing(workRoot(s).resolve("raw-names-1.tar")), s.toString());
            ok(o, "raw-names-2");
            assertEquals(List.of(
                    "d raw/",
                    "- raw/.wh.bad\\377\\376name",
                    "- raw/.wh.caf\\303\\251"), gnuTarListing(workRoot(s).resolve("raw-names-2.tar")), s.toString());
        });
    }

    /** Type letter and name (with link target) of each entry, in archive order. */
    private static List<String> gnuTarListing(Path tar) {
        String out = ExternalTool.command("tar", "--quoting-style=escape", "-tvf", tar.toString())
                .env("LC_ALL", "C").runSuccessfully().stdout();
        Pattern line = Pattern.compile("^(.)\\S+ \\S+ +\\d+ \\S+ \\S+ (.*)$");
        return out.lines().map(l -> {
            Matcher m = line.matcher(l);
            assertTrue(m.matches(), l);
            return m.group(1) + " " + m.group(2);
        }).toList();
    }

    /** A read-write bind of a FIFO gets a FIFO of its own, and the run does not wait for a writer. */
    @Test
    void readWriteBindOfAFifoIsNotOpened() {
        each((s, o) -> {
            Scenarios.Outcome r = ok(o, "bind-rw-fifo");
            assertEquals(List.of("fifo"), r.output(), s.toString());
            assertEquals(List.of(), r.listing(), s.toString());
        });
    }
}

package dev.jbuild.dockerfile;

import static dev.jbuild.dockerfile.Parsing.failure;
import static dev.jbuild.dockerfile.Parsing.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {

    @Test
    void flagsStayOnTheNodeAsWritten() throws Exception {
        Dockerfile d = parse("FROM scratch", "COPY --from=build --chown=1:1 --link a /b");
        assertEquals(List.of("--from=build", "--chown=1:1", "--link"), d.nodes().get(1).flags());
        assertEquals(List.of("a", "/b"), d.nodes().get(1).args());
    }

    @Test
    void quotesInFlagValuesAreResolvedAndDoubleDashEndsFlags() throws Exception {
        Dockerfile d = parse("FROM scratch", "COPY --chown=\"a b\" -- --weird /b");
        assertEquals(List.of("--chown=a b"), d.nodes().get(1).flags());
        assertEquals(List.of("--weird"), ((Instruction.Copy) d.instructions().get(1)).sources());
    }

    @Test
    void copyFlags() throws Exception {
        Instruction.Copy copy = (Instruction.Copy) parse("FROM scratch",
                "COPY --from=build --chown=app:app --chmod=0644 --link --parents --exclude=*.md --exclude=.git a b /dst/")
                .instructions().get(1);
        assertEquals("build", copy.from());
        assertEquals("app:app", copy.chown());
        assertEquals("0644", copy.chmod());
        assertTrue(copy.link());
        assertTrue(copy.parents());
        assertEquals(List.of("*.md", ".git"), copy.excludes());
        assertEquals(List.of("a", "b"), copy.sources());

        Instruction.Copy plain = (Instruction.Copy) parse("FROM scratch", "COPY --link=false a /b").instructions().get(1);
        assertNull(plain.from());
        assertNull(plain.chown());
        assertFalse(plain.link());
        assertEquals(List.of(), plain.excludes());
    }

    @Test
    void addFlags() throws Exception {
        Instruction.Add add = (Instruction.Add) parse("FROM scratch",
                "ADD --checksum=sha256:abc --keep-git-dir=TRUE --unpack=false --chmod=755 https://x/y.tgz /opt/")
                .instructions().get(1);
        assertEquals("sha256:abc", add.checksum());
        assertTrue(add.keepGitDir());
        assertEquals(Boolean.FALSE, add.unpack());
        assertEquals("755", add.chmod());
        Instruction.Add plain = (Instruction.Add) parse("FROM scratch", "ADD a /b").instructions().get(1);
        assertNull(plain.unpack());
        assertFalse(plain.keepGitDir());
        assertEquals("unknown flag: from", failure("FROM scratch", "ADD --from=x a /b").getMessage());
    }

    @Test
    void runFlags() throws Exception {
        Instruction.Run run = (Instruction.Run) parse("FROM scratch",
                "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm --network=none --security=insecure make")
                .instructions().get(1);
        assertEquals(List.of("type=cache,target=/root/.cache", "type=secret,id=npm"),
                run.mounts().stream().map(MountFlag::value).toList());
        assertEquals("none", run.network());
        assertEquals("insecure", run.security());
        Instruction.Run plain = (Instruction.Run) parse("FROM scratch", "RUN make").instructions().get(1);
        assertNull(plain.network());
        assertNull(plain.security());
        assertEquals(List.of(), plain.mounts());
        assertEquals("invalid network mode \"bridge\"", failure("FROM scratch", "RUN --network=bridge x").getMessage());
        assertEquals("security \"yes\" is not valid", failure("FROM scratch", "RUN --security=yes x").getMessage());
    }

    @Test
    void fromPlatform() throws Exception {
        Instruction.From from = (Instruction.From) parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build")
                .instructions().get(0);
        assertEquals("$BUILDPLATFORM", from.platform());
        assertEquals("golang:1.22", from.image());
        assertEquals("build", from.stageName());
    }

    @Test
    void healthcheckFlagsUseGoDurations() throws Exception {
        Instruction.Healthcheck h = (Instruction.Healthcheck) parse("FROM scratch",
                "HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=0s --start-interval=500ms --retries=3 CMD true")
                .instructions().get(1);
        assertEquals(Duration.ofSeconds(90), h.interval());
        assertEquals(Duration.ofMillis(1500), h.timeout());
        assertEquals(Duration.ZERO, h.startPeriod());
        assertEquals(Duration.ofMillis(500), h.startInterval());
        assertEquals(3, h.retries());
        assertEquals(0, ((Instruction.Healthcheck) parse("FROM scratch", "HEALTHCHECK --retries=0 CMD true")
                .instructions().get(1)).retries());
    }

    @Test
    void healthcheckFlagErrors() {
        assertEquals("Interval \"interval\" cannot be less than 1ms",
                failure("FROM scratch", "HEALTHCHECK --interval=999us CMD true").getMessage());
        assertEquals("Interval \"timeout\" cannot be less than 1ms",
                failure("FROM scratch", "HEALTHCHECK --timeout=-1s CMD true").getMessage());
        assertEquals("time: missing unit in duration \"5\"",
                failure("FROM scratch", "HEALTHCHECK --interval=5 CMD true").getMessage());
        assertEquals("time: unknown unit \"d\" in duration \"1d\"",
                failure("FROM scratch", "HEALTHCHECK --interval=1d CMD true").getMessage());
        assertEquals("--retries cannot be negative (-1)",
                failure("FROM scratch", "HEALTHCHECK --retries=-1 CMD true").getMessage());
        assertEquals("invalid --retries value \"x\": invalid syntax",
                failure("FROM scratch", "HEALTHCHECK --retries=x CMD true").getMessage());
        assertEquals("invalid --retries value \"99999999999\": value out of range",
                failure("FROM scratch", "HEALTHCHECK --retries=99999999999 CMD true").getMessage());
        assertEquals("missing a value on flag: interval",
                failure("FROM scratch", "HEALTHCHECK --interval CMD true").getMessage());
    }

    @Test
    void unknownFlagNamesTheFlagAndSuggestsTheClosest() {
        DockerfileSyntaxException e = failure("FROM scratch", "COPY --form=build a /b");
        assertEquals("unknown flag: form (did you mean from?)", e.getMessage());
        assertEquals(2, e.location().startLine());
        assertEquals("unknown flag: foo", failure("FROM scratch", "RUN --foo=bar x").getMessage());
        assertEquals("unknown flag: link", failure("FROM scratch", "CMD --link x").getMessage());
        assertEquals("unknown flag: platform", failure("FROM scratch", "ENV --platform=x A=b").getMessage());
        assertEquals("unknown flag: x", failure("FROM scratch", "ONBUILD --x RUN y").getMessage());
    }

    @Test
    void boolFlagForms() throws Exception {
        assertTrue(((Instruction.Copy) parse("FROM scratch", "COPY --link=True a /b").instructions().get(1)).link());
        assertEquals("expecting boolean value for flag link, not: yes",
                failure("FROM scratch", "COPY --link=yes a /b").getMessage());
        assertEquals("missing a value on flag: link", failure("FROM scratch", "COPY --link= a /b").getMessage());
    }

    @Test
    void stringFlagNeedsAValueAndMayNotRepeat() {
        assertEquals("missing a value on flag: from", failure("FROM scratch", "COPY --from a /b").getMessage());
        assertEquals("duplicate flag specified: from", failure("FROM scratch", "COPY --from=a --from=b c /d").getMessage());
        assertEquals("duplicate flag specified: link", failure("FROM scratch", "COPY --link --link c /d").getMessage());
    }

    @Test
    void flagsAreIgnoredWhereBuildKitIgnoresThem() throws Exception {
        Dockerfile d = parse("ARG --whatever A", "FROM scratch", "STOPSIGNAL --x SIGTERM", "HEALTHCHECK --bogus NONE");
        assertEquals("A", ((Instruction.Arg) d.instructions().get(0)).declarations().get(0).name());
        assertEquals("SIGTERM", ((Instruction.Stopsignal) d.instructions().get(2)).signal());
        assertTrue(((Instruction.Healthcheck) d.instructions().get(3)).disabled());
    }
}

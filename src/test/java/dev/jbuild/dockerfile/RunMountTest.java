package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.dockerfile.RunMount.Bind;
import dev.jbuild.dockerfile.RunMount.Cache;
import dev.jbuild.dockerfile.RunMount.FileOwner;
import dev.jbuild.dockerfile.RunMount.Secret;
import dev.jbuild.dockerfile.RunMount.Sharing;
import dev.jbuild.dockerfile.RunMount.Ssh;
import dev.jbuild.dockerfile.RunMount.Tmpfs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code RUN --mount} against BuildKit's rules: every type, every key, every error. The expected mounts and
 * messages are what BuildKit v0.11.6's {@code instructions.parseMount} gives for the same text (run on it,
 * with an identity expander), plus the per-type checks of its {@code dispatchSecret}/{@code dispatchSSH}.
 */
class RunMountTest {

    private static final FileOwner CACHE_DEFAULT = new FileOwner(0, 0, 0755);
    private static final FileOwner SECRET_DEFAULT = new FileOwner(0, 0, 0400);
    private static final FileOwner SSH_DEFAULT = new FileOwner(0, 0, 0600);

    private static RunMount parse(String spec) throws Exception {
        return MountFlag.of(spec).expand(word -> word);
    }

    private static void rejected(String spec, String message) {
        Exception e = assertThrows(InvalidMountException.class, () -> parse(spec), spec);
        assertEquals(message, e.getMessage(), spec);
    }

    @Test
    void bindIsTheDefaultTypeAndReadOnlyByDefault() throws Exception {
        assertEquals(new Bind("/x", null, "", true), parse("target=/x"));
        assertEquals(new Bind("/x", null, "a", false), parse("type=bind,source=a,target=/x,rw"));
        assertEquals(new Bind("/x", null, "a", false), parse("type=bind,src=a,dst=/x,readonly=false"));
        assertEquals(new Bind("/x", null, "", true), parse("type=bind,destination=/x,ro=true"));
        assertEquals(new Bind("/x", null, "", false), parse("type=bind,target=/x,readwrite=1"));
        assertEquals(new Bind("/x", null, "", true), parse("type=bind,target=/x,rw=false"));
        assertEquals(new Bind("/x", null, "", true), parse("type=bind,target=/x,readonly"));
        assertEquals(new Bind("/x", null, "", false), parse("type=bind,target=/x,readwrite"));
        assertEquals(new Bind("/x", "stage", "/out", true), parse("type=bind,from=stage,source=/out,target=/x"));
        assertEquals(new Bind("rel", null, "", true), parse("type=bind,target=rel"), "WORKDIR is the build's");
        assertEquals(new Bind("/x", null, "", true), parse("type=bind,target=/x,id=ignored"), "id is allowed and unused");
    }

    @Test
    void keysAndTypesInAnyCaseTheLastOfARepeatedKeyWins() throws Exception {
        assertEquals(new Bind("/x", null, "", true), parse("type=BIND,target=/x"));
        assertEquals(new Bind("/x", null, "", true), parse("TYPE=bind,Target=/x"));
        assertEquals(new Ssh("x", null, false, SSH_DEFAULT), parse("type=SSH,Id=x"));
        assertEquals(new Bind("/b", null, "", true), parse("type=bind,target=/a,target=/b"));
        assertEquals(new Bind("/b", "two", "", true), parse("from=one,target=/b,from=two"));
        assertEquals(new Tmpfs("/t", 0, false), parse("type=bind,type=tmpfs,target=/t"));
    }

    @Test
    void fieldsAreCsv() throws Exception {
        assertEquals(new Bind("/a,b", null, "", true), parse("type=bind,\"target=/a,b\""));
        assertEquals(new Bind("/a\"b", null, "", true), parse("\"type=bind\",\"target=/a\"\"b\""));
        rejected("type=bind,target=\"/x\"",
                "failed to parse csv mounts: parse error on line 1, column 18: bare \" in non-quoted-field");
        rejected("type=bind,target=/é\",x",
                "failed to parse csv mounts: parse error on line 1, column 21: bare \" in non-quoted-field");
        rejected("\"type=bind",
                "failed to parse csv mounts: parse error on line 1, column 11: extraneous or missing \" in quoted-field");
        rejected("\"type=bind\"x,target=/x",
                "failed to parse csv mounts: parse error on line 1, column 11: extraneous or missing \" in quoted-field");
        rejected("", "failed to parse csv mounts: EOF");
        // no trimming: a space is part of the key
        rejected(" type=bind,target=/x", "unexpected key ' type' in ' type=bind' (did you mean type?)");
    }

    @Test
    void cache() throws Exception {
        assertEquals(new Cache("/c", null, Sharing.SHARED, null, "", false, CACHE_DEFAULT), parse("type=cache,target=/c"));
        assertEquals(new Cache("/go", "go", Sharing.LOCKED, null, "", true, new FileOwner(1000, 100, 0700)),
                parse("type=cache,id=go,target=/go,sharing=LOCKED,mode=0700,uid=1000,gid=100,ro"));
        assertEquals(new Cache("/c", null, Sharing.PRIVATE, null, "", false, CACHE_DEFAULT),
                parse("type=cache,target=/c,sharing=Private"));
        assertEquals(new Cache("/c", null, Sharing.SHARED, null, "", false, new FileOwner(0, 0, 0750)),
                parse("type=cache,target=/c,mode=750"));
        assertEquals(new Cache("/c", null, Sharing.SHARED, "stage", "sub", false, CACHE_DEFAULT),
                parse("type=cache,target=/c,from=stage,source=sub"), "parsed; the build refuses both as not implemented");
    }

    @Test
    void tmpfsSizesAreMemorySizes() throws Exception {
        assertEquals(new Tmpfs("/t", 64L << 20, false), parse("type=tmpfs,target=/t,size=64m"));
        assertEquals(new Tmpfs("/t", 1L << 30, false), parse("type=tmpfs,target=/t,size=1g"));
        assertEquals(new Tmpfs("/t", 1048576, false), parse("type=tmpfs,target=/t,size=1048576"));
        assertEquals(new Tmpfs("/t", 0, false), parse("type=tmpfs,target=/t"));
        assertEquals(new Tmpfs("/t", 0, true), parse("type=tmpfs,target=/t,ro"));
        rejected("type=tmpfs,target=/t,size=lots", "invalid value for size: lots");
        rejected("type=tmpfs,target=/t,size=-1", "invalid value for size: -1");
    }

    @Test
    void secretIdComesFromSourceIdOrTarget() throws Exception {
        assertEquals(new Secret("token", "/run/secrets/token", false, SECRET_DEFAULT, null), parse("type=secret,id=token"));
        assertEquals(new Secret("npmrc", "/etc/npmrc", false, SECRET_DEFAULT, null), parse("type=secret,target=/etc/npmrc"));
        assertEquals(new Secret("tok", "/x", false, SECRET_DEFAULT, null), parse("type=secret,source=tok,target=/x"));
        assertEquals(new Secret("tok", "/run/secrets/tok", false, SECRET_DEFAULT, null), parse("type=secret,src=tok"));
        assertEquals(new Secret("a/b", "/run/secrets/b", false, SECRET_DEFAULT, null), parse("type=secret,id=a/b"),
                "path.Base of the id");
        assertEquals(new Secret("d", "/etc/d/", false, SECRET_DEFAULT, null), parse("type=secret,target=/etc/d/"),
                "path.Base drops trailing slashes");
        assertEquals(new Secret("t", "/run/secrets/t", true, SECRET_DEFAULT, null), parse("type=secret,id=t,required"));
        assertEquals(new Secret("t", "/run/secrets/t", false, SECRET_DEFAULT, null), parse("type=secret,id=t,required=false"));
        assertEquals(new Secret("t", "/run/secrets/t", true, new FileOwner(1, 2, 0440), null),
                parse("type=secret,id=t,required=true,mode=0440,uid=1,gid=2"));
        // env= (Dockerfile 1.10): a variable of the command; a file too only with a target.
        assertEquals(new Secret("tok", null, false, SECRET_DEFAULT, "TOKEN"), parse("type=secret,id=tok,env=TOKEN"));
        assertEquals(new Secret("tok", "/x", true, SECRET_DEFAULT, "TOKEN"), parse("type=secret,id=tok,target=/x,env=TOKEN,required"));
        rejected("type=secret,id=tok,env=", "invalid secret env name \"\"");
        rejected("type=secret,id=tok,env=A=B", "invalid secret env name \"A=B\"");
        rejected("type=bind,target=/x,env=A", "unexpected key 'env' for mount type 'bind'");
        rejected("type=secret,env=A", "invalid secret mount. one of source, target required");
        rejected("type=secret", "invalid secret mount. one of source, target required");
        rejected("type=secret,source=a,id=b", "both source and id can't be set");
        rejected("type=secret,id=x,from=stage", "secret mount should not have a from");
        rejected("type=secret,sharing=shared,id=x", "invalid cache sharing set for secret mount");
        rejected("type=secret,id=x,required=perhaps", "invalid value for required: perhaps");
    }

    @Test
    void ssh() throws Exception {
        Ssh plain = (Ssh) parse("type=ssh");
        assertEquals(new Ssh("default", null, false, SSH_DEFAULT), plain);
        assertEquals("/run/buildkit/ssh_agent.0", plain.target(0));
        assertEquals("/run/buildkit/ssh_agent.2", plain.target(2));
        Ssh full = (Ssh) parse("type=ssh,id=k,target=/agent,required,mode=0666,uid=1000");
        assertEquals(new Ssh("k", "/agent", true, new FileOwner(1000, 0, 0666)), full);
        assertEquals("/agent", full.target(3));
        rejected("type=ssh,source=a", "ssh does not support source");
    }

    @Test
    void unknownTypesKeysAndBareWords() {
        rejected("type=nope,target=/x", "unsupported mount type \"nope\"");
        rejected("type=bnd,target=/x", "unsupported mount type \"bnd\" (did you mean bind?)");
        rejected("type=bind,bogus=1", "unexpected key 'bogus' in 'bogus=1'");
        rejected("type=bind,targt=/x", "unexpected key 'targt' in 'targt=/x' (did you mean target?)");
        rejected("type=bind,target=/x,junk", "invalid field 'junk' must be a key=value pair");
        rejected("type=bind,target=/x,", "invalid field '' must be a key=value pair");
        rejected("type=bind,,target=/x", "invalid field '' must be a key=value pair");
    }

    @Test
    void keysAllowedOnlyForSomeTypesInTheOrderWritten() {
        rejected("type=bind,target=/x,required", "unexpected key 'required' for mount type 'bind'");
        rejected("required,type=secret,id=x", "unexpected key 'required' for mount type 'bind'");
        rejected("type=cache,target=/x,required=true", "unexpected key 'required' for mount type 'cache'");
        rejected("type=tmpfs,target=/x,required", "unexpected key 'required' for mount type 'tmpfs'");
        rejected("type=bind,target=/x,size=1m", "unexpected key 'size' for mount type 'bind'");
        rejected("size=1m,type=tmpfs,target=/t", "unexpected key 'size' for mount type 'bind'");
        rejected("type=cache,target=/x,size=1m", "unexpected key 'size' for mount type 'cache'");
        rejected("type=bind,target=/x,mode=0755", "mode not allowed for \"bind\" type mounts");
        rejected("type=tmpfs,target=/x,uid=0", "uid not allowed for \"tmpfs\" type mounts");
        rejected("type=bind,target=/x,gid=0", "gid not allowed for \"bind\" type mounts");
        rejected("type=bind,target=/x,sharing=shared", "invalid cache sharing set for bind mount");
        rejected("type=tmpfs,target=/x,sharing=locked", "invalid cache sharing set for tmpfs mount");
        rejected("type=ssh,sharing=shared", "invalid cache sharing set for ssh mount");
    }

    @Test
    void valuesAreChecked() {
        rejected("type=bind,target=/x,ro=maybe", "invalid value for ro: maybe");
        rejected("type=bind,target=/x,readonly=yes", "invalid value for readonly: yes");
        rejected("type=bind,target=/x,rw=yes", "invalid value for rw: yes");
        rejected("type=bind,target=/x,readwrite=2", "invalid value for readwrite: 2");
        rejected("type=cache,target=/x,sharing=weird", "unsupported sharing value \"weird\"");
        rejected("type=cache,target=/x,mode=0999", "invalid value 0999 for mode");
        rejected("type=cache,target=/x,mode=", "invalid value  for mode");
        rejected("type=cache,target=/x,uid=-1", "invalid value -1 for uid");
        rejected("type=cache,target=/x,uid=+1", "invalid value +1 for uid");
        rejected("type=cache,target=/x,uid=4294967296", "invalid value 4294967296 for uid");
        rejected("type=cache,target=/x,gid=x", "invalid value x for gid");
    }

    /** What jbuild adds to BuildKit's rules; both accept these. */
    @Test
    void jbuildsOwnRules() {
        // BuildKit mounts over WORKDIR
        rejected("type=cache", "RUN --mount=type=cache needs target=");
        rejected("type=bind,source=a", "RUN --mount=type=bind needs target=");
        rejected("type=tmpfs", "RUN --mount=type=tmpfs needs target=");
        // BuildKit takes any 32-bit number
        rejected("type=cache,target=/c,mode=10000", "invalid value 10000 for mode: at most 7777");
    }

    @Test
    void fromIsReadBeforeExpansionAndMayNotHoldVariables() throws Exception {
        assertEquals("stage", MountFlag.of("type=bind,from=stage,target=/x").from());
        assertEquals("two", MountFlag.of("from=one,from=two,target=/x").from());
        assertEquals("tmp", MountFlag.of("type=tmpfs,from=tmp,target=/x").from(), "any type: the planner orders by it");
        assertNull(MountFlag.of("type=bind,from=,target=/x").from());
        assertNull(MountFlag.of("type=cache,target=/x").from());
        for (String spec : new String[] {"type=bind,from=$STAGE,target=/x", "from=${x}", "FROM=a$b"}) {
            Exception e = assertThrows(InvalidMountException.class, () -> MountFlag.of(spec), spec);
            assertEquals("'from' doesn't support variable expansion, define alias stage instead", e.getMessage());
        }
        // before expansion the other keys are not read: a variable may be the type
        MountFlag flag = MountFlag.of("type=$T,target=$DIR,from=tools");
        Map<String, String> scope = Map.of("T", "cache", "DIR", "/var/cache", "tools", "unused");
        ShellWords words = new ShellWords('\\');
        assertEquals(new Cache("/var/cache", null, Sharing.SHARED, "tools", "", false, CACHE_DEFAULT),
                flag.expand(word -> words.expand(word, scope)));
    }

    @Test
    void eachValueIsExpandedOnItsOwn() throws Exception {
        ShellWords words = new ShellWords('\\');
        Map<String, String> scope = Map.of("T", "/a,target=/b", "MODE", "0700");
        // a value that holds a comma stays one value, as in BuildKit
        assertEquals(new Cache("/a,target=/b", null, Sharing.SHARED, null, "", false, new FileOwner(0, 0, 0700)),
                MountFlag.of("type=cache,target=$T,mode=$MODE").expand(word -> words.expand(word, scope)));
        // a whole mount in one variable is one bare field, as in BuildKit
        Exception e = assertThrows(InvalidMountException.class,
                () -> MountFlag.of("$M").expand(word -> words.expand(word, Map.of("M", "type=cache,target=/c"))));
        assertEquals("invalid field '$M' must be a key=value pair", e.getMessage());
    }

    @Test
    void errorsInTheFirstPassPointAtTheFlag() {
        DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class, () -> DockerfileParser.parse(
                "FROM scratch\nRUN --network=none \\\n    --mount=from=$X,target=/x true\n", "Dockerfile"));
        assertEquals("'from' doesn't support variable expansion, define alias stage instead", e.getMessage());
        assertEquals(new Caret(3, 4), e.caret(), "at --mount on the continued line");
    }
}

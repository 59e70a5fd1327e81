package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent protocol's encoding: every request and answer comes back equal, and bad bytes are refused. */
class RecordCodecTest {

    private static AgentProtocol.Request request(String workDir, List<SandboxMount> mounts) {
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("sh", "/bin/sh");
        tools.put("mount", "/usr/bin/mount");
        return new AgentProtocol.Request("run", workDir, tools,
                new IdMapping(IdMapping.Kind.SUBORDINATE, 1000, 1000, 200000, 65536, 200000, 65536),
                List.of("/l/2", "/l/1"), "OVERLAY", List.of("/bin/sh", "-c", "echo hi"), List.of("A=1", "B="), "/",
                0, 7, List.of(7L, 10L, 4_000_000_000L), "jbuild", "NONE", mounts, "127.0.0.1 localhost\n", null,
                List.of(new AgentProtocol.Blob("/s/b", "sha256:aa", "sha256:bb", null, List.of("/p"))), null,
                List.of("mount", "net"), List.of(new ResourceLimit("nofile", 1024, 4096)), 1L << 26);
    }

    @Test
    void requestsAndAnswersComeBackEqual() throws IOException {
        List<SandboxMount> mounts = List.of(new SandboxMount.Bind(Path.of("/ctx"), "src", "/mnt", true),
                new SandboxMount.Tmpfs("/tmp/t", 4096, true),
                new SandboxMount.Cache(Path.of("/caches"), "id", "/root/.cache", 1, 2, 0750, false));
        // A name that is not valid Unicode (a lone surrogate) and one that is not ASCII travel unchanged.
        AgentProtocol.Request request = request("/w/\ud800x/gr\u00fc\u00df", mounts);
        AgentProtocol.Request back = RecordCodec.decode(RecordCodec.encode(request), AgentProtocol.Request.class);
        assertEquals(request, back);
        assertEquals(List.of("sh", "mount"), List.copyOf(back.tools().keySet()), "a map keeps its order");

        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("rootfs", 3L);
        timings.put("diff", 12L);
        AgentProtocol.Response response = new AgentProtocol.Response(true, null, true, 137, List.of("/u"),
                List.of("w"), timings, List.of(new AgentProtocol.Extracted("sha256:a", "sha256:b", "GZIP", 10, 20, 3,
                        List.of())), false, "/full");
        assertEquals(response, RecordCodec.decode(RecordCodec.encode(response), AgentProtocol.Response.class));
    }

    @Test
    void aRecordsOwnChecksRunWhenItIsRead() throws IOException {
        byte[] bytes = RecordCodec.encode(new ResourceLimit("nofile", 1024, 4096));
        // soft (1024, the second value) raised above hard: the canonical constructor refuses it, as for any caller
        byte[] raised = bytes.clone();
        int soft = indexOfLong(raised, 1024);
        raised[soft + 6] = (byte) 0x40; // 1024 -> 16384
        IOException e = assertThrows(IOException.class, () -> RecordCodec.decode(raised, ResourceLimit.class));
        assertTrue(e.getMessage().startsWith("ResourceLimit refused its values: "), e.getMessage());
    }

    @Test
    void badBytesAreRefusedWithAReason() throws IOException {
        assertRefused(stringRecord("java.lang.ProcessBuilder"), "which is not of dev.jbuild.sandbox.");
        assertRefused(stringRecord("dev.jbuild.sandbox.NoSuchThing"), "which this jbuild does not have");
        assertRefused(stringRecord("dev.jbuild.sandbox.Sandbox"), "dev.jbuild.sandbox.Sandbox is not a record");

        byte[] whole = RecordCodec.encode(request("/w", List.of()));
        assertRefused(Arrays.copyOf(whole, whole.length - 3), "it ends in the middle of a value");
        assertRefused(Arrays.copyOf(whole, whole.length + 1), "1 bytes follow the Request");
        IOException wrongType = assertThrows(IOException.class,
                () -> RecordCodec.decode(whole, AgentProtocol.Response.class));
        assertTrue(wrongType.getMessage().contains("not dev.jbuild.sandbox.AgentProtocol$Response"),
                wrongType.getMessage());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(6); // a list that claims more items than there are bytes
        out.writeInt(Integer.MAX_VALUE);
        assertRefused(bytes.toByteArray(), "a count of 2147483647 in 5 bytes");
        assertThrows(IOException.class, () -> RecordCodec.encode(new Foreign(Thread.currentThread())));
    }

    /** A record whose component the protocol cannot carry. */
    record Foreign(Thread thread) {
    }

    private static byte[] stringRecord(String className) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(9);
        out.writeInt(className.length());
        out.writeChars(className);
        out.writeInt(0);
        return bytes.toByteArray();
    }

    private static void assertRefused(byte[] bytes, String expected) {
        IOException e = assertThrows(IOException.class, () -> RecordCodec.decode(bytes, AgentProtocol.Request.class));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static int indexOfLong(byte[] bytes, long value) {
        for (int i = 0; i + 8 <= bytes.length; i++) {
            long v = 0;
            for (int k = 0; k < 8; k++) {
                v = (v << 8) | (bytes[i + k] & 0xff);
            }
            if (v == value) {
                return i;
            }
        }
        throw new AssertionError("no " + value);
    }
}

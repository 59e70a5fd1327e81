package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's frames: read back as written, and every broken stream described, never "null". */
class AgentProtocolTest {

    @TempDir
    Path temp;

    private static AgentProtocol.Response answer(String error) {
        return new AgentProtocol.Response(false, error, false, -1, List.of(), List.of("w"), Map.of("run", 1L),
                List.of(), false, "/full/upper");
    }

    private static byte[] stream(AgentProtocol.Response... answers) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(AgentProtocol.MAGIC);
        int id = 0;
        for (AgentProtocol.Response r : answers) {
            AgentProtocol.write(out, AgentProtocol.OUTPUT, ++id, new byte[] {AgentProtocol.STDOUT, 'h', 'i'});
            AgentProtocol.write(out, AgentProtocol.ANSWER, id, AgentProtocol.serialize(r));
        }
        return bytes.toByteArray();
    }

    @Test
    void framesAreReadBackAsWritten() throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(stream(answer("boom"), answer("bang"))));
        AgentProtocol.readMagic(in);
        List<String> seen = new ArrayList<>();
        for (AgentProtocol.Frame f = AgentProtocol.read(in); f != null; f = AgentProtocol.read(in)) {
            if (f.kind() == AgentProtocol.OUTPUT) {
                assertArrayEquals(new byte[] {AgentProtocol.STDOUT, 'h', 'i'}, f.payload());
                seen.add(f.id() + ":out");
            } else {
                AgentProtocol.Response r = AgentProtocol.deserialize(f.payload(), AgentProtocol.Response.class);
                assertEquals("/full/upper", r.noSpaceLeft());
                seen.add(f.id() + ":" + r.error());
            }
        }
        assertEquals(List.of("1:out", "1:boom", "2:out", "2:bang"), seen);
    }

    @Test
    void aCutShortOrCorruptStreamIsDescribed() throws IOException {
        byte[] whole = stream(answer("x".repeat(1000)));
        assertMessage(Arrays.copyOf(whole, 0), "it ended before answering");
        assertMessage("Error: Could not find or load main class\n".getBytes(StandardCharsets.UTF_8),
                "it wrote what is not an answer of this jbuild: Error: Could not find or load main class");

        int answerStart = 4 + 4 + 1 + 4 + 3;
        int length = whole.length - answerStart - 9;
        assertMessage(Arrays.copyOf(whole, whole.length - 10), "an answer is cut short: " + (length - 10) + " of "
                + length + " bytes");
        assertMessage(Arrays.copyOf(whole, answerStart + 6), "an answer is cut short (its header)");
        // Ended between frames (after the output, before the answer): no frame at all, not a broken one.
        DataInputStream between = new DataInputStream(new ByteArrayInputStream(Arrays.copyOf(whole, answerStart)));
        AgentProtocol.readMagic(between);
        AgentProtocol.read(between);
        assertNull(AgentProtocol.read(between));

        byte[] badKind = whole.clone();
        badKind[answerStart + 4] = 9;
        assertMessage(badKind, "a frame is corrupt (kind 9, " + length + " bytes)");

        byte[] badPayload = whole.clone();
        badPayload[answerStart + 9 + 20] ^= 0x55;
        badPayload[answerStart + 9 + 21] ^= 0x55;
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(badPayload));
        AgentProtocol.readMagic(in);
        AgentProtocol.read(in);
        byte[] payload = AgentProtocol.read(in).payload();
        IOException corrupt = assertThrows(IOException.class,
                () -> AgentProtocol.deserialize(payload, AgentProtocol.Response.class));
        assertTrue(corrupt.getMessage().startsWith("an answer is corrupt: "), corrupt.getMessage());
    }

    private static void assertMessage(byte[] stream, String expected) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(stream));
        IOException e = assertThrows(IOException.class, () -> {
            AgentProtocol.readMagic(in);
            for (AgentProtocol.Frame f = AgentProtocol.read(in); f != null; f = AgentProtocol.read(in)) {
                // until it breaks
            }
            throw new IOException("it ended before answering"); // a clean end without an answer
        });
        assertEquals(expected, e.getMessage());
    }

    @Test
    void everyMountTypeGoesToTheAgentAsItIs() throws IOException {
        // The caller's records are the agent's: host paths travel as absolute text, relative ones made absolute.
        List<SandboxMount> mounts = List.of(new SandboxMount.Bind(Path.of("ctx"), "src", "/mnt", true),
                new SandboxMount.Tmpfs("/tmp/t", 4096, true),
                new SandboxMount.Cache(Path.of("/caches"), "id", "/root/.cache", 1, 2, 0750, true),
                SandboxMount.Secret.of("token", Path.of("/secrets/token")),
                new SandboxMount.SshAgent(Path.of("agent.sock"), "/run/buildkit/ssh_agent.0", 3, 4, 0600));
        AgentProtocol.Request request = new AgentProtocol.Request("run", "/w", Map.of(), IdMapping.detect(0, 0, "root",
                temp, temp), List.of(), "COPY", List.of("true"), List.of(), "/", 0, 0, List.of(), "h", "HOST", mounts, "",
                "", List.of(), null, List.of(), List.of(), 0);
        AgentProtocol.Request back = AgentProtocol.deserialize(AgentProtocol.serialize(request),
                AgentProtocol.Request.class);
        assertEquals(mounts, back.mounts());
        assertEquals(Path.of("ctx").toAbsolutePath().toString(), ((SandboxMount.Bind) back.mounts().get(0)).sourceRoot());
        assertEquals("agent.sock", ((SandboxMount.SshAgent) back.mounts().get(4)).socket()); // a socket path stays short
        assertEquals(List.of("bind", "tmpfs", "cache", "secret", "ssh"),
                back.mounts().stream().map(SandboxMount::dockerfileType).toList());
    }

    @Test
    void outputIsCutIntoLinesAsReadLineDoes() {
        List<String> lines = new ArrayList<>();
        AgentConnection.LineSplitter s = new AgentConnection.LineSplitter(OutputListener.Stream.STDOUT,
                (stream, line) -> lines.add(line));
        byte[] text = "one\ntwo\r\nthree\rfour\n\nf\u00fcnf\u20ac".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < text.length; i++) {
            s.bytes(text, i, 1); // chunks may split lines, CRLF pairs and UTF-8 sequences anywhere
        }
        s.bytes(new byte[] {(byte) 0xff}, 0, 1);
        s.finish();
        assertEquals(List.of("one", "two", "three", "four", "", "f\u00fcnf\u20ac\ufffd"), lines);
    }

    /**
     * An agent that dies before it answers (here it exits at once: it is pid 1 of its pid namespace, which
     * even SIGKILL from inside cannot end): how it ended and what it printed, not a deserializer's null.
     */
    @Integration
    @Test
    void anAgentThatDiesIsReportedWithItsExitAndOutput() throws Exception {
        SandboxOptions dying = new SandboxOptions(temp.resolve("work"), Snapshotter.COPY,
                List.of("/bin/sh", "-c", "echo 'out of memory, say' >&2; exit 3"), "unused");
        try (Sandbox broken = Sandbox.open(dying.withSnapshotter(Snapshotter.COPY))) {
            Path base = Files.createDirectories(temp.resolve("base"));
            SandboxException e = assertThrows(SandboxException.class,
                    () -> broken.run(Rootfs.of(base), ProcessSpec.of("/bin/true"), OutputListener.discard()));
            assertTrue(e.getMessage().startsWith("the sandbox agent failed (exit 3) without a"
                    + " complete answer: it ended before answering; it said: out of memory, say"), e.getMessage());
        }
    }
}

package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's answer file: written over its reservation, and every broken answer described, never "null". */
class AgentProtocolTest {

    @TempDir
    Path temp;

    private static AgentProtocol.Response answer(String error) {
        return new AgentProtocol.Response(false, error, false, -1, List.of(), List.of("w"), Map.of("run", 1L),
                List.of(), false, "/full/upper");
    }

    @Test
    void anAnswerIsWrittenIntoItsReservationAndReadBack() throws IOException {
        Path file = temp.resolve("response.bin");
        AgentProtocol.reserve(file, AgentProtocol.ANSWER_ROOM);
        AgentProtocol.write(file, answer("boom"));
        assertTrue(Files.size(file) < AgentProtocol.ANSWER_ROOM, "cut to the answer's length");
        AgentProtocol.Response r = AgentProtocol.read(file, AgentProtocol.Response.class);
        assertEquals("boom", r.error());
        assertEquals("/full/upper", r.noSpaceLeft());
    }

    @Test
    void aMissingCutShortOrCorruptAnswerIsDescribed() throws IOException {
        Path file = temp.resolve("response.bin");
        AgentProtocol.reserve(file, AgentProtocol.ANSWER_ROOM); // the agent died before answering
        assertMessage(file, "no answer was written to " + file);

        AgentProtocol.write(file, answer("x".repeat(1000)));
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length / 2)); // died while writing it
        assertMessage(file, "the answer in " + file + " is cut short: " + (whole.length / 2 - 8) + " of "
                + (whole.length - 8) + " bytes");

        whole[20] ^= 0x55;
        whole[21] ^= 0x55;
        Files.write(file, whole);
        IOException corrupt = assertThrows(IOException.class, () -> AgentProtocol.read(file, AgentProtocol.Response.class));
        assertTrue(corrupt.getMessage().startsWith("the answer in " + file + " is corrupt: "), corrupt.getMessage());

        Files.write(file, new byte[0]);
        assertMessage(file, "no answer was written to " + file);
    }

    private static void assertMessage(Path file, String expected) {
        IOException e = assertThrows(IOException.class, () -> AgentProtocol.read(file, AgentProtocol.Response.class));
        assertEquals(expected, e.getMessage());
    }

    /**
     * An agent that dies before it answers (here it exits at once: it is pid 1 of its pid namespace, which
     * even SIGKILL from inside cannot end): how it ended and what it printed, not a deserializer's null.
     */
    @Test
    void anAgentThatDiesIsReportedWithItsExitAndOutput() throws Exception {
        SandboxOptions dying = new SandboxOptions(temp.resolve("work"), Snapshotter.COPY,
                List.of("/bin/sh", "-c", "echo 'out of memory, say' >&2; exit 3"), "unused");
        Sandbox broken = Sandbox.open(dying.withSnapshotter(Snapshotter.COPY));
        Path base = Files.createDirectories(temp.resolve("base"));
        SandboxException e = assertThrows(SandboxException.class,
                () -> broken.run(Rootfs.of(base), ProcessSpec.of("/bin/true"), OutputListener.discard()));
        assertTrue(e.getMessage().startsWith("the sandbox agent failed (exit 3) without a"
                + " complete answer: no answer was written to "), e.getMessage());
        assertTrue(e.getMessage().contains("it said: out of memory, say"), e.getMessage());
    }
}

package dev.jbuild.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.image.Digest;
import dev.jbuild.progress.ProgressEnd;
import dev.jbuild.progress.ProgressText;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code --progress=rawjson}: BuildKit's raw stream, one {@code SolveStatus} object per line on
 * standard error, with the field names of BuildKit's {@code client.SolveStatus}, so tools written for
 * {@code docker buildx build --progress=rawjson} read it:
 * <pre>
 * {"vertexes":[{"digest":"sha256:…","name":"[2/3] COPY . /src","started":"2026-…Z"}]}
 * {"logs":[{"vertex":"sha256:…","stream":1,"data":"aGVsbG8K","timestamp":"…"}]}
 * {"statuses":[{"id":"sha256:…","vertex":"sha256:…","name":"pulling","current":1048576,"total":5242880,"timestamp":"…","started":"…"}]}
 * {"vertexes":[{"digest":"sha256:…","name":"[2/3] COPY . /src","started":"…","completed":"…","cached":true}]}
 * {"warnings":[{"level":1,"short":"…base64…"}]}
 * </pre>
 * A vertex is a step; its digest is the sha256 of the step's number and heading (jbuild has no LLB
 * graph, so {@code inputs} is never set). A failed build ends the steps it was running with
 * {@code completed} and {@code error}. {@code data} and {@code short} are base64, as Go encodes bytes;
 * every log is stream 1 (the sandbox hands RUN output over as lines). Events come from several
 * threads: every method synchronises.
 */
final class RawJsonProgress implements BuildListener, ProgressEnd {

    private final PrintWriter err;
    private final Supplier<Instant> clock;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<StepId, ObjectNode> vertexes = new LinkedHashMap<>();
    /** When each blob or piece of work started, for the statuses' {@code started}. */
    private final Map<String, Instant> statusStarted = new LinkedHashMap<>();
    /** The pull or push step running (one at a time): blob events belong to it. */
    private StepId transferStep;

    RawJsonProgress(PrintWriter err) {
        this(err, Instant::now);
    }

    RawJsonProgress(PrintWriter err, Supplier<Instant> clock) {
        this.err = err;
        this.clock = clock;
    }

    @Override
    public synchronized void stepStarted(StepId step, String stage, int index, int steps, String text) {
        if (stage.equals(PULL) || stage.equals(PUSH)) {
            transferStep = step;
        }
        String name = ProgressText.heading(step.number(), stage, index, steps, text);
        name = name.substring(name.indexOf(' ') + 1); // BuildKit's names have no #N: the digest identifies the vertex
        ObjectNode vertex = json.createObjectNode()
                .put("digest", Digest.of((step.number() + "\n" + name).getBytes(StandardCharsets.UTF_8)).toString())
                .put("name", name)
                .put("started", time(clock.get()));
        vertexes.put(step, vertex);
        emitVertex(vertex);
    }

    @Override
    public synchronized void stepFinished(StepId step, Duration elapsed) {
        if (step.equals(transferStep)) {
            transferStep = null;
        }
        complete(step, false, null);
    }

    @Override
    public synchronized void stepCached(StepId step) {
        complete(step, true, null);
    }

    @Override
    public synchronized void log(StepId step, String line) {
        ObjectNode vertex = vertexes.get(step);
        ObjectNode log = json.createObjectNode();
        if (vertex != null) {
            log.put("vertex", vertex.get("digest").asText());
        }
        log.put("stream", 1).put("data", Base64.getEncoder().encodeToString((line + "\n").getBytes(StandardCharsets.UTF_8)))
                .put("timestamp", time(clock.get()));
        ObjectNode status = json.createObjectNode();
        status.putArray("logs").add(log);
        emit(status);
    }

    @Override
    public synchronized void layerWritten(StepId step, String digest, long size, String compression, long compressedSize,
            Duration elapsed) {
        log(step, ProgressText.layer(digest, size, compression, compressedSize, elapsed));
    }

    @Override
    public synchronized void progress(StepId step, Work work, String subject, long done, long total) {
        status(step != null ? step : transferStep, work + ":" + subject, ProgressText.progress(work, subject, done, total)
                .split(" ")[0], done, total, false);
    }

    @Override
    public synchronized void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {
        status(transferStep, (upload ? Work.PUSH : Work.PULL) + ":" + blob, how, size, size, true);
    }

    @Override
    public synchronized void warning(String message) {
        ObjectNode status = json.createObjectNode();
        status.putArray("warnings").addObject().put("level", 1)
                .put("short", Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8)));
        emit(status);
    }

    @Override
    public synchronized void buildEnded(String error) {
        for (StepId step : List.copyOf(vertexes.keySet())) {
            complete(step, false, error);
        }
    }

    /** A status: {@code key} is the work's identity (work and blob or subject); its id is the subject, as BuildKit's blob ids. */
    private void status(StepId step, String key, String name, long done, long total, boolean completed) {
        Instant now = clock.get();
        Instant started = statusStarted.computeIfAbsent(key, k -> now);
        ObjectNode status = json.createObjectNode().put("id", key.substring(key.indexOf(':') + 1));
        ObjectNode vertex = step == null ? null : vertexes.get(step);
        if (vertex != null) {
            status.put("vertex", vertex.get("digest").asText());
        }
        status.put("name", name);
        if (total >= 0) {
            status.put("total", total);
        }
        status.put("current", done).put("timestamp", time(now)).put("started", time(started));
        if (completed) {
            status.put("completed", time(now));
            statusStarted.remove(key);
        }
        ObjectNode line = json.createObjectNode();
        line.putArray("statuses").add(status);
        emit(line);
    }

    private void complete(StepId step, boolean cached, String error) {
        ObjectNode vertex = vertexes.remove(step);
        if (vertex == null) {
            return;
        }
        vertex.put("completed", time(clock.get()));
        if (cached) {
            vertex.put("cached", true);
        }
        if (error != null) {
            vertex.put("error", error);
        }
        emitVertex(vertex);
    }

    private void emitVertex(ObjectNode vertex) {
        ObjectNode status = json.createObjectNode();
        ArrayNode list = status.putArray("vertexes");
        list.add(vertex.deepCopy());
        emit(status);
    }

    private static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    private void emit(ObjectNode node) {
        try {
            err.println(json.writeValueAsString(node));
            err.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}

package dev.jbuild.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.api.BuildOutcome;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.StepId;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code --progress=json}: one JSON object per line on standard error, for tools. Every event has
 * {@code "event"} and, for step events, the step number {@code "step"}:
 * <pre>
 * {"event":"step","step":3,"stage":"build","index":2,"total":5,"text":"COPY . /src"}
 * {"event":"log","step":3,"line":"..."}
 * {"event":"layer","step":3,"digest":"sha256:...","bytes":4096,"compression":"gzip","compressedBytes":1200,"seconds":0.01}
 * {"event":"done","step":3,"seconds":0.42}      or      {"event":"cached","step":3}
 * {"event":"progress","step":3,"work":"pull","blob":"sha256:...","direction":"pull","bytes":1048576,"total":5242880}
 * {"event":"progress","step":4,"work":"compress","subject":"layer","bytes":52428800,"total":157286400}
 * {"event":"transferred","step":3,"blob":"sha256:...","direction":"pull","bytes":5242880,"result":"pulled","seconds":0.8}
 * {"event":"warning","message":"..."}
 * {"event":"result","imageId":"sha256:...","manifest":"sha256:...","tags":[...],"pushed":[...],"layers":4,"size":1234}
 * </pre>
 * {@code "work"} is {@code pull}, {@code push}, {@code compress} or {@code extract} (unpacking base
 * layers for RUN); progress comes at most every ~100 ms. Metadata instructions (ENV, LABEL, ...) are
 * no steps, as in BuildKit. Errors are printed by the caller as usual, after the last event. Steps of stages that run at the
 * same time interleave; {@code "step"} says which step each event belongs to (blob events belong to
 * the pull or push step running). Events come from several threads: every method synchronises.
 */
final class JsonProgress implements BuildListener {

    private final PrintWriter err;
    private final ObjectMapper json = new ObjectMapper();
    /** The pull or push step running (one at a time): blob events belong to it. */
    private StepId transferStep;

    JsonProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void stepStarted(StepId step, String stage, int index, int steps, String text) {
        if (stage.equals(PULL) || stage.equals(PUSH)) {
            transferStep = step;
        }
        emit(event("step", step).put("stage", stage).put("index", index).put("total", steps).put("text", text));
    }

    @Override
    public synchronized void stepFinished(StepId step, Duration elapsed) {
        if (step.equals(transferStep)) {
            transferStep = null;
        }
        emit(event("done", step).put("seconds", elapsed.toMillis() / 1000.0));
    }

    @Override
    public synchronized void stepCached(StepId step) {
        emit(event("cached", step));
    }

    @Override
    public synchronized void log(StepId step, String line) {
        emit(event("log", step).put("line", line));
    }

    @Override
    public synchronized void progress(StepId step, Work work, String subject, long done, long total) {
        String name = work.name().toLowerCase(Locale.ROOT);
        ObjectNode node = event("progress", step != null ? step : transferStep).put("work", name);
        if (work == Work.PULL || work == Work.PUSH) {
            node.put("blob", subject).put("direction", name);
        } else {
            node.put("subject", subject);
        }
        emit(node.put("bytes", done).put("total", total));
    }

    @Override
    public synchronized void layerWritten(StepId step, String digest, long size, String compression, long compressedSize,
            Duration elapsed) {
        emit(event("layer", step).put("digest", digest).put("bytes", size).put("compression", compression)
                .put("compressedBytes", compressedSize).put("seconds", elapsed.toMillis() / 1000.0));
    }

    @Override
    public synchronized void transferDone(String blob, boolean upload, long size, String how, Duration elapsed) {
        emit(event("transferred", transferStep).put("blob", blob).put("direction", upload ? "push" : "pull").put("bytes", size)
                .put("result", how).put("seconds", elapsed.toMillis() / 1000.0));
    }

    @Override
    public synchronized void warning(String message) {
        ObjectNode node = json.createObjectNode().put("event", "warning").put("message", message);
        emit(node);
    }

    synchronized void result(BuildOutcome result) {
        ObjectNode node = json.createObjectNode().put("event", "result")
                .put("imageId", result.imageId())
                .put("manifest", result.manifestDigest())
                .put("layers", result.layers())
                .put("size", result.size())
                .put("steps", result.steps())
                .put("cached", result.cached());
        result.tags().forEach(node.putArray("tags")::add);
        if (result.tags().isEmpty()) {
            node.putArray("tags");
        }
        result.pushed().forEach(node.putArray("pushed")::add);
        if (result.pushed().isEmpty()) {
            node.putArray("pushed");
        }
        emit(node);
    }

    private ObjectNode event(String name, StepId step) {
        // No step: a registry cache's layer downloaded when the build read it, outside any pull or push.
        ObjectNode node = json.createObjectNode().put("event", name);
        return step == null ? node : node.put("step", step.number());
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

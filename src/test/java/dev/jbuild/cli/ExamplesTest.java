package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples build as their READMEs say (bases given as OCI layouts made offline). */
@Integration
class ExamplesTest {

    @TempDir
    Path temp;

    /**
     * Every YAML recipe parses (with PyYAML, a YAML implementation we did not write), and the
     * Kubernetes Job keeps the settings its README promises.
     */
    @Test
    void yamlRecipesParseAndTheJobRunsUnprivileged() throws Exception {
        String script = String.join("\n",
                "import glob, json, sys, yaml",
                "files = sorted(glob.glob('examples/**/*.y*ml', recursive=True) + glob.glob('.github/workflows/*.yml'))",
                "docs = {f: list(yaml.safe_load_all(open(f))) for f in files}",
                "print(json.dumps(docs, default=str))");
        ExternalTool.Result result =
                ExternalTool.command("python3", "-c", script).runSuccessfully();
        JsonNode docs = new ObjectMapper().readTree(result.stdout());
        assertTrue(docs.has("examples/kubernetes/jbuild-job.yaml"), result.stdout());
        assertTrue(docs.has("examples/ci/github-actions.yml") && docs.has("examples/ci/gitlab-ci.yml"));
        assertTrue(docs.has(".github/workflows/ci.yml") && docs.has(".github/workflows/release.yml"));
        JsonNode job = docs.get("examples/kubernetes/jbuild-job.yaml").get(0);
        assertEquals("Job", job.get("kind").asText());
        JsonNode pod = job.at("/spec/template/spec");
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
        assertEquals(1000, pod.at("/securityContext/runAsUser").asInt());
        JsonNode container = pod.at("/containers/0");
        assertTrue(!container.at("/securityContext/privileged").asBoolean(false), "never privileged");
        assertTrue(container.get("args").toString().contains("--push"));

        // jbuild's own parser accepts the Job's arguments as written (Kubernetes' $(VAR)
        // substituted, the context a local directory), registry cache flags included.
        Path context = Files.createDirectories(temp.resolve("app"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY Dockerfile /\n");
        List<String> args = new ArrayList<>();
        container.get("args").forEach(a -> args.add(a.asText()
                .replace("$(GIT_SHA)", "1").replace("/workspace/app", context.toString())));
        assertTrue(args.stream().anyMatch(a -> a.startsWith("--cache-from=type=registry,ref="))
                && args.stream().anyMatch(a -> a.startsWith("--cache-to=type=registry,ref=") && a.endsWith(",mode=max")), args.toString());
        args.add(1, "--dry-run");
        CliTest.Result parsed = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, parsed.exitCode(), args + "\n" + parsed.err());
        assertTrue(parsed.out().contains("COPY Dockerfile /"), parsed.out());
    }

    @Test
    void staticSite() {
        BusyboxImage busybox = BusyboxImage.write(temp.resolve("busybox"), "1.36");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"--root", temp.resolve("store").toString(),
            "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.36",
            "-t", "static-site:1", "examples/static-site"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        assertTrue(err.toString().contains("naming to docker.io/library/static-site:1"), err.toString());
    }
}

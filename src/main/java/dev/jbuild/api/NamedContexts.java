package dev.jbuild.api;

import dev.jbuild.context.DockerIgnore;
import dev.jbuild.context.DockerIgnoreException;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.image.ImageName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code --build-context NAME=VALUE} the way buildx does: {@code docker-image://},
 * {@code oci-layout://}, a git reference or another http(s) URL (fetched now by {@link RemoteContexts}, a
 * download as one file named {@code context}, and then a directory like any other), or a local directory.
 */
final class NamedContexts {

    private static final String OCI_LAYOUT = "oci-layout://";

    private NamedContexts() {}

    static Map<String, NamedContext> parse(List<String> specs, RemoteContexts remotes) {
        Map<String, NamedContext> result = new LinkedHashMap<>();
        for (String spec : specs) {
            int equals = spec.indexOf('=');
            if (equals <= 0 || equals == spec.length() - 1) {
                throw Problem.invalid("invalid --build-context " + spec + ": expected NAME=VALUE");
            }
            String name = spec.substring(0, equals);
            String value = spec.substring(equals + 1);
            result.put(name, context(name, value, remotes));
        }
        return result;
    }

    private static NamedContext context(String name, String value, RemoteContexts remotes) {
        if (value.startsWith(OCI_LAYOUT)) {
            // oci-layout:///path/to/layout[:tag|@sha256:digest]
            String rest = value.substring(OCI_LAYOUT.length());
            String reference = null;
            int at = rest.lastIndexOf('@');
            int colon = rest.lastIndexOf(':');
            if (at > rest.lastIndexOf('/')) {
                reference = rest.substring(at);
                rest = rest.substring(0, at);
            } else if (colon > rest.lastIndexOf('/')) {
                reference = rest.substring(colon + 1);
                rest = rest.substring(0, colon);
            }
            Path layout = Path.of(rest);
            if (!Files.isRegularFile(layout.resolve("index.json"))) {
                throw Problem.invalid("--build-context " + name + ": " + rest + " is not an OCI image layout (no index.json)");
            }
            return new NamedContext.OciLayout(layout, reference);
        }
        if (value.startsWith("docker-image://")) {
            String reference = value.substring("docker-image://".length());
            try {
                ImageName.parse(reference);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("--build-context " + name + ": " + e.getMessage());
            }
            return new NamedContext.Image(reference);
        }
        if (value.startsWith("target:")) {
            throw Problem.invalid("--build-context " + name + "=" + value
                    + ": target: is a bake feature, not implemented");
        }
        if (RemoteContexts.isRemote(value)) {
            RemoteContexts.Fetched fetched;
            try {
                fetched = remotes.fetch(value, false, false);
            } catch (IOException e) {
                throw Problem.failed("error: --build-context " + name + ": " + e.getMessage());
            }
            return new NamedContext.Directory(fetched.directory(), fetched.origin());
        }
        if (value.contains("://")) {
            throw Problem.invalid("--build-context " + name + "=" + value
                    + ": unknown scheme; use a directory, docker-image://, oci-layout://, a git URL or an http(s) URL");
        }
        Path dir = Path.of(value);
        if (!Files.isDirectory(dir)) {
            throw Problem.invalid("--build-context " + name + ": " + value + " is not a directory");
        }
        // BuildKit reads a local named context's own .dockerignore (never <Dockerfile>.dockerignore: it has no Dockerfile).
        try {
            return new NamedContext.Directory(dir, null, DockerIgnore.load(dir, null));
        } catch (DockerIgnoreException e) {
            throw Problem.invalid("--build-context " + name + ": " + e.getMessage());
        } catch (IOException e) {
            throw Problem.failed("error: --build-context " + name + ": cannot read " + dir.resolve(".dockerignore") + ": " + e.getMessage());
        }
    }
}

package dev.jbuild.maven;

import java.io.File;

/**
 * One {@code <secret>} of the plugin's configuration: the secret {@code id} that {@code RUN --mount=type=secret,id=ID}
 * reads, from a {@code file} or from the environment variable {@code env} (one of the two). Maven fills the fields.
 */
public class Secret {

    private String id;
    private File file;
    private String env;

    public Secret() {}

    Secret(String id, File file, String env) {
        this.id = id;
        this.file = file;
        this.env = env;
    }

    public String getId() {
        return id;
    }

    public File getFile() {
        return file;
    }

    public String getEnv() {
        return env;
    }

    @Override
    public String toString() {
        return "secret " + id;
    }
}

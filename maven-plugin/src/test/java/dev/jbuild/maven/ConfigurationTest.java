package dev.jbuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration the plugin refuses before jbuild runs, with a message naming what to fix. */
class ConfigurationTest {

    @Test
    void aSecretNeedsAnIdAndExactlyOneSource(@TempDir Path context) {
        for (Secret secret : List.of(new Secret("npmrc", null, null), new Secret(null, new File("f"), null),
                new Secret("token", new File("f"), "TOKEN"))) {
            BuildMojo mojo = new BuildMojo();
            mojo.contextDirectory = context.toFile();
            mojo.tags = List.of("app:1");
            mojo.secrets = List.of(secret);
            MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
            assertEquals("each <secret> needs an <id> and one of <file> or <env>: secret " + secret.getId(),
                    e.getMessage());
        }
    }

    @Test
    void skipRunsNothing() throws Exception {
        BuildMojo mojo = new BuildMojo();
        mojo.skip = true; // no project, no session, no context: nothing is read
        mojo.execute();
    }
}

package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.BusyboxImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples build as their READMEs say (bases given as OCI layouts made offline). */
class ExamplesTest {

    @TempDir
    Path temp;

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

package dev.jbuild.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Hand-written documents under src/test/resources/dev/jbuild/image. */
final class Fixtures {

    private Fixtures() {}

    static byte[] read(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

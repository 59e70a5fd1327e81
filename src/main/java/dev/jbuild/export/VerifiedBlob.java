package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digester;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A blob read back with its digest and size checked when the end is reached: a store file
 * damaged on disk must not leave in an archive as if it were the image. Readers that stop before
 * the end (a tar member is copied by size) get the check from their final read, which sees the end.
 */
final class VerifiedBlob extends FilterInputStream {

    private final Descriptor descriptor;
    private final String origin;
    private final Digester digester;
    private boolean checked;

    private VerifiedBlob(InputStream in, Descriptor descriptor, String origin, Digester digester) {
        super(digester.wrap(in));
        this.descriptor = descriptor;
        this.origin = origin;
        this.digester = digester;
    }

    /** @param origin where the blob comes from, for messages ("the store", "OCI layout /x") */
    static InputStream of(InputStream in, Descriptor descriptor, String origin) {
        return new VerifiedBlob(in, descriptor, origin, Digester.of(descriptor.digest().algorithm()));
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            check();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n < 0) {
            check();
        }
        return n;
    }

    private void check() throws ExportException {
        if (checked) {
            return;
        }
        checked = true;
        if (digester.size() != descriptor.size() || !digester.digest().equals(descriptor.digest())) {
            throw new ExportException("blob " + descriptor.digest() + " in " + origin + " is damaged: "
                    + digester.size() + " bytes hashing to " + digester.digest() + ", expected " + descriptor.size()
                    + " bytes");
        }
    }
}

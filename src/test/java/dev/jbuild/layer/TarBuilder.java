package dev.jbuild.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Crafts tar streams byte by byte for tests, including hostile ones no real writer would produce. */
final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean ended;

    TarBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    TarBuilder file(String name, byte[] content, int mode) {
        header(name, TarHeader.REGULAR, mode, content.length, "", 0, 0, Map.of());
        out.writeBytes(content);
        pad(content.length);
        return this;
    }

    TarBuilder dir(String name, int mode) {
        return header(name, TarHeader.DIRECTORY, mode, 0, "", 0, 0, Map.of());
    }

    TarBuilder symlink(String name, String target) {
        return header(name, TarHeader.SYMLINK, 0777, 0, target, 0, 0, Map.of());
    }

    TarBuilder hardlink(String name, String target) {
        return header(name, TarHeader.HARDLINK, 0644, 0, target, 0, 0, Map.of());
    }

    TarBuilder device(String name, byte type, int major, int minor) {
        return header(name, type, 0666, 0, "", major, minor, Map.of());
    }

    /** A header only: the caller decides what (if anything) follows. */
    TarBuilder header(String name, byte type, int mode, long size, String link, int major, int minor,
            Map<String, byte[]> xattrs) {
        try {
            TarFormat.writeHeader(out, new TarHeader(name, type, mode, 0, 0, size, Instant.ofEpochSecond(1_600_000_000),
                    link, major, minor, xattrs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    TarBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    TarBuilder end() {
        try {
            TarFormat.writeEnd(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ended = true;
        return this;
    }

    byte[] tar() {
        if (!ended) {
            end();
        }
        return out.toByteArray();
    }

    /** The current bytes without an end marker (for truncation tests). */
    byte[] unterminated() {
        return out.toByteArray();
    }

    byte[] gzip() {
        return gzip(tar());
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    private void pad(long n) {
        int rest = (int) (n % 512);
        if (rest != 0) {
            out.writeBytes(new byte[512 - rest]);
        }
    }
}

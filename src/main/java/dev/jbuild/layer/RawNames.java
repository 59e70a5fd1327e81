package dev.jbuild.layer;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names are bytes on Linux, and tar (PAX {@code path} records) and BuildKit copy them byte for byte;
 * jbuild carries them in Strings. A name that is valid UTF-8 is its text; each byte that is not part of
 * valid UTF-8 is kept as the lone surrogate {@code U+DC80..U+DCFF} (Python's "surrogateescape"), which no
 * decoded text contains, so every name round-trips exactly.
 *
 * <p>The JDK itself maps names through {@code sun.jnu.encoding}, fixed from the locale when the JVM starts
 * ({@code -Dsun.jnu.encoding} is ignored): under {@code LC_ALL=C} every non-ASCII byte becomes U+FFFD, and
 * even under UTF-8 an invalid byte does. Both directions here avoid that: a listed name's bytes are read
 * from its {@code file:} URI (percent-encoded raw bytes, public API), and a host path is made from bytes
 * through a {@code file:} URI again, so reading a context never depends on the locale.
 */
public final class RawNames {

    /** Whether the JVM maps names with UTF-8, so that text without escapes needs no detour. */
    private static final boolean JNU_UTF8 = isUtf8(System.getProperty("sun.jnu.encoding"));

    private static final int ESCAPE_BASE = 0xDC00;

    private RawNames() {
    }

    /**
     * Whether this JVM maps file names (and its arguments) with UTF-8. When not, context files still keep
     * their bytes, but a non-ASCII path given as a String, such as a command-line argument, cannot be named.
     */
    public static boolean jvmNamesAreUtf8() {
        return JNU_UTF8;
    }

    /** The bytes of a name or path: UTF-8, escapes turned back into the bytes they stand for. */
    public static byte[] encode(String s) {
        if (isAscii(s)) {
            return s.getBytes(StandardCharsets.ISO_8859_1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (isEscape(s, i)) {
                out.writeBytes(s.substring(start, i).getBytes(StandardCharsets.UTF_8));
                out.write(s.charAt(i) - ESCAPE_BASE);
                start = i + 1;
            }
        }
        out.writeBytes(s.substring(start).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A name from its bytes: valid UTF-8 decoded, every other byte escaped. */
    static String decode(byte[] bytes, int offset, int length) {
        boolean ascii = true;
        for (int i = offset; i < offset + length && ascii; i++) {
            ascii = bytes[i] >= 0;
        }
        if (ascii) {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                break;
            }
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    out.put((char) (ESCAPE_BASE | (in.get() & 0xff)));
                }
            } else {
                throw new IllegalStateException(result.toString()); // overflow: one char per byte always fits
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    public static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** Whether the name holds bytes that are not UTF-8 text. */
    static boolean hasEscapes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isEscape(s, i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The name for messages: escapes shown as {@code \xNN}, so a user can see which bytes a name that is
     * not UTF-8 holds.
     */
    public static String display(String s) {
        if (!hasEscapes(s)) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (isEscape(s, i)) {
                sb.append(String.format("\\x%02x", s.charAt(i) - ESCAPE_BASE));
            } else {
                sb.append(s.charAt(i));
            }
        }
        return sb.toString();
    }

    /** The exact name of the last element of a host path, e.g. one from a directory listing. */
    public static String fileName(Path path) {
        Path name = path.getFileName();
        if (name == null) {
            return "";
        }
        String text = name.toString();
        if (isExact(text)) {
            return text;
        }
        String raw = rawPath(path.toAbsolutePath(), false);
        return raw.substring(raw.lastIndexOf('/') + 1);
    }

    /** The exact text of a host path (absolute or relative), e.g. a symbolic link's target. */
    public static String pathText(Path path) {
        String text = path.toString();
        if (isExact(text)) {
            return text;
        }
        if (path.isAbsolute()) {
            return rawPath(path, text.endsWith("/"));
        }
        // A relative path has no URI of its own: put it under "/" (bytes are appended as they are) and cut that off.
        return rawPath(Path.of("/").resolve(path), text.endsWith("/")).substring(1);
    }

    /**
     * {@code dir} (absolute) joined with {@code relative} ('/'-separated, the bytes of {@link #encode}),
     * naming exactly those bytes whatever the JVM's file name encoding.
     */
    public static Path child(Path dir, String relative) {
        if (relative.isEmpty()) {
            return dir;
        }
        if (isPlain(relative)) {
            return dir.resolve(relative);
        }
        StringBuilder uri = new StringBuilder(dir.toAbsolutePath().toUri().getRawPath());
        if (uri.charAt(uri.length() - 1) != '/') {
            uri.append('/');
        }
        for (byte b : encode(relative)) {
            int c = b & 0xff;
            if (c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                uri.append((char) c);
            } else {
                uri.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        // The default provider turns a file URI's percent-escapes back into exactly these bytes.
        return Path.of(URI.create("file://" + uri));
    }

    /** A host path, absolute or relative, naming exactly the bytes of {@code text} (a symbolic link's target). */
    public static Path path(String text) {
        if (isPlain(text)) {
            return Path.of(text);
        }
        Path absolute = child(Path.of("/"), text.startsWith("/") ? text.substring(1) : text);
        // subpath copies the names' bytes as they are (relativize would resolve "..")
        return text.startsWith("/") || absolute.getNameCount() == 0 ? absolute
                : absolute.subpath(0, absolute.getNameCount());
    }

    /** Whether {@code Path.toString()} gave this text without losing bytes. */
    private static boolean isExact(String text) {
        return isAscii(text) || JNU_UTF8 && text.indexOf('\uFFFD') < 0;
    }

    /** Whether {@code Path.resolve(String)} gives exactly the bytes of {@link #encode}. */
    private static boolean isPlain(String text) {
        return isAscii(text) || JNU_UTF8 && !hasSurrogates(text);
    }

    /** The decoded path of an absolute host path, from the percent-encoded bytes of its URI. */
    private static String rawPath(Path absolute, boolean keepTrailingSlash) {
        String raw = absolute.toUri().getRawPath();
        if (!keepTrailingSlash && raw.length() > 1 && raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1); // toUri() marks directories with a slash
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return decode(bytes.toByteArray());
    }

    private static boolean isEscape(String s, int i) {
        char c = s.charAt(i);
        if (c < ESCAPE_BASE + 0x80 || c > ESCAPE_BASE + 0xff) {
            return false;
        }
        // A low surrogate after a high one is half of a real character, not an escape.
        return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static boolean hasSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                char c = s.charAt(i);
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    return true;
                }
                i++;
            }
        }
        return false;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUtf8(String charset) {
        try {
            return charset != null && Charset.forName(charset).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

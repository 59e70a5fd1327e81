package dev.jbuild.sandbox;

import dev.jbuild.layer.RawNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads the file capabilities ({@code security.capability}, what {@code setcap} writes) of files in a run's
 * rootfs, so that a layer keeps them as the {@code SCHILY.xattr.security.capability} record BuildKit and
 * buildah write. The JDK reads only {@code user.*} xattrs, so {@code getfattr} reads them: one batch per
 * run, its names NUL-separated in a file for {@code xargs -0}, so that any name (not UTF-8 included) and any
 * number of names fit. Read inside the user namespace, a capability set there comes back in the namespace's
 * own terms (revision 2, no root id), which is what an image holds.
 */
final class FileCapabilities {
    static final String XATTR = "security.capability";
    static final String TOOL = "getfattr";
    static final String SETTER = "setfattr";

    /** The capabilities of each of a batch of files that has any. */
    interface Reader {
        Map<Path, byte[]> read(Collection<Path> files) throws IOException;
    }

    /** For a host without getfattr (Sandbox warns once): no file has capabilities. */
    static final Reader NONE = files -> Map.of();

    private FileCapabilities() {
    }

    /** Whether the host has what reading and setting capabilities take (Debian's attr package, and xargs). */
    static boolean available(Map<String, String> tools) {
        return tools.containsKey(TOOL) && tools.containsKey(SETTER) && tools.containsKey("xargs");
    }

    /** getfattr through xargs when the host has the tools, else {@link #NONE}; {@code work} holds the batch files. */
    static Reader reader(Map<String, String> tools, Path work) {
        if (!available(tools)) {
            return NONE;
        }
        return files -> files.isEmpty() ? Map.of() : read(tools.get("xargs"), tools.get(TOOL), work, files);
    }

    /**
     * Sets {@code capabilities} (file → {@code security.capability} value) with one {@code setfattr --restore}
     * of a getfattr-format dump written to {@code dump}: how the agent gives unpacked base layers their
     * capabilities, after the layer is applied (a chown clears them). Without setfattr, false: nothing set.
     */
    static boolean write(Map<String, String> tools, Map<Path, byte[]> capabilities, Path dump) throws IOException {
        if (!available(tools)) {
            return false;
        }
        String setfattr = tools.get(SETTER);
        if (capabilities.isEmpty()) {
            return true;
        }
        try (OutputStream out = Files.newOutputStream(dump)) {
            for (Map.Entry<Path, byte[]> e : capabilities.entrySet()) {
                out.write("# file: ".getBytes(StandardCharsets.US_ASCII));
                out.write(escape(RawNames.encode(RawNames.pathText(e.getKey()))));
                out.write(("\n" + XATTR + "=0x" + HexFormat.of().formatHex(e.getValue()) + "\n\n")
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(setfattr, "-h", "--restore=" + dump).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("LC_ALL", "C");
            Process p = builder.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int status = p.waitFor();
            if (status != 0) {
                throw new IOException("cannot set file capabilities (" + setfattr + ", exit " + status + ")"
                        + (output.isEmpty() ? "" : ": " + output));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted setting file capabilities", e);
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    /** A name for a dump line: backslash, control characters and DEL as getfattr writes them ({@code \ooo}). */
    static byte[] escape(byte[] name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length + 8);
        for (byte b : name) {
            int c = b & 0xff;
            if (c == '\\' || c < 0x20 || c == 0x7f) {
                out.write('\\');
                out.write('0' + ((c >> 6) & 7));
                out.write('0' + ((c >> 3) & 7));
                out.write('0' + (c & 7));
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static Map<Path, byte[]> read(String xargs, String getfattr, Path work, Collection<Path> files)
            throws IOException {
        Map<String, Path> byName = new HashMap<>();
        Path names = work.resolve("capability-names");
        Path errors = work.resolve("capability-errors");
        try (OutputStream out = Files.newOutputStream(names)) {
            for (Path f : files) {
                byte[] name = RawNames.encode(RawNames.pathText(f));
                byName.put(new String(name, StandardCharsets.ISO_8859_1), f);
                out.write(name);
                out.write(0);
            }
        }
        byte[] output;
        int status;
        try {
            ProcessBuilder builder = new ProcessBuilder(xargs, "-0", "-a", names.toString(), getfattr, "-h",
                    "--absolute-names", "-d", "-m", "^security\\.capability$", "-e", "hex", "--")
                    .redirectError(errors.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("LC_ALL", "C"); // names printed byte for byte, whatever the user's locale
            Process p = builder.start();
            output = p.getInputStream().readAllBytes();
            status = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading file capabilities", e);
        }
        if (status != 0) {
            String message = Files.readString(errors, StandardCharsets.UTF_8).strip();
            throw new IOException("cannot read file capabilities (" + getfattr + ", exit " + status + ")"
                    + (message.isEmpty() ? "" : ": " + message));
        }
        Files.deleteIfExists(names);
        Files.deleteIfExists(errors);
        return parse(output, byName);
    }

    /**
     * getfattr's dump: {@code # file: NAME} (bytes as they are, except control characters and backslash as
     * {@code \ooo}), then {@code security.capability=0xHEX}, then an empty line.
     */
    static Map<Path, byte[]> parse(byte[] output, Map<String, Path> byName) throws IOException {
        Map<Path, byte[]> result = new HashMap<>();
        Path current = null;
        for (byte[] line : lines(output)) {
            String text = new String(line, StandardCharsets.ISO_8859_1);
            if (text.startsWith("# file: ")) {
                String name = new String(unescape(line, "# file: ".length()), StandardCharsets.ISO_8859_1);
                current = byName.get(name);
                if (current == null) {
                    throw new IOException("getfattr named a file it was not asked about: " + RawNames.display(
                            RawNames.decode(name.getBytes(StandardCharsets.ISO_8859_1))));
                }
            } else if (text.startsWith(XATTR + "=0x") && current != null) {
                result.put(current, HexFormat.of().parseHex(text.substring(XATTR.length() + 3)));
            } else if (!text.isEmpty()) {
                throw new IOException("unexpected line from getfattr: " + text);
            }
        }
        return result;
    }

    private static List<byte[]> lines(byte[] output) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < output.length; i++) {
            if (output[i] == '\n') {
                lines.add(Arrays.copyOfRange(output, start, i));
                start = i + 1;
            }
        }
        if (start < output.length) {
            lines.add(Arrays.copyOfRange(output, start, output.length));
        }
        return lines;
    }

    private static byte[] unescape(byte[] line, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(line.length);
        for (int i = from; i < line.length; i++) {
            if (line[i] == '\\' && i + 3 < line.length && isOctal(line[i + 1]) && isOctal(line[i + 2])
                    && isOctal(line[i + 3])) {
                out.write(((line[i + 1] - '0') << 6) | ((line[i + 2] - '0') << 3) | (line[i + 3] - '0'));
                i += 3;
            } else {
                out.write(line[i]);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}

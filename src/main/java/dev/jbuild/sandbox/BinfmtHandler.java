package dev.jbuild.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One binfmt_misc entry as the kernel shows it in {@code /proc/sys/fs/binfmt_misc/NAME}:
 *
 * <pre>
 * enabled
 * interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
 * flags: POF
 * offset 0
 * magic 7f454c460201010000000000000000000200b700
 * mask ffffffffffffff00fffffffffffffffffeffffff
 * </pre>
 *
 * Entries that match by file name extension ({@code extension .jar}) have no magic and never match an ELF
 * header.
 *
 * @param magic null for an extension entry
 * @param mask  null when the entry has none (every bit of the magic counts)
 */
record BinfmtHandler(String name, boolean enabled, String interpreter, String flags, int offset, byte[] magic,
        byte[] mask) {

    /** Reads an entry file; empty when it is not one (unreadable, or not in the kernel's format). */
    static Optional<BinfmtHandler> read(Path entry) {
        try {
            return parse(entry.getFileName().toString(), Files.readString(entry, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<BinfmtHandler> parse(String name, String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !(lines[0].equals("enabled") || lines[0].equals("disabled"))) {
            return Optional.empty();
        }
        String interpreter = null;
        String flags = "";
        int offset = 0;
        byte[] magic = null;
        byte[] mask = null;
        for (String line : lines) {
            if (line.startsWith("interpreter ")) {
                interpreter = line.substring("interpreter ".length());
            } else if (line.startsWith("flags:")) {
                flags = line.substring("flags:".length()).strip();
            } else if (line.startsWith("offset ")) {
                offset = Integer.parseInt(line.substring("offset ".length()).strip());
            } else if (line.startsWith("magic ")) {
                magic = HexFormat.of().parseHex(line.substring("magic ".length()).strip());
            } else if (line.startsWith("mask ")) {
                mask = HexFormat.of().parseHex(line.substring("mask ".length()).strip());
            }
        }
        if (interpreter == null || (mask != null && magic != null && mask.length != magic.length)) {
            return Optional.empty();
        }
        return Optional.of(new BinfmtHandler(name, lines[0].equals("enabled"), interpreter, flags, offset, magic, mask));
    }

    /** True when the kernel would hand a file starting with {@code header} to this entry (if enabled). */
    boolean matches(byte[] header) {
        if (magic == null || offset < 0 || offset + magic.length > header.length) {
            return false; // beyond what we know of the file: do not claim a match
        }
        for (int i = 0; i < magic.length; i++) {
            int m = mask == null ? 0xff : mask[i] & 0xff;
            if (((header[offset + i] ^ magic[i]) & m) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * F (fix-binary): the kernel opened the interpreter when the entry was registered. Without it the
     * interpreter is looked up at every exec in the process's root, which for a RUN is the image.
     */
    boolean fixBinary() {
        return flags.indexOf('F') >= 0;
    }
}

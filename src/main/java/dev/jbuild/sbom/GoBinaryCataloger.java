package dev.jbuild.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Go programs: the build information the Go linker (1.18 and later) puts in every binary, read as
 * {@code debug/buildinfo} reads it, from ELF executables only. Only the parts of the file needed are
 * read: the ELF header, the section headers and their names, and the {@code .go.buildinfo} section
 * (or, in a binary without section headers, a bounded window of the first writable segment searched
 * for the magic at 16-byte alignment).
 *
 * <p>The header is {@code "\xff Go buildinf:"}, the pointer size, a flags byte, and (flag 2, Go 1.18+)
 * the Go version and the module information as two varint-length-prefixed strings. Older binaries
 * (Go 1.13 to 1.17) store pointers to the strings instead; they are skipped, as following pointers
 * means mapping virtual addresses, which those toolchains are too old to be worth it.
 *
 * <p>Each binary gives the Go standard library ({@code pkg:golang/stdlib@1.19.8}, as syft writes it),
 * its main module ({@code mod}, or the main package's {@code path} when it was built outside module
 * mode) and every {@code dep} line (a {@code =>} replacement counts instead of what it replaces).
 */
final class GoBinaryCataloger implements Cataloger {

    static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};
    /** The section of the build info is a few KiB; a larger one is not what we look for. */
    static final int SECTION_LIMIT = 16 << 20;
    /** Section headers and their names: a few KiB in real binaries. */
    private static final int HEADERS_LIMIT = 1 << 20;
    /** Without section headers: how much of the writable segment is searched. */
    static final int SEARCH_WINDOW = 1 << 20;

    record BuildInfo(String goVersion, String path, String mainModule, String mainVersion, List<String[]> deps) {}

    @Override
    public List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException {
        List<SbomPackage> packages = new ArrayList<>();
        for (RootFiles.Entry entry : tree.entries()) {
            if (entry.isExecutable() && entry.size() > 64) {
                Optional<BuildInfo> info = read(tree, entry);
                info.ifPresent(i -> packages.addAll(toPackages(i, entry.path())));
            }
        }
        return packages;
    }

    static List<SbomPackage> toPackages(BuildInfo info, String location) {
        List<SbomPackage> packages = new ArrayList<>();
        String goVersion = info.goVersion().startsWith("go") ? info.goVersion().substring(2) : info.goVersion();
        // "go1.22.1 X:nocoverageredesign": the experiments are not part of the version
        goVersion = goVersion.split(" ")[0];
        add(packages, "stdlib", goVersion, location);
        if (!info.mainModule().isEmpty()) {
            add(packages, info.mainModule(), info.mainVersion().equals("(devel)") ? "" : info.mainVersion(), location);
        } else if (!info.path().isEmpty()) {
            add(packages, info.path(), "", location);
        }
        for (String[] dep : info.deps()) {
            add(packages, dep[0], dep[1], location);
        }
        return packages;
    }

    private static void add(List<SbomPackage> into, String module, String version, String location) {
        Purls.golang(module, version).ifPresent(purl -> into.add(
                new SbomPackage(module, version, "golang", purl, List.of(), List.of(location), null, null, null)));
    }

    static Optional<BuildInfo> read(ScanTree tree, RootFiles.Entry entry) throws IOException {
        byte[] header = readAt(tree, entry, 0, 64);
        if (header.length < 52 || !Arrays.equals(header, 0, 4, ELF, 0, 4)) {
            return Optional.empty();
        }
        boolean is64 = header[4] == 2;
        ByteOrder order = header[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer h = ByteBuffer.wrap(header).order(order);
        long shoff = is64 ? h.getLong(0x28) : h.getInt(0x20) & 0xffffffffL;
        int shentsize = h.getShort(is64 ? 0x3a : 0x2e) & 0xffff;
        int shnum = h.getShort(is64 ? 0x3c : 0x30) & 0xffff;
        int shstrndx = h.getShort(is64 ? 0x3e : 0x32) & 0xffff;
        byte[] data = null;
        if (shoff > 0 && shnum > 0 && shstrndx < shnum && (long) shnum * shentsize <= HEADERS_LIMIT) {
            data = fromSection(tree, entry, order, is64, shoff, shentsize, shnum, shstrndx);
        }
        if (data == null) {
            data = fromWritableSegment(tree, entry, h, is64);
        }
        return data == null ? Optional.empty() : parse(data);
    }

    /** The content of {@code .go.buildinfo}, or null when there is no such section. */
    private static byte[] fromSection(ScanTree tree, RootFiles.Entry entry, ByteOrder order, boolean is64, long shoff,
            int shentsize, int shnum, int shstrndx) throws IOException {
        ByteBuffer sections = ByteBuffer.wrap(readAt(tree, entry, shoff, shnum * shentsize)).order(order);
        if (sections.capacity() < shnum * shentsize) {
            return null;
        }
        long[] names = section(sections, shstrndx * shentsize, is64);
        if (names[2] > HEADERS_LIMIT) {
            return null;
        }
        byte[] nameTable = readAt(tree, entry, names[1], (int) names[2]);
        byte[] wanted = ".go.buildinfo\0".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < shnum; i++) {
            long[] s = section(sections, i * shentsize, is64);
            int nameOffset = (int) s[0];
            if (nameOffset >= 0 && nameOffset + wanted.length <= nameTable.length
                    && Arrays.equals(nameTable, nameOffset, nameOffset + wanted.length, wanted, 0, wanted.length)) {
                return s[2] > SECTION_LIMIT ? null : readAt(tree, entry, s[1], (int) s[2]);
            }
        }
        return null;
    }

    /** sh_name, sh_offset, sh_size of one section header. */
    private static long[] section(ByteBuffer b, int at, boolean is64) {
        long name = b.getInt(at) & 0xffffffffL;
        if (is64) {
            return new long[] {name, b.getLong(at + 0x18), b.getLong(at + 0x20)};
        }
        return new long[] {name, b.getInt(at + 0x10) & 0xffffffffL, b.getInt(at + 0x14) & 0xffffffffL};
    }

    /** Go's fallback: the first PT_LOAD segment with the write flag, searched from its start. */
    private static byte[] fromWritableSegment(ScanTree tree, RootFiles.Entry entry, ByteBuffer h, boolean is64)
            throws IOException {
        long phoff = is64 ? h.getLong(0x20) : h.getInt(0x1c) & 0xffffffffL;
        int phentsize = h.getShort(is64 ? 0x36 : 0x2a) & 0xffff;
        int phnum = h.getShort(is64 ? 0x38 : 0x2c) & 0xffff;
        if (phoff <= 0 || phnum == 0 || (long) phnum * phentsize > HEADERS_LIMIT) {
            return null;
        }
        ByteBuffer p = ByteBuffer.wrap(readAt(tree, entry, phoff, phnum * phentsize)).order(h.order());
        for (int i = 0; i < phnum && (i + 1) * phentsize <= p.capacity(); i++) {
            int at = i * phentsize;
            int type = p.getInt(at);
            int flags = is64 ? p.getInt(at + 4) : p.getInt(at + 0x18);
            long offset = is64 ? p.getLong(at + 8) : p.getInt(at + 4) & 0xffffffffL;
            long size = is64 ? p.getLong(at + 0x20) : p.getInt(at + 0x10) & 0xffffffffL;
            if (type == 1 && (flags & 2) != 0) {
                return readAt(tree, entry, offset, (int) Math.min(size, SEARCH_WINDOW));
            }
        }
        return null;
    }

    /** The build info in {@code data}: the magic at a 16-byte boundary, then the inline strings. */
    static Optional<BuildInfo> parse(byte[] data) {
        int at = -1;
        for (int i = 0; i + 32 <= data.length; i += 16) {
            if (Arrays.equals(data, i, i + MAGIC.length, MAGIC, 0, MAGIC.length)) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return Optional.empty();
        }
        int flags = data[at + 15];
        if ((flags & 2) == 0) {
            return Optional.empty(); // Go before 1.18: pointers to the strings (see the class comment)
        }
        int[] position = {at + 32};
        String version = varintString(data, position);
        String mod = varintString(data, position);
        if (version == null || mod == null) {
            return Optional.empty();
        }
        // The module text is framed by 16-byte sentinels, to be found in memory (runtime/debug).
        if (mod.length() >= 33 && mod.charAt(mod.length() - 17) == '\n') {
            mod = mod.substring(16, mod.length() - 16);
        }
        return Optional.of(modInfo(version, mod));
    }

    /** runtime/debug.BuildInfo's text: {@code path}, {@code mod}, {@code dep} and {@code =>} lines, tab-separated. */
    static BuildInfo modInfo(String goVersion, String text) {
        String path = "";
        String mainModule = "";
        String mainVersion = "";
        List<String[]> deps = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "path" -> path = f.length > 1 ? f[1] : "";
                case "mod" -> {
                    mainModule = f.length > 1 ? f[1] : "";
                    mainVersion = f.length > 2 ? f[2] : "";
                }
                case "dep" -> {
                    if (f.length > 1) {
                        deps.add(new String[] {f[1], f.length > 2 ? f[2] : ""});
                    }
                }
                case "=>" -> {
                    // Replaces the line before it (the main module or the last dep).
                    if (f.length > 1 && !deps.isEmpty()) {
                        deps.set(deps.size() - 1, new String[] {f[1], f.length > 2 ? f[2] : ""});
                    }
                }
                default -> {
                    // "build" settings: not packages
                }
            }
        }
        return new BuildInfo(goVersion, path, mainModule, mainVersion, deps);
    }

    private static String varintString(byte[] data, int[] position) {
        long length = 0;
        int shift = 0;
        int i = position[0];
        while (i < data.length && shift < 63) {
            int b = data[i++] & 0xff;
            length |= (long) (b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                if (length > data.length - i) {
                    return null;
                }
                position[0] = i + (int) length;
                return new String(data, i, (int) length, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Up to {@code length} bytes of the file from {@code offset} (fewer at its end). */
    private static byte[] readAt(ScanTree tree, RootFiles.Entry entry, long offset, int length) throws IOException {
        if (offset < 0 || offset >= entry.size() || length <= 0) {
            return new byte[0];
        }
        try (InputStream in = tree.open(entry)) {
            in.skipNBytes(offset);
            return in.readNBytes((int) Math.min(length, entry.size() - offset));
        }
    }
}

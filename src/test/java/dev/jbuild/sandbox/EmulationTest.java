package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binfmt_misc side of {@link Emulation}: handler entries exactly as the kernel lists them after Debian's
 * qemu-user-static registered its formats (test resource {@code binfmt/}, copied from
 * /proc/sys/fs/binfmt_misc, with binfmt-support's jar, python and llvm entries), the package's own
 * registration lines, and the 32-bit probe programs run by the real kernel and by qemu.
 */
class EmulationTest {

    @TempDir
    Path temp;

    /** Which qemu entry serves which OCI architecture; every other entry serves none of them. */
    static final Map<String, String> EXPECTED = Map.ofEntries(
            Map.entry("arm64", "qemu-aarch64"), Map.entry("arm", "qemu-arm"), Map.entry("riscv64", "qemu-riscv64"),
            Map.entry("ppc64le", "qemu-ppc64le"), Map.entry("ppc64", "qemu-ppc64"), Map.entry("s390x", "qemu-s390x"),
            Map.entry("mips64le", "qemu-mips64el"), Map.entry("mips64", "qemu-mips64"),
            Map.entry("mipsle", "qemu-mipsel"), Map.entry("mips", "qemu-mips"),
            Map.entry("loong64", "qemu-loongarch64"));

    static Path fixtures() {
        try {
            return Path.of(EmulationTest.class.getResource("binfmt").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** architecture → names of the entries matching both its EXEC and DYN header. */
    private static Map<String, List<String>> matches(List<BinfmtHandler> handlers) {
        Map<String, List<String>> result = new TreeMap<>();
        Emulation.MACHINES.forEach((arch, machine) -> {
            List<String> names = new ArrayList<>();
            for (BinfmtHandler h : handlers) {
                boolean exec = h.matches(machine.header(Emulation.ET_EXEC));
                boolean dyn = h.matches(machine.header(Emulation.ET_DYN));
                assertEquals(exec, dyn, h.name() + " treats " + arch + " executables and shared objects alike");
                if (exec) {
                    names.add(h.name());
                }
            }
            result.put(arch, names);
        });
        return result;
    }

    private static Map<String, List<String>> expected() {
        Map<String, List<String>> expected = new TreeMap<>();
        Emulation.MACHINES.keySet().forEach(arch -> expected.put(arch,
                EXPECTED.containsKey(arch) ? List.of(EXPECTED.get(arch)) : List.of()));
        return expected;
    }

    @Test
    void kernelEntriesMatchExactlyTheirArchitecture() throws IOException {
        List<BinfmtHandler> handlers = new ArrayList<>();
        try (Stream<Path> files = Files.list(fixtures())) {
            files.filter(f -> !f.getFileName().toString().matches("register|status")).sorted()
                    .forEach(f -> handlers.add(BinfmtHandler.read(f).orElseThrow(() -> new AssertionError(f))));
        }
        assertEquals(32, handlers.size());
        assertEquals(expected(), matches(handlers));
    }

    @Test
    void parsesAnEntry() {
        BinfmtHandler h = BinfmtHandler.parse("qemu-aarch64", """
                enabled
                interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
                flags: POF
                offset 0
                magic 7f454c460201010000000000000000000200b700
                mask ffffffffffffff00fffffffffffffffffeffffff
                """).orElseThrow();
        assertTrue(h.enabled());
        assertTrue(h.fixBinary());
        assertEquals("/usr/libexec/qemu-binfmt/aarch64-binfmt-P", h.interpreter());
        assertEquals(20, h.magic().length);
        // No mask: every bit counts; "flags: " empty; an extension entry never matches a header.
        BinfmtHandler jar = BinfmtHandler.parse("jar", "enabled\ninterpreter /usr/bin/jexec\nflags: \noffset 0\nmagic 504b0304\n")
                .orElseThrow();
        assertFalse(jar.fixBinary());
        assertTrue(jar.matches("PK\u0003\u0004rest".getBytes(StandardCharsets.ISO_8859_1)));
        assertFalse(jar.matches("PK\u0003\u0005rest".getBytes(StandardCharsets.ISO_8859_1)));
        BinfmtHandler ext = BinfmtHandler.parse("exe", "disabled\ninterpreter /usr/bin/mono\nflags: \nextension .exe\n")
                .orElseThrow();
        assertFalse(ext.enabled());
        assertFalse(ext.matches(Emulation.MACHINES.get("arm64").header(Emulation.ET_DYN)));
        assertEquals(Optional.empty(), BinfmtHandler.parse("register", ""));
    }

    /**
     * The registration lines qemu-user-static installs for systemd-binfmt ({@code :name:M:offset:magic:mask:
     * interpreter:flags}, magic and mask with {@code \xNN} escapes) agree with the kernel's listing.
     */
    @Test
    void packageRegistrationLinesMatchExactlyTheirArchitecture() throws IOException {
        Path dir = Path.of("/usr/lib/binfmt.d");
        List<BinfmtHandler> handlers = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("qemu-.*\\.conf")).sorted().toList()) {
                String[] fields = Files.readString(f).strip().split(":", -1);
                String entry = "enabled\ninterpreter " + fields[6] + "\nflags: " + fields[7] + "\noffset "
                        + (fields[3].isEmpty() ? "0" : fields[3]) + "\nmagic " + hex(fields[4]) + "\nmask "
                        + hex(fields[5]) + "\n";
                handlers.add(BinfmtHandler.parse(fields[1], entry).orElseThrow());
            }
        }
        assertTrue(handlers.size() >= 29, "qemu-user-static's binfmt.d files (scripts/test.sh installs it): " + handlers.size());
        assertEquals(expected(), matches(handlers));
    }

    private static String hex(String escaped) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < escaped.length(); ) {
            if (escaped.startsWith("\\x", i)) {
                out.append(escaped, i + 2, i + 4);
                i += 4;
            } else {
                out.append(HexFormat.of().toHexDigits((byte) escaped.charAt(i)));
                i++;
            }
        }
        return out.toString();
    }

    @Test
    void aRegisteredStaticHandlerEmulates() {
        // The fixtures' aarch64 interpreter is the installed qemu-user-static's: statically linked.
        Emulation.Support support = new Emulation(fixtures(), "amd64", temp).support("arm64");
        assertEquals(new Emulation.Emulated("qemu-aarch64", "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"), support);
        assertEquals(new Emulation.Native(), new Emulation(fixtures(), "amd64", temp).support("amd64"));
    }

    private Path binfmt(String status, Map<String, String> entries) throws IOException {
        Path dir = Files.createDirectories(temp.resolve("binfmt-" + System.nanoTime()));
        if (status != null) {
            Files.writeString(dir.resolve("status"), status + "\n");
            Files.writeString(dir.resolve("register"), "");
        }
        for (Map.Entry<String, String> e : entries.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    private static String aarch64(String state, String interpreter, String flags) {
        return state + "\ninterpreter " + interpreter + "\nflags: " + flags
                + "\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";
    }

    private String reason(Path dir) {
        Emulation.Support support = new Emulation(dir, "amd64", temp).support("arm64");
        Emulation.Unavailable missing = assertInstanceOf(Emulation.Unavailable.class, support);
        assertTrue(missing.fix().contains("qemu-user-static") && missing.fix().contains("tonistiigi/binfmt --install arm64"),
                missing.fix());
        return missing.reason();
    }

    @Test
    void whatIsMissingIsNamed() throws IOException {
        assertEquals("binfmt_misc is not mounted at " + temp.resolve("nothing"), reason(temp.resolve("nothing")));
        assertTrue(reason(binfmt("disabled", Map.of("qemu-aarch64", aarch64("enabled", "/usr/bin/qemu-aarch64-static", "F"))))
                .startsWith("binfmt_misc is disabled on this host"));
        assertEquals("no binfmt_misc handler for arm64 programs is registered on this host",
                reason(binfmt("enabled", Map.of())));
        assertEquals("no binfmt_misc handler for arm64 programs is registered on this host",
                reason(binfmt("enabled", Map.of("qemu-aarch64", aarch64("disabled", "/usr/bin/qemu-aarch64-static", "PF")))));
        assertTrue(reason(binfmt("enabled", Map.of("qemu-aarch64", aarch64("enabled", "/usr/bin/qemu-aarch64-static", "POC"))))
                .contains("registered without the F (fix-binary) flag"));
        // One good and one F-less handler: the kernel may pick either, so it is refused.
        assertTrue(reason(binfmt("enabled", Map.of(
                "qemu-aarch64", aarch64("enabled", "/usr/bin/qemu-aarch64-static", "F"),
                "aarch64-other", aarch64("enabled", "/usr/bin/qemu-aarch64", "P"))))
                .contains("aarch64-other (/usr/bin/qemu-aarch64) was registered without the F"));
        // F, but the interpreter itself needs a dynamic loader, which the image does not have.
        String dynamic = reason(binfmt("enabled", Map.of("qemu-aarch64", aarch64("enabled", "/bin/ls", "F"))));
        assertTrue(dynamic.contains("/bin/ls, which is dynamically linked (/lib"), dynamic);
        // An architecture without a known ELF machine.
        Emulation.Support unknown = new Emulation(fixtures(), "amd64", temp).support("sparc64");
        assertTrue(assertInstanceOf(Emulation.Unavailable.class, unknown).reason().contains("does not know"));
    }

    @Test
    void theDynamicLoaderOfAProgram() {
        assertEquals(Optional.empty(), Emulation.ElfProbe.programInterpreter(Path.of("/usr/bin/qemu-aarch64-static")));
        assertEquals(Optional.empty(), Emulation.ElfProbe.programInterpreter(Path.of("/bin/busybox")));
        assertTrue(Emulation.ElfProbe.programInterpreter(Path.of("/bin/ls")).orElseThrow().startsWith("/lib"));
        assertEquals(Optional.empty(), Emulation.ElfProbe.programInterpreter(Path.of("/etc/passwd")));
        assertEquals(Optional.empty(), Emulation.ElfProbe.programInterpreter(temp.resolve("missing")));
    }

    /** The probe programs are valid: qemu runs each to exit 0, and a broken one fails. */
    @Integration
    @Test
    void probeProgramsExitZero() throws IOException {
        for (Map.Entry<String, byte[]> probe : Map.of("qemu-i386-static", Emulation.ElfProbe.i386(),
                "qemu-arm-static", Emulation.ElfProbe.arm()).entrySet()) {
            Path file = temp.resolve(probe.getKey() + ".probe");
            Files.write(file, probe.getValue());
            Files.setAttribute(file, "unix:mode", 0700); // qemu, like the kernel, runs only executable files
            ExternalTool.command(probe.getKey(), file.toString()).runSuccessfully();
        }
        byte[] exitOne = Emulation.ElfProbe.program(3, 0, 0x08048000, new byte[] {
                (byte) 0xb8, 1, 0, 0, 0, (byte) 0xbb, 1, 0, 0, 0, (byte) 0xcd, (byte) 0x80}); // exit(1)
        assertFalse(Emulation.ElfProbe.runs(exitOne, temp));
        assertFalse(Emulation.ElfProbe.runs(Emulation.ElfProbe.arm(), temp), "an amd64 kernel cannot run ARM itself");
    }

    /**
     * 386 on amd64 is native exactly when the kernel runs i386 programs itself (IA32 emulation, on in
     * Debian's kernels, but some VM kernels leave it out): the shell's exec of the same program decides,
     * and without a registered handler the other answer is the clear "no handler" error.
     */
    @Integration
    @Test
    void i386IsNativeOnAmd64ExactlyWhenTheKernelRunsIt() throws IOException, InterruptedException {
        assertEquals("amd64", BusyboxImage.hostArchitecture(), "CI runs on amd64");
        Path program = temp.resolve("i386-exit0");
        Files.write(program, Emulation.ElfProbe.i386());
        Files.setAttribute(program, "unix:mode", 0700);
        Process shell = new ProcessBuilder("sh", "-c", "exec \"$0\" 2>/dev/null", program.toString()).start();
        assertTrue(shell.waitFor(10, TimeUnit.SECONDS));
        boolean kernelRunsI386 = shell.exitValue() == 0;
        Files.delete(program);

        Emulation.Support support = new Emulation(binfmt("enabled", Map.of()), "amd64", temp).support("386");
        if (kernelRunsI386) {
            assertEquals(new Emulation.Native(), support);
        } else {
            Emulation.Unavailable unavailable = assertInstanceOf(Emulation.Unavailable.class, support);
            assertTrue(unavailable.reason().contains("no binfmt_misc handler for 386"), unavailable.reason());
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("elf-probe")), "the probe is removed");
        }
    }
}

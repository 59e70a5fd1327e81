package dev.jbuild.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether this host can run the programs of a Linux image for another CPU, and how: natively (its own
 * architecture, or a 32-bit one its kernel runs, checked by executing a tiny program), or through a
 * binfmt_misc handler such as qemu-user-static's.
 *
 * <p>RUN needs nothing else for emulation: a handler registered with the F (fix-binary) flag holds its
 * interpreter open, so the kernel starts foreign binaries through it in any mount namespace, chroot and user
 * namespace, and user namespaces without a binfmt_misc mount of their own use the host's handlers. Handlers
 * are host-global; only root (of the initial user namespace) registers them. See docs/rootless.md.
 *
 * <p>The binfmt_misc directory is a parameter so tests can describe a host that has no handler.
 */
public final class Emulation {

    /** Test property: another directory to read binfmt_misc entries from. */
    public static final String BINFMT_DIR_PROPERTY = "jbuild.sandbox.binfmt.dir";
    static final Path BINFMT_MISC = Path.of("/proc/sys/fs/binfmt_misc");

    /** How this host runs a target architecture's programs. */
    public sealed interface Support permits Native, Emulated, Unavailable {
    }

    /** Without emulation. */
    public record Native() implements Support {
    }

    /** Through the binfmt_misc entry {@code handler}, whose program is {@code interpreter}. */
    public record Emulated(String handler, String interpreter) implements Support {
    }

    /**
     * Not at all: {@code reason} says what is missing, {@code fix} what to do on the host (both sentences
     * without the platform's name in front).
     */
    public record Unavailable(String reason, String fix) implements Support {
    }

    /**
     * What the kernel needs to know of an ELF file to pick a handler: class (1: 32-bit, 2: 64-bit), byte
     * order (1: little, 2: big endian), e_machine, and e_flags where a handler may test them.
     */
    record ElfMachine(int elfClass, int byteOrder, int machine, int flags) {
        /**
         * The first 64 bytes of an ELF program of this machine: e_ident, e_type, e_machine, e_version and
         * e_flags; the rest (entry point, header offsets) no handler looks at and stays zero.
         */
        byte[] header(int type) {
            ByteBuffer b = ByteBuffer.allocate(64).order(byteOrder == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, (byte) byteOrder, 1, 0});
            b.position(16);
            b.putShort((short) type).putShort((short) machine).putInt(1);
            b.position(elfClass == 1 ? 36 : 48);
            b.putInt(flags);
            return b.array();
        }
    }

    static final int ET_EXEC = 2;
    static final int ET_DYN = 3;

    /** OCI architecture → ELF machine (the values of Go's GOARCH, as images name them). */
    static final Map<String, ElfMachine> MACHINES = Map.ofEntries(
            Map.entry("amd64", new ElfMachine(2, 1, 62, 0)),
            Map.entry("386", new ElfMachine(1, 1, 3, 0)),
            Map.entry("arm64", new ElfMachine(2, 1, 183, 0)),
            Map.entry("arm", new ElfMachine(1, 1, 40, 0x05000000)), // EABI version 5, as every current toolchain
            Map.entry("riscv64", new ElfMachine(2, 1, 243, 0)),
            Map.entry("ppc64le", new ElfMachine(2, 1, 21, 0)),
            Map.entry("ppc64", new ElfMachine(2, 2, 21, 0)),
            Map.entry("s390x", new ElfMachine(2, 2, 22, 0)),
            Map.entry("mips64le", new ElfMachine(2, 1, 8, 0)),
            Map.entry("mips64", new ElfMachine(2, 2, 8, 0)),
            Map.entry("mipsle", new ElfMachine(1, 1, 8, 0)),
            Map.entry("mips", new ElfMachine(1, 2, 8, 0)),
            Map.entry("loong64", new ElfMachine(2, 1, 258, 0)));

    /**
     * The program that checks whether {@code host}'s kernel runs {@code architecture} itself, or null: only
     * 32-bit architectures a 64-bit kernel may run without emulation have one. It only exits 0; whether it
     * runs (IA32 emulation compiled in and not disabled at boot; an arm64 CPU with AArch32 at EL0) is checked
     * by running it, never assumed.
     */
    static byte[] compatProbe(String host, String architecture) {
        if (host.equals("amd64") && architecture.equals("386")) {
            return ElfProbe.i386();
        }
        if (host.equals("arm64") && architecture.equals("arm")) {
            return ElfProbe.arm();
        }
        return null;
    }

    private final Path binfmtDir;
    private final String hostArchitecture;
    private final Path probeDir;

    /**
     * @param binfmtDir        where binfmt_misc is mounted ({@code /proc/sys/fs/binfmt_misc})
     * @param hostArchitecture this machine's OCI architecture ({@code amd64}, {@code arm64}…)
     * @param probeDir         a directory that allows executing files, for the 32-bit probe
     */
    public Emulation(Path binfmtDir, String hostArchitecture, Path probeDir) {
        this.binfmtDir = binfmtDir;
        this.hostArchitecture = hostArchitecture;
        this.probeDir = probeDir;
    }

    /** This machine's binfmt_misc (or the directory of {@value #BINFMT_DIR_PROPERTY}). */
    public static Emulation forHost(String hostArchitecture, Path probeDir) {
        String dir = System.getProperty(BINFMT_DIR_PROPERTY);
        return new Emulation(dir == null ? BINFMT_MISC : Path.of(dir), hostArchitecture, probeDir);
    }

    /**
     * How a Linux program for {@code architecture} (normalised OCI spelling; the variant does not matter:
     * one handler serves every arm variant, and amd64 levels run or fail natively) runs here.
     */
    public Support support(String architecture) {
        if (architecture.equals(hostArchitecture)) {
            return new Native();
        }
        byte[] probe = compatProbe(hostArchitecture, architecture);
        if (probe != null && ElfProbe.runs(probe, probeDir)) {
            return new Native();
        }
        ElfMachine machine = MACHINES.get(architecture);
        if (machine == null) {
            return new Unavailable("jbuild does not know the ELF machine of '" + architecture + "'",
                    "build on a " + architecture + " machine");
        }
        String fix = fix(architecture);
        String status = readStatus();
        if (status == null) {
            return new Unavailable("binfmt_misc is not mounted at " + binfmtDir, "as root: mount -t binfmt_misc"
                    + " binfmt_misc " + binfmtDir + ", then " + fix);
        }
        if (!status.equals("enabled")) {
            return new Unavailable("binfmt_misc is disabled on this host (" + binfmtDir.resolve("status") + ")",
                    "as root: echo 1 > " + binfmtDir.resolve("status") + ", then " + fix);
        }
        // The kernel may pick any matching handler; each must serve executables and shared objects (most
        // programs are position-independent, e_type DYN) and each must work inside the image's root.
        List<BinfmtHandler> exec = matching(machine.header(ET_EXEC));
        List<BinfmtHandler> dyn = matching(machine.header(ET_DYN));
        if (exec.isEmpty() || dyn.isEmpty()) {
            return new Unavailable("no binfmt_misc handler for " + architecture + " programs is registered on this"
                    + " host", fix);
        }
        List<BinfmtHandler> all = new ArrayList<>(exec);
        dyn.stream().filter(h -> all.stream().noneMatch(e -> e.name().equals(h.name()))).forEach(all::add);
        for (BinfmtHandler handler : all) {
            if (!handler.fixBinary()) {
                return new Unavailable("the binfmt_misc handler " + handler.name() + " (" + handler.interpreter()
                        + ") was registered without the F (fix-binary) flag, so the kernel would look for its"
                        + " interpreter inside the image's root filesystem, where it does not exist",
                        "register it with the F flag: " + fix);
            }
            Optional<String> loader = ElfProbe.programInterpreter(Path.of(handler.interpreter()));
            if (loader.isPresent()) {
                return new Unavailable("the binfmt_misc handler " + handler.name() + " runs "
                        + handler.interpreter() + ", which is dynamically linked (" + loader.get() + "), and the"
                        + " image has no such loader", "use statically linked emulators: " + fix);
            }
        }
        BinfmtHandler chosen = dyn.get(0);
        return new Emulated(chosen.name(), chosen.interpreter());
    }

    /** What a host administrator runs to get emulation for {@code architecture}. */
    static String fix(String architecture) {
        return "install qemu-user-static on the host (Debian/Ubuntu: apt-get install qemu-user-static"
                + " binfmt-support; Fedora: dnf install qemu-user-static) or register the handlers once per boot"
                + " with `docker run --privileged --rm tonistiigi/binfmt --install " + architecture + "`";
    }

    /** "enabled", "disabled", or null when binfmt_misc is not mounted there. */
    private String readStatus() {
        try {
            return Files.readString(binfmtDir.resolve("status")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** The enabled entries that claim a file with this header, in directory order. */
    private List<BinfmtHandler> matching(byte[] header) {
        List<BinfmtHandler> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(binfmtDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals("register") || name.equals("status")) {
                    continue;
                }
                BinfmtHandler.read(entry).filter(h -> h.enabled() && h.matches(header)).ifPresent(result::add);
            }
        } catch (IOException e) {
            return List.of();
        }
        result.sort((a, b) -> a.name().compareTo(b.name())); // directory order is arbitrary: stable messages
        return result;
    }

    /** Tiny ELF programs, and reading ELF program headers. */
    static final class ElfProbe {
        private ElfProbe() {
        }

        /** i386: {@code mov eax,1; xor ebx,ebx; int 0x80} (exit 0), loaded at 0x08048000. */
        static byte[] i386() {
            return program(3, 0, 0x08048000, new byte[] {
                    (byte) 0xb8, 1, 0, 0, 0, 0x31, (byte) 0xdb, (byte) 0xcd, (byte) 0x80});
        }

        /** ARM (EABI5): {@code mov r0,#0; mov r7,#1; svc #0} (exit 0), loaded at 0x10000. */
        static byte[] arm() {
            return program(40, 0x05000000, 0x10000, new byte[] {
                    0, 0, (byte) 0xa0, (byte) 0xe3, 1, 0x70, (byte) 0xa0, (byte) 0xe3, 0, 0, 0, (byte) 0xef});
        }

        /** A static little-endian ELF32 executable: header, one PT_LOAD of the whole file, the code. */
        static byte[] program(int machine, int flags, int base, byte[] code) {
            int headers = 52 + 32;
            ByteBuffer b = ByteBuffer.allocate(headers + code.length).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
            b.putShort((short) ET_EXEC).putShort((short) machine).putInt(1);
            b.putInt(base + headers); // e_entry: the code after the headers
            b.putInt(52).putInt(0); // e_phoff, e_shoff
            b.putInt(flags);
            b.putShort((short) 52).putShort((short) 32).putShort((short) 1); // e_ehsize, e_phentsize, e_phnum
            b.putShort((short) 0).putShort((short) 0).putShort((short) 0); // no section headers
            b.putInt(1).putInt(0).putInt(base).putInt(base); // PT_LOAD, p_offset, p_vaddr, p_paddr
            b.putInt(headers + code.length).putInt(headers + code.length); // p_filesz, p_memsz
            b.putInt(5).putInt(0x1000); // p_flags R+X, p_align
            b.put(code);
            return b.array();
        }

        /** True when the kernel runs {@code program} and it exits 0 within a few seconds. */
        static boolean runs(byte[] program, Path dir) {
            Path file = null;
            try {
                Files.createDirectories(dir);
                file = Files.createTempFile(dir, "elf-probe", "");
                Files.write(file, program);
                Files.setAttribute(file, "unix:mode", 0700);
                Process process = new ProcessBuilder(file.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return false;
                }
                return process.exitValue() == 0;
            } catch (IOException e) {
                return false; // "Exec format error": the kernel does not run it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                if (file != null) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        // a few bytes left in a scratch directory
                    }
                }
            }
        }

        /**
         * The PT_INTERP path (dynamic loader) of an ELF file, empty for a static program or a file that
         * cannot be read here (an F handler registered from a container names a path of that container;
         * the kernel holds the file open, so it still works).
         */
        static Optional<String> programInterpreter(Path file) {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                return Optional.empty();
            }
            if (head.length < 52 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
                return Optional.empty();
            }
            boolean wide = head[4] == 2;
            ByteBuffer b = ByteBuffer.wrap(head).order(head[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            try {
                long phoff = wide ? b.getLong(32) : Integer.toUnsignedLong(b.getInt(28));
                int phentsize = Short.toUnsignedInt(b.getShort(wide ? 54 : 42));
                int phnum = Short.toUnsignedInt(b.getShort(wide ? 56 : 44));
                for (int i = 0; i < phnum; i++) {
                    int at = Math.toIntExact(phoff + (long) i * phentsize);
                    if (b.getInt(at) == 3) { // PT_INTERP
                        long offset = wide ? b.getLong(at + 8) : Integer.toUnsignedLong(b.getInt(at + 4));
                        long size = wide ? b.getLong(at + 32) : Integer.toUnsignedLong(b.getInt(at + 16));
                        byte[] path = new byte[(int) Math.max(0, size - 1)];
                        b.get(Math.toIntExact(offset), path);
                        return Optional.of(new String(path, StandardCharsets.UTF_8));
                    }
                }
            } catch (IndexOutOfBoundsException | ArithmeticException e) {
                return Optional.empty(); // headers beyond the first 64 KiB: not a normal program
            }
            return Optional.empty();
        }
    }
}

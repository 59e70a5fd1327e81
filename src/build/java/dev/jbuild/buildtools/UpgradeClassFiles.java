package dev.jbuild.buildtools;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Build-time only, never in the jar (pom.xml runs it in {@code process-classes} as a single-file program):
 * writes the class files of a dependency jar into the build's class directory as version 52 (Java 8)
 * class files with stack-map frames. picocli ships Java 5 class files (version 49), which Java 17's class
 * data sharing cannot archive and which the JVM checks with the old type-inferencing verifier, so picocli
 * cost ~160 ms of every command's start (docs/performance.md, "Start-up"). Only the version and the
 * frames change: the bytecode is the one picocli published.
 *
 * <p>Why 52 and not 61: 50 may fall back to the old verifier when its frames fail, 52 never does (so
 * a bad frame is a {@code VerifyError}, not a silent slow path), and 53 onwards rejects writes to
 * final fields outside initialisers, which class files before Java 9 were allowed to contain.
 *
 * <p>Usage: {@code UpgradeClassFiles JAR OUTPUT_DIRECTORY}. Classes already at 52 or above are copied
 * unchanged; {@code META-INF/} (the module descriptor of a multi-release jar) is left out.
 */
public final class UpgradeClassFiles {

    private static final int TARGET_VERSION = Opcodes.V1_8;

    private UpgradeClassFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: UpgradeClassFiles JAR OUTPUT_DIRECTORY");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path output = Path.of(args[1]);
        int upgraded = 0;
        int copied = 0;
        // Frames need the common superclass of two types where control flow joins; picocli's own
        // classes are loaded (never initialised) from the jar itself, the JDK's from the platform loader.
        try (JarFile in = new JarFile(jar.toFile());
                URLClassLoader hierarchy = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                        ClassLoader.getPlatformClassLoader())) {
            for (Enumeration<JarEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() || !name.endsWith(".class") || name.startsWith("META-INF/")) {
                    continue;
                }
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                byte[] written = bytes;
                if (majorVersion(bytes) < TARGET_VERSION) {
                    written = upgrade(bytes, hierarchy);
                    upgraded++;
                } else {
                    copied++;
                }
                Path target = output.resolve(name).normalize();
                if (!target.startsWith(output)) {
                    throw new IOException("entry outside the output directory: " + name);
                }
                Files.createDirectories(target.getParent());
                Files.write(target, written);
            }
        }
        System.out.println("UpgradeClassFiles: " + jar.getFileName() + ": " + upgraded
                + " classes rewritten as version " + TARGET_VERSION + ", " + copied + " copied");
    }

    private static int majorVersion(byte[] classFile) {
        if (classFile.length < 8 || (classFile[0] & 0xff) != 0xca || (classFile[1] & 0xff) != 0xfe
                || (classFile[2] & 0xff) != 0xba || (classFile[3] & 0xff) != 0xbe) {
            throw new IllegalArgumentException("not a class file");
        }
        return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
    }

    private static byte[] upgrade(byte[] bytes, ClassLoader hierarchy) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return hierarchy;
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                super.visit(TARGET_VERSION, access, name, signature, superName, interfaces);
            }
        }, 0);
        return writer.toByteArray();
    }
}

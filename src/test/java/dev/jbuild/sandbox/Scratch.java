package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Manual smoke run: java -cp … dev.jbuild.sandbox.Scratch WORKROOT SNAPSHOTTER CMD. */
public final class Scratch {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Files.createDirectories(root);
        SandboxOptions o = SandboxOptions.defaults(root.resolve("work"))
                .withSnapshotter(Snapshotter.valueOf(args[1]));
        long t0 = System.nanoTime();
        Sandbox s = Sandbox.open(o);
        System.out.println("open " + (System.nanoTime() - t0) / 1000000 + " ms, " + s.snapshotter() + " " + s.idMapping()
                + " " + s.warnings());
        Path tar = BusyboxBase.writeTar(root.resolve("base.tar"));
        Path base = root.resolve("base");
        s.delete(base);
        t0 = System.nanoTime();
        System.out.println(s.unpack(base, List.of(new Sandbox.LayerBlob(tar, null, null))));
        System.out.println("unpack " + (System.nanoTime() - t0) / 1000000 + " ms");
        for (int i = 0; i < 3; i++) {
            try (RunResult r = s.run(Rootfs.of(base), ProcessSpec.of("/bin/sh", "-c", args[2]),
                    (st, line) -> System.out.println(st + ": " + line))) {
                System.out.println("exit " + r.exitCode() + " " + r.timings() + " " + r.warnings());
                for (LayerEntry e : r.changes()) {
                    System.out.println("  " + e);
                }
            }
        }
    }
}

package dev.jbuild.engine.fs;

import java.nio.file.Path;
import java.util.List;

/**
 * One directory of the overlay stack a RUN sees, before it is materialised: the merged base
 * layers, a single layer written by this build (never with whiteouts, so it can stand alone as an
 * overlay lower), or a directory that already exists (a previous RUN's upper directory).
 */
public sealed interface Lower {

    record Chain(List<LayerRecord> layers) implements Lower {
        public Chain {
            layers = List.copyOf(layers);
        }
    }

    /**
     * The last layer of {@code chain}, unpacked on its own. Directories it lacks take their attributes
     * from the directories below it, so what is unpacked depends on the whole chain (as containerd's
     * snapshots are keyed by chain ID), not on the layer alone.
     */
    record Single(List<LayerRecord> chain) implements Lower {
        public Single {
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("a single layer needs its chain");
            }
        }

        public LayerRecord layer() {
            return chain.get(chain.size() - 1);
        }
    }

    record Dir(Path path) implements Lower {}
}

package dev.jbuild.build;

import java.nio.file.Path;
import java.util.List;

/**
 * One directory of the overlay stack a RUN sees, before it is materialised: the merged base
 * layers, a single layer written by this build (never with whiteouts, so it can stand alone as an
 * overlay lower), or a directory that already exists (a previous RUN's upper directory).
 */
sealed interface Lower {

    record Chain(List<LayerRecord> layers) implements Lower {
        public Chain {
            layers = List.copyOf(layers);
        }
    }

    record Single(LayerRecord layer) implements Lower {}

    record Dir(Path path) implements Lower {}
}

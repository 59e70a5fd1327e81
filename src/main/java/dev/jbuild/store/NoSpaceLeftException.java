package dev.jbuild.store;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The file system ran out of space (ENOSPC) while jbuild wrote {@link #path()}: a blob, a tag or a temporary
 * file of the store, a RUN's own writes or diff, an unpacked layer, an exported archive or directory. The one
 * place that recognises a full disk ({@link #of}) wherever it happens, so the user reads which file was being
 * written and where it belongs (the store's root, or the output's destination) rather than the JDK's bare
 * "No space left on device" or whatever a half-written file made of the next read.
 *
 * <p>A writer that knows only the file ({@code of(e, file)}) leaves the place open; the code that knows the
 * store or the destination names it with {@link #inStore} or {@link #atDestination}. The first place given
 * stays: a spool file of the store filling up during an export is the store's problem, not the destination's.
 */
public final class NoSpaceLeftException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The JDK's text for ENOSPC (strerror), in plain IOExceptions and FileSystemException reasons. */
    static final String ENOSPC = "No space left on device";
    /** Below this much usable space, a failed write is taken to be for lack of space. */
    static final long NEARLY_FULL = 1 << 20;

    /** What the written file belongs to, which decides what the user can do about it. */
    private enum Place {
        STORE("store", "free space or choose another store with --root"),
        DESTINATION("destination", "free space there or write the output elsewhere");

        final String label;
        final String advice;

        Place(String label, String advice) {
            this.label = label;
            this.advice = advice;
        }
    }

    private final String path;
    private final Place place;
    private final String where;
    private final String detail;

    /** A full disk while writing {@code path}, whose store or destination is not known here. */
    public NoSpaceLeftException(String path, Throwable cause) {
        this(path, null, null, null, cause);
    }

    private NoSpaceLeftException(String path, Place place, String where, String detail, Throwable cause) {
        super(message(path, place, where, detail), cause);
        this.path = path;
        this.place = place;
        this.where = where;
        this.detail = detail;
    }

    /**
     * A write into the store that cannot fit, known before its first byte ({@code detail} says how much it
     * needs and how much is free).
     */
    static NoSpaceLeftException beforeWriting(Path path, Path storeRoot, String detail) {
        return new NoSpaceLeftException(path.toString(), Place.STORE, storeRoot.toString(), detail, null);
    }

    private static String message(String path, Place place, String where, String detail) {
        StringBuilder text = new StringBuilder("no space left on device writing ").append(path);
        if (place != null) {
            text.append(" (").append(place.label).append(": ").append(where).append(')');
        }
        if (detail != null) {
            text.append(": ").append(detail);
        }
        if (place != null) {
            text.append("; ").append(place.advice);
        }
        return text.toString();
    }

    /** The file or directory being written. */
    public String path() {
        return path;
    }

    /** The same failure, naming the store {@code root} it happened in, unless a place is named already. */
    public NoSpaceLeftException inStore(Path root) {
        return place != null ? this : new NoSpaceLeftException(path, Place.STORE, root.toString(), detail, getCause());
    }

    /**
     * The same failure, naming the output destination ({@code -o ...,dest=}, {@code --cache-to
     * type=local,dest=}, {@code jbuild save -o}) it happened in, unless a place is named already.
     */
    NoSpaceLeftException atDestination(Path destination) {
        return place != null ? this : new NoSpaceLeftException(path, Place.DESTINATION, destination.toString(), detail, getCause());
    }

    /**
     * The ENOSPC among {@code e} and its causes, naming the file it was writing, or {@code fallback} (what
     * was being written as a whole) when the JDK did not say (stream writes carry no path). One already
     * recognised further down the chain is returned as it is, with the file and place it named.
     */
    public static Optional<NoSpaceLeftException> of(Throwable e, Path fallback) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NoSpaceLeftException n) {
                return Optional.of(n);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException f && f.getReason() != null && f.getReason().contains(ENOSPC)) {
                // A copy or move names the destination second: that is what was being written.
                String written = f.getOtherFile() != null ? f.getOtherFile()
                        : f.getFile() != null ? f.getFile() : String.valueOf(fallback);
                return Optional.of(new NoSpaceLeftException(written, e));
            }
            if (t instanceof IOException && t.getMessage() != null && t.getMessage().contains(ENOSPC)) {
                return Optional.of(new NoSpaceLeftException(String.valueOf(fallback), e));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code e} as a full disk of the store at {@code root} while writing {@code written} (the file, when
     * the JDK does not name it), or {@code e} itself when it is something else.
     */
    public static IOException forStore(IOException e, Path written, Path root) {
        return of(e, written).<IOException>map(n -> n.inStore(root)).orElse(e);
    }

    /** {@code e} as a full disk of the output {@code destination} while writing {@code written}, or {@code e}. */
    public static IOException forDestination(IOException e, Path written, Path destination) {
        return of(e, written).<IOException>map(n -> n.atDestination(destination)).orElse(e);
    }

    /** Whether the file system of {@code p} has (almost) no space left for an unprivileged writer. */
    public static boolean nearlyFull(Path p) {
        try {
            return Files.getFileStore(p).getUsableSpace() < NEARLY_FULL;
        } catch (IOException e) {
            return false;
        }
    }
}

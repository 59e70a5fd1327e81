package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the characters of one logical line (an instruction with its continuation lines joined)
 * stand in the file: the joined line is a sequence of pieces of physical lines, each piece starting
 * at some column of its line. The parser and the converter find problems by their offset in the
 * joined line; this turns an offset back into the line and column the user sees.
 */
final class LineMap {

    /** One piece: its first offset in the joined line, and the physical line and column it starts at. */
    private record Piece(int offset, int line, int column) {}

    private final List<Piece> pieces = new ArrayList<>();

    /** Appends a piece of {@code line}, starting at {@code column} there, at {@code offset} of the joined line. */
    void add(int offset, int line, int column) {
        pieces.add(new Piece(offset, line, column));
    }

    /**
     * The caret for {@code offset}. An offset at the boundary of two pieces belongs to the later one
     * (a word that starts a continuation line is shown on that line); null for a negative offset.
     */
    Caret at(int offset) {
        if (offset < 0 || pieces.isEmpty()) {
            return null;
        }
        Piece piece = pieces.get(0);
        for (Piece p : pieces) {
            if (p.offset() <= offset) {
                piece = p;
            }
        }
        return new Caret(piece.line(), piece.column() + Math.max(0, offset - piece.offset()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LineMap other && pieces.equals(other.pieces);
    }

    @Override
    public int hashCode() {
        return pieces.hashCode();
    }
}

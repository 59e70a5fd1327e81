package dev.jbuild.engine.step;

/**
 * A {@code --chmod} value: octal ({@code 0755}, {@code 755}) or symbolic ({@code u=rwx,go=rx},
 * {@code +x}, {@code a-w}), applied to each copied file's own mode as chmod(1) does.
 */
final class FileMode {

    private static final int SETUID = 04000;
    private static final int SETGID = 02000;
    private static final int STICKY = 01000;

    private final String spec;
    private final Integer octal;

    private FileMode(String spec, Integer octal) {
        this.spec = spec;
        this.octal = octal;
    }

    /** @throws IllegalArgumentException for a value chmod(1) would not accept */
    static FileMode parse(String spec) {
        if (!spec.isEmpty() && spec.chars().allMatch(c -> c >= '0' && c <= '7')) {
            if (spec.length() > 4) {
                throw new IllegalArgumentException("invalid chmod value " + spec + ": at most four octal digits");
            }
            return new FileMode(spec, Integer.parseInt(spec, 8));
        }
        FileMode mode = new FileMode(spec, null);
        mode.applyTo(0644, false); // validates the clauses
        return mode;
    }

    /**
     * The new permission bits (including setuid, setgid and sticky) for a file whose current bits
     * are {@code current}; {@code directory} matters for {@code X}.
     */
    int applyTo(int current, boolean directory) {
        if (octal != null) {
            return octal;
        }
        int mode = current & 07777;
        for (String clause : spec.split(",", -1)) {
            mode = applyClause(clause, mode, directory);
        }
        return mode;
    }

    private int applyClause(String clause, int mode, boolean directory) {
        int i = 0;
        int who = 0;
        while (i < clause.length() && "ugoa".indexOf(clause.charAt(i)) >= 0) {
            who |= switch (clause.charAt(i)) {
                case 'u' -> 04700;
                case 'g' -> 02070;
                case 'o' -> 01007;
                default -> 07777;
            };
            i++;
        }
        // No "who" means "a", without a umask: builds must not depend on the builder's umask.
        if (who == 0) {
            who = 07777;
        }
        if (i >= clause.length()) {
            throw invalid();
        }
        while (i < clause.length()) {
            char op = clause.charAt(i++);
            if (op != '+' && op != '-' && op != '=') {
                throw invalid();
            }
            int bits = 0;
            while (i < clause.length() && "+-=".indexOf(clause.charAt(i)) < 0) {
                char perm = clause.charAt(i++);
                bits |= switch (perm) {
                    case 'r' -> 0444;
                    case 'w' -> 0222;
                    case 'x' -> 0111;
                    case 'X' -> (directory || (mode & 0111) != 0) ? 0111 : 0;
                    case 's' -> SETUID | SETGID;
                    case 't' -> STICKY;
                    case 'u' -> copyClass((mode >> 6) & 7);
                    case 'g' -> copyClass((mode >> 3) & 7);
                    case 'o' -> copyClass(mode & 7);
                    default -> throw invalid();
                };
            }
            bits &= who;
            mode = switch (op) {
                case '+' -> mode | bits;
                case '-' -> mode & ~bits;
                default -> (mode & ~who) | bits;
            };
        }
        return mode;
    }

    private static int copyClass(int rwx) {
        return rwx * 0111;
    }

    private IllegalArgumentException invalid() {
        return new IllegalArgumentException("invalid chmod value " + spec
                + ": use octal (0755) or symbolic (u=rwx,go=rx) notation");
    }

    @Override
    public String toString() {
        return spec;
    }
}

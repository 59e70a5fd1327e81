package dev.jbuild.image;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Chooses the manifest for a wanted platform from an index, ranking compatible candidates the way
 * containerd does: an exact match first, then older variants of the same architecture that the
 * wanted one runs ({@code arm/v7} also takes {@code v6} then {@code v5}; {@code amd64/v3} takes
 * {@code v2} then {@code v1}; {@code arm64/v8.2} takes {@code v8.1} then {@code v8}).
 *
 * <p>Unlike containerd's default matcher it never falls back to a different architecture
 * ({@code 386} for {@code amd64}, {@code arm} for {@code arm64}): a build for {@code linux/amd64}
 * must produce an amd64 image, so a missing architecture is an error for the caller to report.
 * Entries without a platform, attestation manifests ({@code unknown/unknown}) and anything that is
 * not a manifest or index are never chosen.
 */
public final class PlatformMatcher {

    private final Platform wanted;

    private PlatformMatcher(Platform wanted) {
        this.wanted = wanted.normalize();
    }

    public static PlatformMatcher of(Platform wanted) {
        return new PlatformMatcher(Objects.requireNonNull(wanted, "platform"));
    }

    /** The wanted platform, normalised. */
    public Platform wanted() {
        return wanted;
    }

    public boolean matches(Platform candidate) {
        return rank(candidate).isPresent();
    }

    /**
     * How well {@code candidate} fits: 0 is an exact match, higher is a worse but compatible
     * match, empty is incompatible.
     */
    public OptionalInt rank(Platform candidate) {
        if (candidate == null) {
            return OptionalInt.empty();
        }
        Platform c = candidate.normalize();
        if ("unknown".equals(c.os()) || "unknown".equals(c.architecture())) {
            return OptionalInt.empty();
        }
        if (!Objects.equals(wanted.os(), c.os()) || !Objects.equals(wanted.architecture(), c.architecture())) {
            return OptionalInt.empty();
        }
        int variantDistance = variantDistance(wanted.architecture(), wanted.variant(), c.variant());
        if (variantDistance < 0) {
            return OptionalInt.empty();
        }
        // os.version only breaks ties (Windows images per build); a differing one is still usable.
        boolean osVersionDiffers = wanted.osVersion() != null && !wanted.osVersion().isEmpty()
                && !wanted.osVersion().equals(c.osVersion());
        return OptionalInt.of(variantDistance * 2 + (osVersionDiffers ? 1 : 0));
    }

    /** The best entry of an index for the wanted platform; the first one on a tie. */
    public Optional<Descriptor> best(Index index) {
        return best(index.manifests());
    }

    public Optional<Descriptor> best(List<Descriptor> manifests) {
        Descriptor best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Descriptor d : manifests) {
            String type = d.mediaType();
            if (type != null && !MediaTypes.isManifest(type) && !MediaTypes.isIndex(type)) {
                continue;
            }
            OptionalInt r = rank(d.platform());
            if (r.isPresent() && r.getAsInt() < bestRank) {
                best = d;
                bestRank = r.getAsInt();
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Distance from the wanted variant down to the candidate's, or -1 when the wanted platform
     * cannot run the candidate. Both are normalised.
     */
    static int variantDistance(String arch, String wantedVariant, String candidateVariant) {
        if (Objects.equals(wantedVariant, candidateVariant)) {
            return 0;
        }
        switch (arch) {
            case "arm", "amd64" -> {
                // Whole versions: arm v5..v8, amd64 microarchitecture levels v1 (none)..v4.
                int w = version(wantedVariant, 1);
                int c = version(candidateVariant, 1);
                return w < 0 || c < 0 || c > w ? -1 : w - c;
            }
            case "arm64" -> {
                // vMAJOR[.MINOR]: compare as MAJOR*10+MINOR, so v9.0 runs v8.5 and below.
                int w = armV8Level(wantedVariant);
                int c = armV8Level(candidateVariant);
                return w < 0 || c < 0 || c > w ? -1 : w - c;
            }
            default -> {
                return -1;
            }
        }
    }

    private static int version(String variant, int ifAbsent) {
        if (variant == null) {
            return ifAbsent;
        }
        try {
            return Integer.parseInt(variant.substring(1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }

    private static int armV8Level(String variant) {
        if (variant == null) {
            return 80;
        }
        String v = variant.substring(1);
        int dot = v.indexOf('.');
        try {
            int major = Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
            int minor = dot < 0 ? 0 : Integer.parseInt(v.substring(dot + 1));
            return minor > 9 ? -1 : major * 10 + minor;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

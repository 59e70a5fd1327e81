package dev.jbuild.sbom;

/** The document formats, with the in-toto predicate type an attestation of each carries. */
public enum SbomFormat {
    /** SPDX 2.3 JSON: what BuildKit's default scanner writes. */
    SPDX_JSON("spdx", "https://spdx.dev/Document"),
    /** CycloneDX 1.6 JSON. */
    CYCLONEDX_JSON("cyclonedx", "https://cyclonedx.org/bom");

    private final String flagValue;
    private final String predicateType;

    SbomFormat(String flagValue, String predicateType) {
        this.flagValue = flagValue;
        this.predicateType = predicateType;
    }

    /** The value of {@code --attest type=sbom,format=...}. */
    public String flagValue() {
        return flagValue;
    }

    /** The in-toto statement's {@code predicateType}. */
    public String predicateType() {
        return predicateType;
    }

    /** The format named by {@code format=} ({@code spdx}, {@code spdx-json}, {@code cyclonedx}, {@code cyclonedx-json}). */
    public static SbomFormat of(String value) {
        for (SbomFormat format : values()) {
            if (value.equals(format.flagValue) || value.equals(format.flagValue + "-json")) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown SBOM format " + value + " (spdx or cyclonedx)");
    }
}

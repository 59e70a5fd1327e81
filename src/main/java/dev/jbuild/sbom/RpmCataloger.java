package dev.jbuild.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RPM packages (Fedora 33+, RHEL/CentOS Stream/Rocky/Alma 9+, Amazon Linux 2023, openSUSE since 2022
 * in part): rpm's SQLite database {@code /var/lib/rpm/rpmdb.sqlite} (or {@code /usr/lib/sysimage/rpm/}),
 * whose {@code Packages} table holds each installed package's header blob. The header is rpm's own
 * format: an index of (tag, type, offset, count) entries and a data store; jbuild reads the name,
 * epoch, version, release, arch, license, vendor and source rpm from it. The older BerkeleyDB
 * {@code Packages} file and SUSE's ndb {@code Packages.db} are not read (docs/supply-chain.md).
 *
 * <p>The database is read into memory (an SQLite file needs random access and {@link RootFiles} gives
 * streams), bounded by {@link #DATABASE_LIMIT}.
 */
final class RpmCataloger implements Cataloger {

    static final List<String> DATABASES = List.of("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite");
    /** Container images have a few MiB (a full Fedora workstation ~100 MiB); read into the heap, so bounded well under it. */
    static final int DATABASE_LIMIT = 64 << 20;

    private static final int NAME = 1000;
    private static final int VERSION = 1001;
    private static final int RELEASE = 1002;
    private static final int EPOCH = 1003;
    private static final int VENDOR = 1011;
    private static final int LICENSE = 1014;
    private static final int PACKAGER = 1015;
    private static final int ARCH = 1022;
    private static final int SOURCERPM = 1044;

    @Override
    public List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException {
        for (String path : DATABASES) {
            Optional<RootFiles.Entry> db = tree.resolve(path);
            if (db.isEmpty() || !db.get().isRegular()) {
                continue;
            }
            if (db.get().size() > DATABASE_LIMIT) {
                tree.warn(path + ": not read, larger than " + (DATABASE_LIMIT >> 20) + " MiB");
                return List.of();
            }
            byte[] bytes;
            try (InputStream in = tree.open(db.get())) {
                bytes = ScanTree.readBounded(in, DATABASE_LIMIT);
            }
            List<SbomPackage> packages = new ArrayList<>();
            try {
                for (List<Object> row : SqliteTable.rows(bytes, "Packages")) {
                    for (Object value : row) {
                        if (value instanceof byte[] blob) {
                            toPackage(header(blob), path, distro).ifPresent(packages::add);
                        }
                    }
                }
            } catch (IOException e) {
                // The database is the image's: a broken one is reported, not a reason to fail the build.
                tree.warn(path + ": " + e.getMessage());
                return List.of();
            }
            return packages;
        }
        return List.of();
    }

    /** The string and int32 entries of a header blob (as stored: no lead, no header magic). */
    static Map<Integer, Object> header(byte[] blob) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(blob);
        if (blob.length < 8) {
            throw new IOException("rpm header too short");
        }
        int entries = b.getInt(0);
        int dataLength = b.getInt(4);
        long store = 8L + 16L * entries;
        if (entries < 0 || dataLength < 0 || store + dataLength > blob.length) {
            throw new IOException("corrupt rpm header");
        }
        Map<Integer, Object> values = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            int at = 8 + 16 * i;
            int tag = b.getInt(at);
            int type = b.getInt(at + 4);
            int offset = b.getInt(at + 8);
            if (offset < 0 || offset >= dataLength) {
                continue;
            }
            int start = (int) store + offset;
            if (type == 6 || type == 8 || type == 9) { // STRING, STRING_ARRAY, I18NSTRING: the first string
                int end = start;
                while (end < store + dataLength && blob[end] != 0) {
                    end++;
                }
                values.put(tag, new String(blob, start, end - start, StandardCharsets.UTF_8));
            } else if (type == 4 && start + 4 <= store + dataLength) { // INT32
                values.put(tag, b.getInt(start));
            }
        }
        return values;
    }

    private static Optional<SbomPackage> toPackage(Map<Integer, Object> h, String location, SbomContents.Distro distro) {
        String name = string(h, NAME);
        // gpg-pubkey "packages" are imported signing keys, not software
        if (name.isEmpty() || name.equals("gpg-pubkey")) {
            return Optional.empty();
        }
        String version = string(h, VERSION);
        String release = string(h, RELEASE);
        String vr = release.isEmpty() ? version : version + "-" + release;
        Object epoch = h.get(EPOCH);
        String arch = string(h, ARCH);
        String source = string(h, SOURCERPM);
        String license = string(h, LICENSE);
        String vendor = string(h, VENDOR);
        String supplier = vendor.isEmpty() ? string(h, PACKAGER) : vendor;
        String namespace = distro == null || distro.id().isEmpty() ? "rpm"
                : distro.id().equals("rhel") ? "redhat" : distro.id();
        Map<String, String> qualifiers = new HashMap<>();
        qualifiers.put("arch", arch);
        qualifiers.put("epoch", epoch == null ? "" : epoch.toString());
        qualifiers.put("distro", DpkgCataloger.distroQualifier(distro));
        qualifiers.put("upstream", source);
        String evr = epoch == null ? vr : epoch + ":" + vr;
        return Purls.of("rpm", namespace, name, vr, qualifiers)
                .map(purl -> new SbomPackage(name, evr, "rpm", purl, license.isEmpty() ? List.of() : List.of(license),
                        List.of(location), DpkgCataloger.emptyToNull(supplier), DpkgCataloger.emptyToNull(arch),
                        DpkgCataloger.emptyToNull(source)));
    }

    private static String string(Map<Integer, Object> h, int tag) {
        return h.get(tag) instanceof String s ? s.strip() : "";
    }
}

package dev.jbuild.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * npm packages: every {@code package.json} directly in a package's directory under a
 * {@code node_modules} directory ({@code node_modules/name/package.json},
 * {@code node_modules/@scope/name/package.json}, at any depth of nesting), which is what npm, yarn and
 * pnpm install. A project's own {@code package.json} outside {@code node_modules} is not an installed
 * package and is left out, as are the {@code package.json} files packages keep in subdirectories.
 */
final class NpmCataloger implements Cataloger {

    static final int PACKAGE_JSON_LIMIT = 1 << 20;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException {
        List<SbomPackage> packages = new ArrayList<>();
        for (RootFiles.Entry entry : tree.entries()) {
            if (entry.isRegular() && entry.name().equals("package.json") && isInstalledPackage(entry.path())) {
                Optional<String> text = tree.readText(entry.path(), PACKAGE_JSON_LIMIT);
                if (text.isPresent()) {
                    read(text.get(), entry.path()).ifPresent(packages::add);
                }
            }
        }
        return packages;
    }

    /** {@code .../node_modules/<name>/package.json} or {@code .../node_modules/@scope/<name>/package.json}. */
    static boolean isInstalledPackage(String path) {
        String[] parts = path.split("/");
        int n = parts.length; // parts[n-1] is package.json
        if (n >= 4 && parts[n - 3].equals("node_modules") && !parts[n - 2].startsWith("@")) {
            return true;
        }
        return n >= 5 && parts[n - 4].equals("node_modules") && parts[n - 3].startsWith("@");
    }

    Optional<SbomPackage> read(String json, String location) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (IOException e) {
            return Optional.empty(); // not JSON: not a package npm could have installed
        }
        if (root == null || !root.isObject()) {
            return Optional.empty();
        }
        String name = text(root.get("name"));
        String version = text(root.get("version"));
        if (name.isEmpty() || version.isEmpty()) {
            return Optional.empty();
        }
        String namespace = null;
        String shortName = name;
        if (name.startsWith("@") && name.indexOf('/') > 0) {
            namespace = name.substring(0, name.indexOf('/'));
            shortName = name.substring(name.indexOf('/') + 1);
        }
        Set<String> licenses = new LinkedHashSet<>();
        addLicense(root.get("license"), licenses);
        JsonNode legacy = root.get("licenses"); // the deprecated array of {type, url}
        if (legacy != null && legacy.isArray()) {
            legacy.forEach(l -> addLicense(l, licenses));
        }
        String supplier = person(root.get("author"));
        return Purls.of("npm", namespace, shortName, version, null)
                .map(purl -> new SbomPackage(name, version, "npm", purl, List.copyOf(licenses), List.of(location),
                        DpkgCataloger.emptyToNull(supplier), null, null));
    }

    /** {@code "MIT"} or {@code {"type": "MIT", "url": ...}}. */
    private static void addLicense(JsonNode node, Set<String> into) {
        String value = node != null && node.isObject() ? text(node.get("type")) : text(node);
        if (!value.isEmpty()) {
            into.add(value);
        }
    }

    /** {@code "Name <mail> (url)"} or {@code {"name": ...}}. */
    private static String person(JsonNode node) {
        return node != null && node.isObject() ? text(node.get("name")) : text(node);
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText().strip() : "";
    }
}

package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * npm trees as npm installs them. npm is not a Debian package test.sh can install beside this machine's
 * Node.js, so the files are written here in the format npm writes (package.json fields as published,
 * the deprecated {@code licenses} array and the object form of {@code license} that old packages still
 * carry, a nested node_modules for a conflicting version, a scoped package).
 */
class NpmCatalogerTest {

    @TempDir
    Path root;

    private void write(String path, String content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void everyInstalledPackageJsonIsAPackage() throws Exception {
        // the project itself: not an installed package
        write("app/package.json", """
                {"name": "my-app", "version": "1.0.0", "dependencies": {"is-number": "^7.0.0"}}
                """);
        write("app/node_modules/is-number/package.json", """
                {
                  "name": "is-number",
                  "description": "Returns true if a number or string value is a finite number.",
                  "version": "7.0.0",
                  "homepage": "https://github.com/jonschlinkert/is-number",
                  "author": "Jon Schlinkert (https://github.com/jonschlinkert)",
                  "license": "MIT",
                  "main": "index.js",
                  "engines": {"node": ">=0.12.0"}
                }
                """);
        write("app/node_modules/@babel/code-frame/package.json", """
                {"name": "@babel/code-frame", "version": "7.24.7",
                 "author": {"name": "The Babel Team", "url": "https://babel.dev/team"}, "license": "MIT"}
                """);
        write("app/node_modules/old-thing/package.json", """
                {"name": "old-thing", "version": "0.1.2",
                 "licenses": [{"type": "MIT", "url": "http://x/MIT"}, {"type": "Apache-2.0", "url": "http://x/A"}]}
                """);
        write("app/node_modules/object-license/package.json", """
                {"name": "object-license", "version": "2.0.0", "license": {"type": "BSD-3-Clause", "url": "http://x"}}
                """);
        // a second version nested under the package that needs it
        write("app/node_modules/old-thing/node_modules/is-number/package.json", """
                {"name": "is-number", "version": "3.0.0", "license": "MIT"}
                """);
        // package.json files that are not packages: inside a package's own tree, broken, without a version
        write("app/node_modules/is-number/test/fixtures/package.json", "{\"name\": \"fixture\", \"version\": \"1.0.0\"}");
        write("app/node_modules/broken/package.json", "{not json");
        write("app/node_modules/unversioned/package.json", "{\"name\": \"unversioned\"}");

        List<SbomPackage> packages = Sboms.scan(RootFiles.directory(root)).packages();
        assertEquals(List.of(
                        "@babel/code-frame 7.24.7 pkg:npm/%40babel/code-frame@7.24.7 [MIT] The Babel Team",
                        "is-number 3.0.0 pkg:npm/is-number@3.0.0 [MIT] null",
                        "is-number 7.0.0 pkg:npm/is-number@7.0.0 [MIT] Jon Schlinkert (https://github.com/jonschlinkert)",
                        "object-license 2.0.0 pkg:npm/object-license@2.0.0 [BSD-3-Clause] null",
                        "old-thing 0.1.2 pkg:npm/old-thing@0.1.2 [MIT, Apache-2.0] null"),
                packages.stream().map(p -> p.name() + " " + p.version() + " " + p.purl() + " " + p.licenses() + " "
                        + p.supplier()).toList());
        assertEquals(List.of("/app/node_modules/old-thing/node_modules/is-number/package.json"), packages.get(1).locations());
    }
}

package dev.jbuild.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.OutputSpec;
import dev.jbuild.image.ImageName;
import dev.jbuild.sandbox.HostEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code key=value,…} flag splits its value as buildx does, with Go's encoding/csv: a quoted field keeps
 * its commas, a quote anywhere else is refused. What each flag then does with its fields is its own.
 */
class OptionCsvTest {

    @TempDir
    Path temp;


    private void rejected(Executable parse, String message) {
        Problem e = assertThrows(Problem.class, parse);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void output() {
        assertEquals(List.of(new OutputSpec.LocalDirectory(Path.of("out,put"))),
                OutputSpecs.parse(List.of("type=local,\"dest=out,put\""), false).outputs());
        assertEquals(List.of("a", "b"), OutputSpecs.parse(List.of("type=image,\"name=a,b\""), false).names());
        rejected(() -> OutputSpecs.parse(List.of("type=local,dest=a\"b"), false),
                "invalid --output type=local,dest=a\"b: parse error on line 1, column 18: bare \" in non-quoted-field");
        rejected(() -> OutputSpecs.parse(List.of("\"type=local\"x,dest=out"), false),
                "extraneous or missing \" in quoted-field");
    }

    @Test
    void secret() throws IOException {
        Path file = Files.writeString(temp.resolve("a,b"), "s");
        assertEquals(Map.of("s", file), Secrets.parse(List.of("id=s,\"src=" + file + "\""), temp.resolve("scratch"), Map.of()));
        rejected(() -> Secrets.parse(List.of("id=s,src=\"" + file + "\""), temp.resolve("scratch"), Map.of()),
                "bare \" in non-quoted-field");
    }

    @Test
    void cache() {
        assertEquals(List.of(new CacheOptions.LocalImport(Path.of("/cache/a,b"))),
                CacheSpecs.imports(List.of("type=local,\"src=/cache/a,b\"")));
        // buildx: a value without '=' is references, each field one
        assertEquals(List.of(new CacheOptions.RegistryImport(ImageName.parse("reg.example/app:one")),
                        new CacheOptions.RegistryImport(ImageName.parse("reg.example/app:two"))),
                CacheSpecs.imports(List.of("reg.example/app:one,reg.example/app:two")));
        assertEquals(List.of(new CacheOptions.LocalExport(Path.of("/cache/a,b"), false, false)),
                CacheSpecs.exports(List.of("type=local,\"dest=/cache/a,b\"")));
        rejected(() -> CacheSpecs.exports(List.of("type=local,dest=\"/x\"")), "bare \" in non-quoted-field");
    }

    @Test
    void addHost() {
        assertEquals(List.of(new HostEntry("db", "10.0.0.2"), new HostEntry("cache", "10.0.0.3")),
                ExtraHosts.parse(List.of("\"db:10.0.0.2\",cache:10.0.0.3")));
    }

    @Test
    void attest() {
        Attestations.Parsed parsed = Attestations.parse(null, null, List.of("\"type=provenance\",\"mode=max\""), false,
                Map.of());
        assertEquals(true, parsed.provenance().max());
        rejected(() -> Attestations.parse(null, null, List.of("type=sbom,disabled=true,generator=\"x\""), false, Map.of()),
                "bare \" in non-quoted-field");
    }
}

package dev.jbuild.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.image.ImageName;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --cache-from and --cache-to values: each buildx option is implemented or rejected, never ignored. */
class CacheSpecsTest {


    private List<CacheOptions.CacheExport> to(String spec) {
        return CacheSpecs.exports(List.of(spec));
    }

    private List<CacheOptions.CacheImport> from(String spec) {
        return CacheSpecs.imports(List.of(spec));
    }

    private void rejected(String flag, String spec, String message) {
        Problem e = assertThrows(Problem.class, () -> {
            if (flag.equals("--cache-to")) {
                to(spec);
            } else {
                from(spec);
            }
        }, spec);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void registryExports() {
        assertEquals(List.of(new CacheOptions.RegistryExport(ImageName.parse("reg.example:5000/app:cache"), false, false)),
                to("type=registry,ref=reg.example:5000/app:cache"));
        assertEquals(List.of(new CacheOptions.RegistryExport(ImageName.parse("reg.example/app:cache"), true, true)),
                to("type=registry,ref=reg.example/app:cache,mode=max,ignore-error=true,oci-mediatypes=true,image-manifest=true"));
        rejected("--cache-to", "type=registry", "needs ref=");
        rejected("--cache-to", "type=registry,ref=app:c,mode=all", "mode=all: min or max");
        rejected("--cache-to", "type=registry,ref=app:c,ignore-error=yes", "ignore-error=yes: true or false");
        rejected("--cache-to", "type=registry,ref=app:c,oci-mediatypes=false", "OCI media types only");
        rejected("--cache-to", "type=registry,ref=app:c,image-manifest=false", "image manifest");
        rejected("--cache-to", "type=registry,ref=app:c,compression=zstd", "compression= is not supported");
        rejected("--cache-to", "type=registry,ref=app:c,compression-level=3", "compression-level= is not supported");
        rejected("--cache-to", "type=registry,ref=app:c,force-compression=true", "force-compression= is not supported");
        rejected("--cache-to", "type=registry,ref=app:c,store=true", "option store is not supported");
        rejected("--cache-to", "type=registry,ref=app@sha256:" + "a".repeat(64), "under a tag, not a digest");
        rejected("--cache-to", "type=registry,ref=app:c!", "invalid --cache-to ref=");
        rejected("--cache-to", "type=registry,ref=a:b,ref=c:d", "ref given twice");
    }

    @Test
    void localAndInlineExports() {
        assertEquals(List.of(new CacheOptions.LocalExport(Path.of("/tmp/c"), true, true)),
                to("type=local,dest=/tmp/c,mode=max,ignore-error=true"));
        assertEquals(List.of(new CacheOptions.InlineExport()), to("type=inline"));
        assertEquals(List.of(new CacheOptions.InlineExport()), to("type=inline,mode=min"));
        rejected("--cache-to", "type=local", "needs dest=DIR");
        rejected("--cache-to", "type=local,dest=/c,oci-mediatypes=true", "option oci-mediatypes is not supported");
        rejected("--cache-to", "type=inline,mode=max", "mode=min only");
        rejected("--cache-to", "type=inline,ignore-error=true", "option ignore-error is not supported");
        rejected("--cache-to", "type=gha", "type=gha: not implemented");
        rejected("--cache-to", "dest=/c", "type= is required");
        rejected("--cache-to", "app:cache", "is not KEY=VALUE");
        assertEquals(2, CacheSpecs.exports(List.of("type=inline", "type=registry,ref=r/a:c")).size(),
                "several destinations at once, as buildx allows");
    }

    @Test
    void imports() {
        assertEquals(List.of(new CacheOptions.RegistryImport(ImageName.parse("reg.example/app:cache"))),
                from("type=registry,ref=reg.example/app:cache"));
        assertEquals(List.of(new CacheOptions.RegistryImport(ImageName.parse("reg.example/app:cache"))),
                from("reg.example/app:cache"), "a bare reference is type=registry, as in buildx");
        assertEquals(List.of(new CacheOptions.LocalImport(Path.of("/tmp/c"))), from("type=local,src=/tmp/c"));
        rejected("--cache-from", "type=registry", "needs ref=");
        rejected("--cache-from", "type=registry,ref=a/b:c,mode=max", "option mode is not supported");
        rejected("--cache-from", "type=local,src=/c,digest=sha256:" + "a".repeat(64), "option digest is not supported");
        rejected("--cache-from", "type=inline", "type=registry,ref=IMAGE");
        rejected("--cache-from", "type=s3,bucket=b", "type=s3: not implemented");
    }

    @Test
    void cacheReferencesGetCredentialsLikePushedImages() {
        List<CacheOptions.CacheImport> imports = from("type=registry,ref=one.example/a:c");
        List<CacheOptions.CacheExport> exports = CacheSpecs.exports(
                List.of("type=registry,ref=two.example/a:c", "type=local,dest=/c", "type=inline"));
        assertEquals(List.of(ImageName.parse("one.example/a:c"), ImageName.parse("two.example/a:c")),
                CacheSpecs.registryReferences(imports, exports));
    }
}

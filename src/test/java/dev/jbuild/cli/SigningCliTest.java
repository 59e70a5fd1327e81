package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild sign}, {@code jbuild verify} and {@code build --sign-key} against the real registry,
 * with keys made by openssl, the signature checked independently by {@code skopeo} (the manifest),
 * plain HTTP (the payload) and {@code openssl dgst -verify}.
 */
@Integration
class SigningCliTest {

    @TempDir
    Path temp;

    Path context;
    Path key;
    Path publicKey;

    @BeforeEach
    void setUp() throws Exception {
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("hello.txt"), "hello\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
        key = ecKey("cosign.key");
        publicKey = publicOf(key);
    }

    private Path ecKey(String name) {
        Path file = temp.resolve(name);
        ExternalTool.command("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file.toString()).runSuccessfully();
        return file;
    }

    private Path publicOf(Path privateKey) {
        Path file = temp.resolve(privateKey.getFileName() + ".pub");
        ExternalTool.command("openssl", "ec", "-in", privateKey.toString(), "-pubout", "-out", file.toString()).runSuccessfully();
        return file;
    }

    private CliTest.Result jbuild(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", temp.resolve("store").toString()));
        all.addAll(List.of(args));
        return CliTest.run(all.toArray(String[]::new));
    }

    /** Builds the context and pushes it as {@code reference}; returns the pushed manifest digest. */
    private String buildAndPush(String reference, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", "--progress=plain", "-t", reference, "--push"));
        args.addAll(List.of(extra));
        args.add(context.toString());
        Path metadata = temp.resolve("metadata.json");
        args.addAll(List.of("--metadata-file", metadata.toString()));
        CliTest.Result built = jbuild(args.toArray(String[]::new));
        assertEquals(0, built.exitCode(), built.err());
        return new ObjectMapper().readTree(metadata.toFile()).get("containerimage.digest").asText();
    }

    private static String rawManifest(LocalRegistry registry, String reference) {
        List<String> command = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        command.addAll(registry.skopeoOptions(""));
        command.add("docker://" + reference);
        return ExternalTool.command(command).runSuccessfully().stdout();
    }

    private static byte[] blob(LocalRegistry registry, String repository, String digest) throws Exception {
        HttpResponse<byte[]> response = registry.httpClient().send(
                HttpRequest.newBuilder(URI.create(registry.baseUri() + "/v2/" + repository + "/blobs/" + digest)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static String sigTag(String digest) {
        return digest.replace(':', '-') + ".sig";
    }

    /** Puts {@code manifest} (exact bytes) under {@code tag} of {@code repository}. */
    private static void putManifest(LocalRegistry registry, String repository, String tag, byte[] manifest) throws Exception {
        try (RegistryClient client = RegistryClient.create()) {
            client.pushManifest(ImageName.parse(registry.host() + "/" + repository), tag, ImageDocuments.parseManifestOrIndex(manifest));
        }
    }

    @Test
    void signsInCosignsFormatVerifiesAndOpensslAgrees() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String image = registry.reference("team/app", "1");
            String digest = buildAndPush(image);

            CliTest.Result unsigned = jbuild("verify", "--key", publicKey.toString(), image);
            assertEquals(1, unsigned.exitCode(), unsigned.err());
            assertTrue(unsigned.err().contains("no signatures found for " + registry.host() + "/team/app@" + digest
                    + " (no " + sigTag(digest) + " tag in " + registry.host() + "/team/app)"), unsigned.err());

            CliTest.Result signed = jbuild("sign", "--key", key.toString(), "-a", "build=42", image);
            assertEquals(0, signed.exitCode(), signed.err());
            assertEquals(registry.host() + "/team/app@" + digest, signed.out().strip());
            assertTrue(signed.err().contains("signed " + image + " (" + digest + ")"), signed.err());

            CliTest.Result verified = jbuild("verify", "--key", publicKey.toString(), image);
            assertEquals(0, verified.exitCode(), verified.err());
            assertEquals("verified " + image + " (" + digest + "): signed for " + registry.host() + "/team/app, payload ",
                    verified.out().strip().replaceFirst("[0-9a-f]{12}$", ""));

            // cosign's layout, read by skopeo: one simple-signing layer with the signature annotation,
            // the config go-containerregistry makes for it.
            JsonNode manifest = new ObjectMapper().readTree(rawManifest(registry, registry.host() + "/team/app:" + sigTag(digest)));
            assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.get("mediaType").asText());
            assertEquals(1, manifest.get("layers").size());
            JsonNode layer = manifest.get("layers").get(0);
            assertEquals("application/vnd.dev.cosign.simplesigning.v1+json", layer.get("mediaType").asText());
            byte[] config = blob(registry, "team/app", manifest.get("config").get("digest").asText());
            assertEquals("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],"
                    + "\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layer.get("digest").asText() + "\"]},\"config\":{}}",
                    new String(config, StandardCharsets.UTF_8));
            assertEquals("application/vnd.oci.image.config.v1+json", manifest.get("config").get("mediaType").asText());

            // The payload byte for byte as cosign marshals it, and openssl verifies the signature over it.
            byte[] payload = blob(registry, "team/app", layer.get("digest").asText());
            assertEquals("{\"critical\":{\"identity\":{\"docker-reference\":\"" + registry.host() + "/team/app\"},"
                    + "\"image\":{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
                    + "\"optional\":{\"build\":\"42\"}}", new String(payload, StandardCharsets.UTF_8));
            Path payloadFile = Files.write(temp.resolve("payload.json"), payload);
            Path signature = Files.write(temp.resolve("sig.der"),
                    Base64.getDecoder().decode(layer.get("annotations").get("dev.cosignproject.cosign/signature").asText()));
            String openssl = ExternalTool.command("openssl", "dgst", "-sha256", "-verify", publicKey.toString(),
                    "-signature", signature.toString(), payloadFile.toString()).runSuccessfully().stdout();
            assertEquals("Verified OK", openssl.strip());

            CliTest.Result json = jbuild("verify", "--key", publicKey.toString(), "--output", "json", image);
            assertEquals(0, json.exitCode(), json.err());
            JsonNode payloads = new ObjectMapper().readTree(json.out());
            assertEquals(1, payloads.size());
            assertEquals(digest, payloads.get(0).get("critical").get("image").get("docker-manifest-digest").asText());

            // Signing again with the same key and annotations adds nothing (cosign's duplicate check);
            // another key appends a second layer, and each key verifies its own.
            CliTest.Result again = jbuild("sign", "--key", key.toString(), "-a", "build=42", registry.host() + "/team/app@" + digest);
            assertEquals(0, again.exitCode(), again.err());
            assertTrue(again.err().contains("already signed with this key"), again.err());
            Path otherKey = ecKey("other.key");
            Path otherPublic = publicOf(otherKey);
            CliTest.Result wrongKey = jbuild("verify", "--key", otherPublic.toString(), image);
            assertEquals(1, wrongKey.exitCode(), wrongKey.err());
            assertTrue(wrongKey.err().contains("no valid signature for " + registry.host() + "/team/app@" + digest + ":"), wrongKey.err());
            assertTrue(wrongKey.err().contains("the signature does not verify with the key"), wrongKey.err());
            assertEquals(0, jbuild("sign", "--key", otherKey.toString(), image).exitCode());
            JsonNode two = new ObjectMapper().readTree(rawManifest(registry, registry.host() + "/team/app:" + sigTag(digest)));
            assertEquals(2, two.get("layers").size());
            assertEquals(layer, two.get("layers").get(0), "the first signature stays as it was");
            assertEquals(0, jbuild("verify", "--key", otherPublic.toString(), image).exitCode());
            assertEquals(0, jbuild("verify", "--key", publicKey.toString(), image).exitCode());
        }
    }

    @Test
    void verifyFailsWhenTheImageOrTheSignatureChanges() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String image = registry.reference("team/app", "1");
            // Without provenance the pushed image is one manifest, whose annotation is the byte changed below.
            String digest = buildAndPush(image, "--provenance=false", "--annotation", "org.example.note=a");
            assertEquals(0, jbuild("sign", "--key", key.toString(), image).exitCode());
            assertEquals(0, jbuild("verify", "--key", publicKey.toString(), image).exitCode());
            byte[] signatures = rawManifest(registry, registry.host() + "/team/app:" + sigTag(digest)).getBytes(StandardCharsets.UTF_8);

            // One byte of the signed manifest changed, pushed under the same tag: the tag names another
            // digest, which has no signature; its .sig made of the old one names the old digest.
            String original = rawManifest(registry, image);
            String changed = original.replace("\"org.example.note\":\"a\"", "\"org.example.note\":\"b\"");
            assertEquals(original.length(), changed.length());
            assertTrue(!changed.equals(original), original);
            putManifest(registry, "team/app", "1", changed.getBytes(StandardCharsets.UTF_8));
            String newDigest = Digest.of(changed.getBytes(StandardCharsets.UTF_8)).toString();
            CliTest.Result noSignature = jbuild("verify", "--key", publicKey.toString(), image);
            assertEquals(1, noSignature.exitCode(), noSignature.err());
            assertTrue(noSignature.err().contains("no signatures found for " + registry.host() + "/team/app@" + newDigest), noSignature.err());
            putManifest(registry, "team/app", sigTag(newDigest), signatures);
            CliTest.Result otherDigest = jbuild("verify", "--key", publicKey.toString(), image);
            assertEquals(1, otherDigest.exitCode(), otherDigest.err());
            assertTrue(otherDigest.err().contains("the payload is for " + digest + ", not " + newDigest), otherDigest.err());

            // The original digest still verifies; then its signature annotation is tampered with.
            String byDigest = registry.host() + "/team/app@" + digest;
            assertEquals(0, jbuild("verify", "--key", publicKey.toString(), byDigest).exitCode());
            Manifest sig = ImageDocuments.parseManifest(signatures).value();
            Descriptor layer = sig.layers().get(0);
            byte[] der = Base64.getDecoder().decode(layer.annotation("dev.cosignproject.cosign/signature"));
            der[der.length - 1] ^= 1;
            Descriptor tampered = new Descriptor(layer.mediaType(), layer.digest(), layer.size(), null,
                    Map.of("dev.cosignproject.cosign/signature", Base64.getEncoder().encodeToString(der)), null, null, null, null);
            putManifest(registry, "team/app", sigTag(digest), ImageDocuments.encode(sig.withLayers(List.of(tampered))).bytes());
            CliTest.Result badSignature = jbuild("verify", "--key", publicKey.toString(), byDigest);
            assertEquals(1, badSignature.exitCode(), badSignature.err());
            assertTrue(badSignature.err().contains("the signature does not verify with the key"), badSignature.err());
        }
    }

    @Test
    void signatureImagesAreBoundedAsCosignBoundsThem() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String image = registry.reference("team/app", "1");
            String digest = buildAndPush(image);
            assertEquals(0, jbuild("sign", "--key", key.toString(), image).exitCode());
            byte[] signatures = rawManifest(registry, registry.host() + "/team/app:" + sigTag(digest)).getBytes(StandardCharsets.UTF_8);
            Manifest sig = ImageDocuments.parseManifest(signatures).value();
            // 1,001 layers, all the one payload blob the registry has: a registry may serve that.
            List<Descriptor> many = Collections.nCopies(1001, sig.layers().get(0));
            putManifest(registry, "team/app", sigTag(digest), ImageDocuments.encode(sig.withLayers(many)).bytes());
            CliTest.Result verify = jbuild("verify", "--key", publicKey.toString(), image);
            assertEquals(1, verify.exitCode(), verify.err());
            assertTrue(verify.err().contains("has 1001 layers, more than 1000 signatures (cosign's limit): not read"), verify.err());
            CliTest.Result sign = jbuild("sign", "--key", ecKey("other.key").toString(), image);
            assertEquals(1, sign.exitCode(), sign.err());
            assertTrue(sign.err().contains("holds 1001 signatures already, cosign's limit (1000); no more can be added"), sign.err());
        }
    }

    @Test
    void buildSignsWhatItPushes() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String image = registry.reference("team/built", "1");
            String digest = buildAndPush(image, "--sign-key", key.toString());
            CliTest.Result verified = jbuild("verify", "--key", publicKey.toString(), registry.host() + "/team/built@" + digest);
            assertEquals(0, verified.exitCode(), verified.err());
            assertTrue(verified.out().startsWith("verified "), verified.out());

            // A multi-platform image is signed by its index digest, as cosign signs by default.
            String multi = registry.reference("team/multi", "1");
            String indexDigest = buildAndPush(multi, "--platform", "linux/amd64,linux/arm64", "--sign-key", key.toString());
            JsonNode index = new ObjectMapper().readTree(rawManifest(registry, multi));
            assertEquals("application/vnd.oci.image.index.v1+json", index.get("mediaType").asText());
            assertEquals(indexDigest, Digest.of(rawManifest(registry, multi).getBytes(StandardCharsets.UTF_8)).toString());
            rawManifest(registry, registry.host() + "/team/multi:" + sigTag(indexDigest)); // exists
            assertEquals(0, jbuild("verify", "--key", publicKey.toString(), multi).exitCode());

            CliTest.Result withoutPush = jbuild("build", "--sign-key", key.toString(), "-t", image, context.toString());
            assertEquals(2, withoutPush.exitCode(), withoutPush.err());
            assertTrue(withoutPush.err().contains("--sign-key signs what the build pushes: add --push"), withoutPush.err());
        }
    }

    @Test
    void buildSignsItsAttestationsAsDsseEnvelopesInCosignsAttImage() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String image = registry.reference("team/attested", "1");
            buildAndPush(image, "--sign-key", key.toString(), "--provenance=mode=max", "--sbom=true");
            JsonNode index = new ObjectMapper().readTree(rawManifest(registry, image));
            String platformDigest = index.at("/manifests/0/digest").asText();
            JsonNode attestationManifest = new ObjectMapper().readTree(rawManifest(registry,
                    registry.host() + "/team/attested@" + index.at("/manifests/1/digest").asText()));

            // cosign's layout: sha256-<platform image hex>.att, one DSSE envelope layer per statement.
            JsonNode att = new ObjectMapper().readTree(rawManifest(registry,
                    registry.host() + "/team/attested:" + platformDigest.replace(':', '-') + ".att"));
            assertEquals(2, att.get("layers").size(), att.toString());
            for (int i = 0; i < 2; i++) {
                JsonNode layer = att.get("layers").get(i);
                assertEquals("application/vnd.dsse.envelope.v1+json", layer.get("mediaType").asText());
                assertEquals("", layer.at("/annotations/dev.cosignproject.cosign~1signature").asText());
                JsonNode stored = attestationManifest.get("layers").get(i);
                assertEquals(stored.at("/annotations/in-toto.io~1predicate-type").asText(), layer.at("/annotations/predicateType").asText());

                JsonNode envelope = new ObjectMapper().readTree(blob(registry, "team/attested", layer.get("digest").asText()));
                assertEquals("application/vnd.in-toto+json", envelope.get("payloadType").asText());
                byte[] statement = Base64.getDecoder().decode(envelope.get("payload").asText());
                assertArrayEquals(blob(registry, "team/attested", stored.get("digest").asText()), statement,
                        "the envelope carries the statement of the attestation manifest, byte for byte");
                // DSSE's pre-authentication encoding, checked by openssl.
                byte[] type = "application/vnd.in-toto+json".getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream pae = new ByteArrayOutputStream();
                pae.write(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.UTF_8));
                pae.write(type);
                pae.write((" " + statement.length + " ").getBytes(StandardCharsets.UTF_8));
                pae.write(statement);
                Path paeFile = Files.write(temp.resolve("pae-" + i), pae.toByteArray());
                Path signature = Files.write(temp.resolve("dsse-sig-" + i),
                        Base64.getDecoder().decode(envelope.at("/signatures/0/sig").asText()));
                String openssl = ExternalTool.command("openssl", "dgst", "-sha256", "-verify", publicKey.toString(),
                        "-signature", signature.toString(), paeFile.toString()).runSuccessfully().stdout();
                assertEquals("Verified OK", openssl.strip());
            }

            CliTest.Result verified = jbuild("verify", "--key", publicKey.toString(), "--attestations", image);
            assertEquals(0, verified.exitCode(), verified.err());
            assertTrue(verified.out().contains("https://spdx.dev/Document") && verified.out().contains("https://slsa.dev/provenance/v0.2"),
                    verified.out());
            CliTest.Result json = jbuild("verify", "--key", publicKey.toString(), "--attestations", "--output", "json", image);
            assertEquals(0, json.exitCode(), json.err());
            assertEquals(platformDigest, "sha256:" + new ObjectMapper().readTree(json.out()).at("/1/subject/0/digest/sha256").asText());

            CliTest.Result otherKey = jbuild("verify", "--key", publicOf(ecKey("other.key")).toString(), "--attestations", image);
            assertEquals(1, otherKey.exitCode());
            assertTrue(otherKey.err().contains("no signature of the DSSE envelope verifies with the key"), otherKey.err());

            // Signing again adds nothing: the same statements verify with the same key.
            CliTest.Result again = jbuild("build", "--progress=plain", "-t", image, "--push", "--sign-key", key.toString(),
                    "--provenance=mode=max", "--sbom=true", context.toString());
            assertEquals(0, again.exitCode(), again.err());
            JsonNode after = new ObjectMapper().readTree(rawManifest(registry,
                    registry.host() + "/team/attested:" + new ObjectMapper().readTree(rawManifest(registry, image))
                            .at("/manifests/0/digest").asText().replace(':', '-') + ".att"));
            assertTrue(after.get("layers").size() >= 2, after.toString());
        }
    }

    /** jbuild in a child JVM, for what needs its own environment ({@code COSIGN_PASSWORD}) and no terminal. */
    private ExternalTool jbuildProcess(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "dev.jbuild.cli.Main",
                "--root", temp.resolve("store").toString()));
        command.addAll(List.of(args));
        return ExternalTool.command(command).timeout(Duration.ofSeconds(120)).withoutEnv("COSIGN_PASSWORD");
    }

    @Test
    void encryptedKeysTakeTheirPasswordFromCosignPassword() throws Exception {
        Path encrypted = temp.resolve("encrypted.key");
        ExternalTool.command("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:s3cret", "-in", key.toString(),
                "-out", encrypted.toString()).runSuccessfully();
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String image = registry.reference("team/app", "1");
            String digest = buildAndPush(image);
            ExternalTool.Result noPassword = jbuildProcess("sign", "--key", encrypted.toString(), image).run();
            assertEquals(1, noPassword.exitCode(), noPassword.describe());
            assertTrue(noPassword.stderr().contains("the private key is encrypted: set COSIGN_PASSWORD to its password"),
                    noPassword.describe());
            ExternalTool.Result wrong = jbuildProcess("sign", "--key", encrypted.toString(), image).env("COSIGN_PASSWORD", "nope").run();
            assertEquals(1, wrong.exitCode(), wrong.describe());
            assertTrue(wrong.stderr().contains("error: wrong password for the private key in " + encrypted), wrong.describe());
            ExternalTool.Result signed = jbuildProcess("sign", "--key", encrypted.toString(), image).env("COSIGN_PASSWORD", "s3cret").run();
            assertEquals(0, signed.exitCode(), signed.describe());
            assertEquals(registry.host() + "/team/app@" + digest, signed.stdout().strip());
            assertEquals(0, jbuild("verify", "--key", publicKey.toString(), image).exitCode());
        }
    }

    @Test
    void refusesKeylessSigningAndKeysThatAreNotP256() throws Exception {
        CliTest.Result keyless = jbuild("sign", "127.0.0.1:1/team/app:1");
        assertEquals(2, keyless.exitCode(), keyless.err());
        assertTrue(keyless.err().contains("keyless signing is not supported"), keyless.err());

        Path rsa = temp.resolve("rsa.key");
        ExternalTool.command("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa.toString())
                .runSuccessfully();
        CliTest.Result rsaKey = jbuild("sign", "--key", rsa.toString(), "127.0.0.1:1/team/app:1");
        assertEquals(1, rsaKey.exitCode(), rsaKey.err());
        assertTrue(rsaKey.err().contains("is an RSA key; only ECDSA P-256 keys are supported"), rsaKey.err());
    }
}

package dev.jbuild.cli;

import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.signing.ImageSigner;
import dev.jbuild.signing.SigningException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild verify --key cosign.pub IMAGE...}: checks cosign-format signatures; exit 1 when an image has no valid one. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify the cosign-format signatures (or, with --attestations, the signed attestations) of images in a registry against a public key.",
            "Exits 1 unless every IMAGE has a signature that verifies for the digest it names now."})
final class VerifyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "KEY", description = "PEM public key (PUBLIC KEY), ECDSA P-256, e.g. cosign.pub.")
    Path key;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (a line per verified signature) or json (per image, cosign's list of the verified payloads).")
    String output;

    @Option(names = "--attestations", description = "Verify the image's signed attestations (cosign verify-attestation's "
            + "format: DSSE envelopes in the sha256-<hex>.att image, made by build --sign-key) instead of its signatures.")
    boolean attestations;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "With --attestations: the platform's image of a multi-platform IMAGE (default: the host's).")
    String platform;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "REGISTRY/NAME[:TAG|@DIGEST] to verify.")
    List<String> images;

    @Override
    public void run() {
        if (!output.equals("text") && !output.equals("json")) {
            throw new ParameterException(spec.commandLine(), "invalid --output " + output + " (text or json)");
        }
        if (platform != null && !attestations) {
            throw new ParameterException(spec.commandLine(), "--platform goes with --attestations (a signature is over the "
                    + "digest IMAGE names)");
        }
        Platform wanted;
        try {
            wanted = platform == null ? Platform.host() : Platform.parse(platform).normalize();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid --platform " + platform + ": " + e.getMessage());
        }
        List<ImageName> names = images.stream().map(i -> ImageReferences.parse(i, spec)).toList();
        ECPublicKey publicKey = SigningKeyFiles.publicKey(key);
        PrintWriter out = spec.commandLine().getOut();
        List<String> failures = new ArrayList<>();
        try (RegistryClient registry = Registries.client(spec, names)) {
            ImageSigner signer = new ImageSigner(registry);
            for (ImageName name : names) {
                try {
                    if (attestations) {
                        printAttestations(signer.verifyAttestations(name, wanted, publicKey), out);
                    } else {
                        print(signer.verify(name, publicKey), out);
                    }
                } catch (SigningException e) {
                    failures.add("error: " + name.familiar() + ": " + e.getMessage());
                } catch (IOException e) {
                    failures.add("error: verifying " + name.familiar() + ": " + e.getMessage());
                }
            }
        }
        out.flush();
        if (!failures.isEmpty()) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, failures, null);
        }
    }

    private void printAttestations(List<ImageSigner.VerifiedAttestation> verified, PrintWriter out) {
        if (output.equals("json")) {
            List<String> statements = verified.stream().map(v -> new String(v.statement(), StandardCharsets.UTF_8)).toList();
            out.println("[" + String.join(",", statements) + "]");
            return;
        }
        for (ImageSigner.VerifiedAttestation v : verified) {
            out.println("verified " + v.image().familiar() + " (" + v.digest() + "): " + v.predicateType() + ", statement "
                    + Digest.of(v.statement()).shortHex());
        }
    }

    private void print(List<ImageSigner.VerifiedSignature> verified, PrintWriter out) {
        if (output.equals("json")) {
            List<String> payloads = verified.stream().map(v -> new String(v.payload(), StandardCharsets.UTF_8)).toList();
            out.println("[" + String.join(",", payloads) + "]");
            return;
        }
        for (ImageSigner.VerifiedSignature v : verified) {
            out.println("verified " + v.image().familiar() + " (" + v.digest() + "): signed for " + v.dockerReference()
                    + ", payload " + Digest.of(v.payload()).shortHex());
        }
    }
}

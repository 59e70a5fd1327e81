package dev.jbuild.cli;

import dev.jbuild.dockerfile.KeyValues;
import dev.jbuild.image.ImageName;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.signing.ImageSigner;
import dev.jbuild.signing.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild sign --key KEY IMAGE...}: cosign-format signatures of images in a registry. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign images in a registry with a private key, in the format cosign writes and verifies.",
            "The digest signed is the one the registry serves for IMAGE (an index's for a multi-platform image)."})
final class SignCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--key", paramLabel = "KEY",
            description = "PEM private key, ECDSA P-256: cosign's (cosign generate-key-pair), or PKCS#8 / EC (SEC1), "
                    + "also encrypted (PBES2); the password comes from COSIGN_PASSWORD or a prompt.")
    Path key;

    @Option(names = {"-a", "--annotation"}, paramLabel = "KEY=VALUE",
            description = "An entry of the signed payload's \"optional\" section (cosign's -a); repeatable.")
    List<String> annotations = new ArrayList<>();

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "REGISTRY/NAME[:TAG|@DIGEST] to sign.")
    List<String> images;

    @Override
    public void run() {
        if (key == null) {
            throw new ParameterException(spec.commandLine(), "keyless signing is not supported (it needs Fulcio and Rekor "
                    + "on the internet): give --key KEY");
        }
        Map<String, String> optional;
        try {
            optional = KeyValues.parse(annotations, "--annotation");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<ImageName> names = images.stream().map(i -> ImageReferences.parse(i, spec)).toList();
        SigningKey signingKey = SigningKeyFiles.privateKey(key);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (RegistryClient registry = Registries.client(spec, names)) {
            ImageSigner signer = new ImageSigner(registry);
            for (ImageName name : names) {
                ImageSigner.Signed signed;
                try {
                    signed = signer.sign(name, signingKey, optional);
                } catch (IOException e) {
                    throw new CliFailure(ExitCodes.BUILD_FAILED, "error: signing " + name.familiar() + ": " + e.getMessage());
                }
                report(signed, err);
                out.println(name.registry() + "/" + name.repository() + "@" + signed.digest());
            }
            out.flush();
        }
    }

    static void report(ImageSigner.Signed signed, PrintWriter err) {
        err.println(signed.describe());
        err.flush();
    }
}

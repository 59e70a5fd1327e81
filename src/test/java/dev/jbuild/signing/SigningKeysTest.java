package dev.jbuild.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key files as openssl and cosign write them, and the crypto under cosign's format checked against
 * independent implementations on this machine: Python's {@code hashlib.scrypt} (OpenSSL's) and
 * PyNaCl (libsodium's secretbox). The cosign-format key is made by Python the way
 * go-securesystemslib's {@code encrypted.Encrypt} makes it.
 */
@Integration
class SigningKeysTest {

    private static final PasswordSource NO_PASSWORD = prompt -> {
        throw new AssertionError("an unencrypted key needs no password");
    };

    /** Debian's interpreter, which python3-nacl (scripts/test.sh installs it) belongs to, whatever else is first on PATH. */
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path temp;

    private Path openssl(String name, String... args) {
        Path out = temp.resolve(name);
        String[] command = new String[args.length + 3];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        command[args.length + 1] = "-out";
        command[args.length + 2] = out.toString();
        ExternalTool.command(command).runSuccessfully();
        return out;
    }

    private Path sec1Key() {
        return openssl("sec1.pem", "ecparam", "-name", "prime256v1", "-genkey", "-noout");
    }

    private Path publicOf(Path privateKey) {
        return openssl("pub-" + privateKey.getFileName(), "ec", "-in", privateKey.toString(), "-pubout");
    }

    /** The key signs, and the public key openssl derives from the file verifies what it signed. */
    private void assertSignsFor(SigningKey key, Path opensslPublic) throws Exception {
        ECPublicKey fromOpenssl = SigningKeys.publicKey(opensslPublic);
        byte[] message = "message".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Ecdsa.verify(fromOpenssl, message, Ecdsa.sign(key.privateKey(), message)));
        assertNotNull(key.publicKey(), "the file's public key is read too");
        assertArrayEquals(fromOpenssl.getEncoded(), key.publicKey().getEncoded());
    }

    @Test
    void readsOpensslsUnencryptedForms() throws Exception {
        Path sec1 = sec1Key();
        assertTrue(Files.readString(sec1).contains("BEGIN EC PRIVATE KEY"));
        assertSignsFor(SigningKeys.privateKey(sec1, NO_PASSWORD), publicOf(sec1));
        Path pkcs8 = openssl("pkcs8.pem", "pkcs8", "-topk8", "-nocrypt", "-in", sec1.toString());
        assertTrue(Files.readString(pkcs8).contains("BEGIN PRIVATE KEY"));
        assertSignsFor(SigningKeys.privateKey(pkcs8, NO_PASSWORD), publicOf(sec1));
    }

    @Test
    void readsEncryptedPkcs8AndNamesAWrongPassword() throws Exception {
        Path sec1 = sec1Key();
        Path encrypted = openssl("encrypted.pem", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:s3cret", "-in", sec1.toString());
        assertTrue(Files.readString(encrypted).contains("BEGIN ENCRYPTED PRIVATE KEY"));
        assertSignsFor(SigningKeys.privateKey(encrypted, PasswordSource.of("s3cret")), publicOf(sec1));
        SigningException wrong = assertThrows(SigningException.class, () -> SigningKeys.privateKey(encrypted, PasswordSource.of("nope")));
        assertEquals("wrong password for the private key in " + encrypted, wrong.getMessage());
    }

    @Test
    void readsCosignsEncryptedKeyAndNamesAWrongPassword() throws Exception {
        Path sec1 = sec1Key();
        Path pkcs8Der = openssl("key.der", "pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in", sec1.toString());
        // go-securesystemslib's encrypted.Encrypt with its default ("standard") parameters, written by
        // independent code: scrypt from OpenSSL (hashlib), secretbox from libsodium (PyNaCl).
        String script = """
                import base64, hashlib, json, os, sys, nacl.secret
                plain = open(sys.argv[1], 'rb').read()
                salt, nonce = os.urandom(32), os.urandom(24)
                key = hashlib.scrypt(sys.argv[2].encode(), salt=salt, n=65536, r=8, p=1, dklen=32, maxmem=2**27)
                box = nacl.secret.SecretBox(key).encrypt(plain, nonce).ciphertext
                b64 = lambda b: base64.b64encode(b).decode()
                doc = {"kdf": {"name": "scrypt", "params": {"N": 65536, "r": 8, "p": 1}, "salt": b64(salt)},
                       "cipher": {"name": "nacl/secretbox", "nonce": b64(nonce)}, "ciphertext": b64(box)}
                body = base64.encodebytes(json.dumps(doc, separators=(',', ':')).encode()).decode()
                sys.stdout.write("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\\n" + body + "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\\n")
                """;
        String pem = ExternalTool.command(PYTHON, "-c", script, pkcs8Der.toString(), "pässword").runSuccessfully().stdout();
        Path cosignKey = temp.resolve("cosign.key");
        Files.writeString(cosignKey, pem);
        assertSignsFor(SigningKeys.privateKey(cosignKey, PasswordSource.of("pässword")), publicOf(sec1));
        SigningException wrong = assertThrows(SigningException.class, () -> SigningKeys.privateKey(cosignKey, PasswordSource.of("password")));
        assertEquals("wrong password for the private key in " + cosignKey + " (decryption failed)", wrong.getMessage());

        Files.writeString(cosignKey, pem.replace("SIGSTORE", "COSIGN"));
        assertSignsFor(SigningKeys.privateKey(cosignKey, PasswordSource.of("pässword")), publicOf(sec1));
    }

    @Test
    void refusesOtherCurvesAndAlgorithmsByName() throws Exception {
        Path p384 = openssl("p384.pem", "ecparam", "-name", "secp384r1", "-genkey", "-noout");
        SigningException curve = assertThrows(SigningException.class, () -> SigningKeys.privateKey(p384, NO_PASSWORD));
        assertTrue(curve.getMessage().contains("is on curve 1.3.132.0.34") && curve.getMessage().contains("only ECDSA P-256"),
                curve.getMessage());
        SigningException curvePublic = assertThrows(SigningException.class, () -> SigningKeys.publicKey(publicOf(p384)));
        assertTrue(curvePublic.getMessage().contains("public key") && curvePublic.getMessage().contains("1.3.132.0.34"),
                curvePublic.getMessage());

        Path rsa = openssl("rsa.pem", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
        SigningException rsaError = assertThrows(SigningException.class, () -> SigningKeys.privateKey(rsa, NO_PASSWORD));
        assertTrue(rsaError.getMessage().contains("is an RSA key; only ECDSA P-256 keys are supported"), rsaError.getMessage());
        Path rsaPublic = openssl("rsa.pub", "pkey", "-in", rsa.toString(), "-pubout");
        SigningException rsaPublicError = assertThrows(SigningException.class, () -> SigningKeys.publicKey(rsaPublic));
        assertTrue(rsaPublicError.getMessage().contains("is an RSA key"), rsaPublicError.getMessage());

        Path ed25519 = openssl("ed.pem", "genpkey", "-algorithm", "ed25519");
        assertTrue(assertThrows(SigningException.class, () -> SigningKeys.privateKey(ed25519, NO_PASSWORD)).getMessage()
                .contains("is an Ed25519 key"));
    }

    @Test
    void scryptAgreesWithPythonsHashlib() throws Exception {
        Random random = new Random(17);
        for (int[] params : new int[][] {{1024, 8, 1}, {2048, 4, 3}, {32768, 8, 1}}) {
            byte[] password = new byte[random.nextInt(40)];
            byte[] salt = new byte[32];
            random.nextBytes(password);
            random.nextBytes(salt);
            String hex = ExternalTool.command(PYTHON, "-c",
                    "import hashlib, sys; print(hashlib.scrypt(bytes.fromhex(sys.argv[1]), salt=bytes.fromhex(sys.argv[2]), "
                            + "n=int(sys.argv[3]), r=int(sys.argv[4]), p=int(sys.argv[5]), dklen=32, maxmem=2**27).hex())",
                    HexFormat.of().formatHex(password), HexFormat.of().formatHex(salt),
                    String.valueOf(params[0]), String.valueOf(params[1]), String.valueOf(params[2])).runSuccessfully().stdout().strip();
            assertEquals(hex, HexFormat.of().formatHex(Scrypt.derive(password, salt, params[0], params[1], params[2], 32)),
                    "N=" + params[0] + " r=" + params[1] + " p=" + params[2]);
        }
    }

    @Test
    void secretBoxAgreesWithPyNaClBothWays() throws Exception {
        Random random = new Random(7);
        for (int length : new int[] {0, 1, 31, 32, 63, 64, 65, 500}) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[24];
            byte[] message = new byte[length];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(message);
            HexFormat hex = HexFormat.of();
            String sealedByNacl = ExternalTool.command(PYTHON, "-c",
                    "import sys, nacl.secret; b = nacl.secret.SecretBox(bytes.fromhex(sys.argv[1]))\n"
                            + "print(b.encrypt(bytes.fromhex(sys.argv[3]), bytes.fromhex(sys.argv[2])).ciphertext.hex())",
                    hex.formatHex(key), hex.formatHex(nonce), hex.formatHex(message)).runSuccessfully().stdout().strip();
            byte[] ours = SecretBox.seal(message, nonce, key);
            assertEquals(sealedByNacl, hex.formatHex(ours), "length " + length);
            assertArrayEquals(message, SecretBox.open(hex.parseHex(sealedByNacl), nonce, key));
            String openedByNacl = ExternalTool.command(PYTHON, "-c",
                    "import sys, nacl.secret; b = nacl.secret.SecretBox(bytes.fromhex(sys.argv[1]))\n"
                            + "print(b.decrypt(bytes.fromhex(sys.argv[3]), bytes.fromhex(sys.argv[2])).hex())",
                    hex.formatHex(key), hex.formatHex(nonce), hex.formatHex(ours)).runSuccessfully().stdout().strip();
            assertEquals(hex.formatHex(message), openedByNacl);
        }
    }

    @Test
    void dsseEnvelopeVerifiesWithOpensslOverThePae() throws Exception {
        Path sec1 = sec1Key();
        Path publicKey = publicOf(sec1);
        SigningKey key = SigningKeys.privateKey(sec1, NO_PASSWORD);
        byte[] statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}".getBytes(StandardCharsets.UTF_8);
        byte[] envelope = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, statement, key, "");
        JsonNode json = new ObjectMapper().readTree(envelope);
        assertEquals(Dsse.IN_TOTO_PAYLOAD_TYPE, json.get("payloadType").asText());
        assertArrayEquals(statement, Base64.getDecoder().decode(json.get("payload").asText()));

        // The PAE as the DSSE spec writes it out, built here by hand; openssl checks the signature over it.
        String pae = "DSSEv1 " + Dsse.IN_TOTO_PAYLOAD_TYPE.length() + " " + Dsse.IN_TOTO_PAYLOAD_TYPE + " " + statement.length + " "
                + new String(statement, StandardCharsets.UTF_8);
        assertArrayEquals(pae.getBytes(StandardCharsets.UTF_8), Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, statement));
        Path paeFile = Files.write(temp.resolve("pae.bin"), pae.getBytes(StandardCharsets.UTF_8));
        Path sig = Files.write(temp.resolve("sig.der"), Base64.getDecoder().decode(json.get("signatures").get(0).get("sig").asText()));
        String verified = ExternalTool.command("openssl", "dgst", "-sha256", "-verify", publicKey.toString(), "-signature", sig.toString(),
                paeFile.toString()).runSuccessfully().stdout();
        assertEquals("Verified OK", verified.strip());

        Dsse.Payload payload = Dsse.verify(envelope, SigningKeys.publicKey(publicKey));
        assertEquals(Dsse.IN_TOTO_PAYLOAD_TYPE, payload.payloadType());
        assertArrayEquals(statement, payload.body());
        String tampered = new String(envelope, StandardCharsets.UTF_8).replace(json.get("payload").asText(),
                Base64.getEncoder().encodeToString("{\"_type\":\"other\"}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(SigningException.class, () -> Dsse.verify(tampered.getBytes(StandardCharsets.UTF_8), SigningKeys.publicKey(publicKey)));
        // Another type over the same body is another PAE: the signature does not carry over.
        String retyped = new String(envelope, StandardCharsets.UTF_8).replace(Dsse.IN_TOTO_PAYLOAD_TYPE, "application/json");
        assertThrows(SigningException.class, () -> Dsse.verify(retyped.getBytes(StandardCharsets.UTF_8), SigningKeys.publicKey(publicKey)));
    }
}

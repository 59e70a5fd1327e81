package dev.jbuild.registry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files: certificates (any number per file) and unencrypted private keys in PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) form,
 * the forms {@code openssl} writes. The JDK reads only PKCS#8, so the other two are wrapped into
 * PKCS#8 here. Public for {@code signing}, which reads its keys with the same blocks and wrapping
 * (and adds the encrypted forms it needs).
 */
public final class Pem {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private static final byte[] OID_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] OID_EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Pem() {}

    /** One {@code -----BEGIN TYPE-----} block: its type and its decoded bytes. */
    public record Block(String type, byte[] der) {}

    /** The PEM blocks of {@code text}, in order; text around them is ignored, as openssl does. */
    public static List<Block> blocks(String text) {
        List<Block> result = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            result.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return result;
    }

    /** Every certificate in the file; an error when there is none. */
    static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(Files.readString(file, StandardCharsets.US_ASCII))) {
                if (b.type().equals("CERTIFICATE") || b.type().equals("TRUSTED CERTIFICATE")) {
                    certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IOException("cannot read certificate " + file + ": " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IOException("no PEM certificate in " + file);
        }
        return certs;
    }

    /** The first private key in the file. */
    static PrivateKey privateKey(Path file) throws IOException {
        for (Block b : blocks(Files.readString(file, StandardCharsets.US_ASCII))) {
            if (b.type().equals("ENCRYPTED PRIVATE KEY")) {
                throw new IOException("the private key in " + file + " is encrypted; decrypt it first "
                        + "(openssl pkey -in KEY -out KEY.plain)");
            }
            byte[] der = pkcs8(b, file.toString());
            if (der != null) {
                return pkcs8(der, file);
            }
        }
        throw new IOException("no PEM private key in " + file);
    }

    /**
     * The PKCS#8 form of an unencrypted private-key block ({@code PRIVATE KEY}, {@code RSA PRIVATE KEY},
     * {@code EC PRIVATE KEY}); null for a block of any other type. {@code source} names the file in errors.
     */
    public static byte[] pkcs8(Block b, String source) throws IOException {
        return switch (b.type()) {
            case "PRIVATE KEY" -> b.der();
            case "RSA PRIVATE KEY" -> sequence(integerZero(), sequence(OID_RSA, new byte[] {0x05, 0x00}), octetString(b.der()));
            case "EC PRIVATE KEY" -> sequence(integerZero(), sequence(OID_EC_PUBLIC_KEY, sec1CurveOid(b.der(), source)),
                    octetString(b.der()));
            default -> null;
        };
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // Try the next algorithm.
            }
        }
        throw new IOException("unsupported private key in " + file + " (expected RSA, EC or Ed25519)");
    }

    /** The named-curve OID (full TLV) in a SEC1 ECPrivateKey's [0] parameters. */
    private static byte[] sec1CurveOid(byte[] der, String file) throws IOException {
        try {
            int[] seq = derElement(der, 0);
            int p = seq[1];
            int end = seq[1] + seq[2];
            while (p < end) {
                int[] h = derElement(der, p);
                if ((der[p] & 0xff) == 0xa0) {
                    int[] oid = derElement(der, h[1]);
                    byte[] tlv = new byte[oid[1] + oid[2] - h[1]];
                    System.arraycopy(der, h[1], tlv, 0, tlv.length);
                    return tlv;
                }
                p = h[1] + h[2];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            // Fall through to the error.
        }
        throw new IOException("the EC private key in " + file + " names no curve; convert it with openssl pkcs8 -topk8 -nocrypt");
    }

    /**
     * {tag, content offset, content length} of the DER element at {@code p}: the one reader of DER lengths
     * for the keys jbuild reads (TLS client keys here, signing keys in {@code signing}).
     *
     * @throws ArrayIndexOutOfBoundsException when the element runs past the end of {@code der}
     */
    public static int[] derElement(byte[] der, int p) {
        int length = der[p + 1] & 0xff;
        int content = p + 2;
        if (length >= 0x80) {
            int n = length & 0x7f;
            length = 0;
            for (int i = 0; i < n; i++) {
                length = (length << 8) | (der[p + 2 + i] & 0xff);
            }
            content += n;
        }
        if (content + length > der.length || length < 0) {
            throw new ArrayIndexOutOfBoundsException("DER element past the end");
        }
        return new int[] {der[p] & 0xff, content, length};
    }

    private static byte[] integerZero() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return tlv(0x30, out.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(len >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}

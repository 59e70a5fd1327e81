package dev.jbuild.registry;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS set-up for one registry, as Docker does it: the system's trusted CAs, plus the CAs
 * given with {@code --tls-ca}, plus every {@code *.crt} in {@code CERTS_DIR/HOST[:PORT]/}; a
 * client certificate from {@code CERTS_DIR/HOST[:PORT]/NAME.cert} with its key {@code NAME.key}.
 * For an insecure registry, certificates are not verified at all.
 */
final class TlsConfig {

    private static final Logger LOG = LoggerFactory.getLogger(TlsConfig.class);

    private TlsConfig() {}

    /** Whether anything beyond the JDK's defaults applies to {@code registry}. */
    static boolean hasCustomisation(String registry, List<Path> caFiles, List<Path> certsDirs) {
        if (!caFiles.isEmpty()) {
            return true;
        }
        for (Path dir : certsDirs) {
            if (Files.isDirectory(dir.resolve(registry))) {
                return true;
            }
        }
        return false;
    }

    static SSLContext build(String registry, List<Path> caFiles, List<Path> certsDirs, boolean skipVerification)
            throws IOException {
        List<X509Certificate> extraCas = new ArrayList<>();
        for (Path f : caFiles) {
            extraCas.addAll(Pem.certificates(f));
        }
        List<KeyEntry> clientKeys = new ArrayList<>();
        for (Path base : certsDirs) {
            Path dir = base.resolve(registry);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".crt")) {
                        LOG.debug("trusting CA {} for {}", f, registry);
                        extraCas.addAll(Pem.certificates(f));
                    } else if (name.endsWith(".cert")) {
                        Path key = dir.resolve(name.substring(0, name.length() - ".cert".length()) + ".key");
                        if (!Files.isRegularFile(key)) {
                            throw new IOException("client certificate " + f + " has no key " + key.getFileName());
                        }
                        LOG.debug("client certificate {} for {}", f, registry);
                        clientKeys.add(new KeyEntry(Pem.privateKey(key), Pem.certificates(f)));
                    } else if (name.endsWith(".key")) {
                        Path cert = dir.resolve(name.substring(0, name.length() - ".key".length()) + ".cert");
                        if (!Files.isRegularFile(cert)) {
                            throw new IOException("client key " + f + " has no certificate " + cert.getFileName());
                        }
                    }
                }
            }
        }
        try {
            TrustManager[] trust = skipVerification ? new TrustManager[] {new TrustAll()} : trustManagers(extraCas);
            KeyManager[] keys = keyManagers(clientKeys);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for " + registry + ": " + e.getMessage(), e);
        }
    }

    private record KeyEntry(PrivateKey key, List<X509Certificate> chain) {}

    private static TrustManager[] trustManagers(List<X509Certificate> extraCas) throws GeneralSecurityException, IOException {
        TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        system.init((KeyStore) null);
        if (extraCas.isEmpty()) {
            return system.getTrustManagers();
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (TrustManager tm : system.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    ks.setCertificateEntry("system-" + i++, c);
                }
            }
        }
        for (X509Certificate c : extraCas) {
            ks.setCertificateEntry("extra-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private static KeyManager[] keyManagers(List<KeyEntry> entries) throws GeneralSecurityException, IOException {
        if (entries.isEmpty()) {
            return null;
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = new char[0];
        int i = 0;
        for (KeyEntry e : entries) {
            ks.setKeyEntry("client-" + i++, e.key(), password, e.chain().toArray(new X509Certificate[0]));
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf.getKeyManagers();
    }

    /**
     * Accepts any server certificate and skips host name checks (an extended trust manager, so
     * the JDK does not add its own endpoint identification): only for insecure registries.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

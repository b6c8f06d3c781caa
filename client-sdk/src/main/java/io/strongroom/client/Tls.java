package io.strongroom.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Building the client's SSL context from PEM files or key stores. */
final class Tls {
  private Tls() {}

  /** Password of the in-memory key store that holds a PEM client key; never leaves this class. */
  private static final char[] IN_MEMORY = "strongroom-in-memory".toCharArray();

  static final String CLIENT_ALIAS = "client";

  /**
   * @param trust the trust store, or null for the JDK's default trust store
   * @param keyManagers the client's key managers for mTLS, or null for none
   */
  static SSLContext context(KeyStore trust, KeyManager[] keyManagers)
      throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keyManagers, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** A trust store holding every certificate of a PEM file (one or more CA certificates). */
  static KeyStore trustStoreFromPem(Path pem) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certs = readCertificates(pem);
    if (certs.isEmpty()) {
      throw new GeneralSecurityException("no certificate in " + pem);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certs) {
      ks.setCertificateEntry("ca-" + i++, c);
    }
    return ks;
  }

  /**
   * A key store holding one private key entry (alias {@value #CLIENT_ALIAS}) made of a PEM
   * certificate chain (leaf first) and an unencrypted PKCS#8 PEM private key ({@code -----BEGIN
   * PRIVATE KEY-----}); RSA, EC and EdDSA keys.
   */
  static KeyStore clientKeyStoreFromPem(Path certificateChain, Path privateKey)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> chain =
        readCertificates(certificateChain).stream().map(c -> (X509Certificate) c).toList();
    if (chain.isEmpty()) {
      throw new GeneralSecurityException("no certificate in " + certificateChain);
    }
    PrivateKey key = readPkcs8(privateKey, chain.get(0).getPublicKey().getAlgorithm());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(CLIENT_ALIAS, key, IN_MEMORY, chain.toArray(new Certificate[0]));
    return ks;
  }

  static KeyManager[] keyManagersFromPem(Path certificateChain, Path privateKey)
      throws IOException, GeneralSecurityException {
    return keyManagers(clientKeyStoreFromPem(certificateChain, privateKey), IN_MEMORY);
  }

  static KeyManager[] keyManagers(KeyStore keyStore, char[] password)
      throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, password);
    return kmf.getKeyManagers();
  }

  private static Collection<? extends Certificate> readCertificates(Path pem)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  private static PrivateKey readPkcs8(Path pem, String algorithm)
      throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        throw new GeneralSecurityException(
            pem + " holds an encrypted key: give an unencrypted PKCS#8 key or a key store");
      }
      if (text.contains(" PRIVATE KEY-----")) {
        throw new GeneralSecurityException(
            pem
                + " is not PKCS#8: convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out"
                + " KEY.pk8.pem`");
      }
      throw new GeneralSecurityException("no PKCS#8 private key in " + pem);
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
    try {
      String alg = "EdDSA".equals(algorithm) || algorithm.startsWith("Ed") ? "EdDSA" : algorithm;
      return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }
}

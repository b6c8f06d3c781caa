package io.strongroom.client;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI for tests (Bouncy Castle, test scope only): a CA, a server certificate for
 * 127.0.0.1/localhost and a client certificate, written as PEM files to a directory.
 */
final class TestPki {
  final Path caPem;
  final Path clientChainPem;
  final Path clientKeyPem;
  final X509Certificate caCert;
  final X509Certificate clientCert;
  private final KeyPair serverKeys;
  private final X509Certificate serverCert;

  private TestPki(
      Path caPem,
      Path clientChainPem,
      Path clientKeyPem,
      X509Certificate caCert,
      X509Certificate clientCert,
      KeyPair serverKeys,
      X509Certificate serverCert) {
    this.caPem = caPem;
    this.clientChainPem = clientChainPem;
    this.clientKeyPem = clientKeyPem;
    this.caCert = caCert;
    this.clientCert = clientCert;
    this.serverKeys = serverKeys;
    this.serverCert = serverCert;
  }

  static TestPki create(Path dir) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ca = gen.generateKeyPair();
    KeyPair server = gen.generateKeyPair();
    KeyPair client = gen.generateKeyPair();
    X500Name caName = new X500Name("CN=Test CA");
    X509Certificate caCert = cert(caName, caName, ca, ca, true, null, null);
    X509Certificate serverCert =
        cert(
            caName,
            new X500Name("CN=localhost"),
            ca,
            server,
            false,
            KeyPurposeId.id_kp_serverAuth,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                  new GeneralName(GeneralName.dNSName, "localhost")
                }));
    X509Certificate clientCert =
        cert(
            caName,
            new X500Name("CN=test-client"),
            ca,
            client,
            false,
            KeyPurposeId.id_kp_clientAuth,
            null);
    Path caPem = dir.resolve("ca.pem");
    Path chainPem = dir.resolve("client.pem");
    Path keyPem = dir.resolve("client.key");
    Files.writeString(caPem, pem(caCert), StandardCharsets.US_ASCII);
    Files.writeString(chainPem, pem(clientCert) + pem(caCert), StandardCharsets.US_ASCII);
    Files.writeString(
        keyPem, pem(new JcaPKCS8Generator(client.getPrivate(), null)), StandardCharsets.US_ASCII);
    return new TestPki(caPem, chainPem, keyPem, caCert, clientCert, server, serverCert);
  }

  /** The server side: its certificate and key, trusting the CA for client certificates. */
  SSLContext serverContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "test".toCharArray();
    ks.setKeyEntry("server", serverKeys.getPrivate(), pw, new Certificate[] {serverCert, caCert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", caCert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static X509Certificate cert(
      X500Name issuer,
      X500Name subject,
      KeyPair issuerKeys,
      KeyPair subjectKeys,
      boolean ca,
      KeyPurposeId purpose,
      GeneralNames sans)
      throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
            Date.from(now.minusSeconds(300)),
            Date.from(now.plusSeconds(86_400)),
            subject,
            subjectKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
    if (purpose != null) {
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    }
    if (sans != null) {
      b.addExtension(Extension.subjectAlternativeName, false, sans);
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}

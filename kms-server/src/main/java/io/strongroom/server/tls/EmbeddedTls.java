package io.strongroom.server.tls;

import io.strongroom.core.custody.RootKey;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The embedded deployment's TLS identity, made with Bouncy Castle on first start: a CA certificate
 * ({@code tls/ca.pem}, mode 0600, for clients to trust) and a server certificate it signs for
 * localhost, 127.0.0.1, ::1 and the host name. The CA's private key is discarded at once, so nobody
 * can mint further certificates from it; the server's private key is stored only wrapped by the
 * root key ({@code tls/server.key.wrapped}).
 */
public final class EmbeddedTls {
  private static final byte[] KEY_AAD =
      "strongroom/tls-server-key/v1".getBytes(StandardCharsets.US_ASCII);
  private static final Duration VALIDITY = Duration.ofDays(825);

  /** PEM certificate chain (server then CA) and PEM PKCS#8 private key. */
  public record Identity(String certChainPem, byte[] keyPem) {}

  private EmbeddedTls() {}

  /** Loads the identity from {@code tlsDir}, creating it on first start. */
  public static Identity loadOrCreate(Path tlsDir, RootKey root)
      throws IOException, GeneralSecurityException {
    Path chain = tlsDir.resolve("server.pem");
    Path wrappedKey = wrappedKeyFile(tlsDir);
    if (!Files.exists(chain) || !Files.exists(wrappedKey)) {
      create(tlsDir, chain, wrappedKey, root);
    }
    byte[] der = root.unwrap(Files.readAllBytes(wrappedKey), KEY_AAD);
    try {
      PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      return new Identity(
          Files.readString(chain),
          pem(new JcaPKCS8Generator(key, null)).getBytes(StandardCharsets.US_ASCII));
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** The file holding the server's private key wrapped by the root key. */
  public static Path wrappedKeyFile(Path tlsDir) {
    return tlsDir.resolve("server.key.wrapped");
  }

  /** The additional data the server's private key is wrapped with (a fresh copy). */
  public static byte[] keyAad() {
    return KEY_AAD.clone();
  }

  private static void create(Path dir, Path chain, Path wrappedKey, RootKey root)
      throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ca = gen.generateKeyPair();
    KeyPair server = gen.generateKeyPair();
    Instant now = Instant.now();
    X500Name caName = new X500Name("CN=Strongroom embedded CA,O=Strongroom development");
    X509Certificate caCert;
    X509Certificate serverCert;
    try {
      JcaX509v3CertificateBuilder cab =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(now.minusSeconds(300)),
              Date.from(now.plus(VALIDITY)),
              caName,
              ca.getPublic());
      cab.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      cab.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      caCert =
          sign(cab.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));

      JcaX509v3CertificateBuilder sb =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(now.minusSeconds(300)),
              Date.from(now.plus(VALIDITY)),
              new X500Name("CN=localhost,O=Strongroom development"),
              server.getPublic());
      sb.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      sb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      sb.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      sb.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans()));
      serverCert =
          sign(sb.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign certificates", e);
    }
    writePrivate(dir.resolve("ca.pem"), pem(caCert).getBytes(StandardCharsets.US_ASCII));
    writePrivate(chain, (pem(serverCert) + pem(caCert)).getBytes(StandardCharsets.US_ASCII));
    writePrivate(wrappedKey, root.wrap(server.getPrivate().getEncoded(), KEY_AAD));
  }

  private static GeneralName[] sans() {
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    names.add(new GeneralName(GeneralName.iPAddress, "::1"));
    try {
      String host = InetAddress.getLocalHost().getHostName();
      if (!host.isBlank() && !host.equals("localhost")) {
        names.add(new GeneralName(GeneralName.dNSName, host));
      }
    } catch (IOException e) {
      // no resolvable host name: localhost and loopback addresses suffice
    }
    return names.toArray(GeneralName[]::new);
  }

  private static X509Certificate sign(X509CertificateHolder holder)
      throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static BigInteger serial() {
    return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }

  /** Writes a file readable by its owner only (0600). */
  public static void writePrivate(Path file, byte[] content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, content);
  }
}

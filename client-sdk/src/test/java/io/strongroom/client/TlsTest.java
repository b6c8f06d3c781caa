package io.strongroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strongroom.client.FakeStrongroomServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS set-up: trust from a PEM CA file or a key store, and the client certificate for mutual TLS
 * from PEM files or a key store. The Strongroom server does not ask for client certificates yet, so
 * the handshake is checked against the scripted stub, which requires one.
 */
class TlsTest {
  @TempDir static Path dir;
  private static TestPki pki;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
  }

  @Test
  void pemClientCertificateAndKeyAreLoaded() throws Exception {
    KeyStore ks = Tls.clientKeyStoreFromPem(pki.clientChainPem, pki.clientKeyPem);
    assertThat(ks.isKeyEntry(Tls.CLIENT_ALIAS)).isTrue();
    assertThat(ks.getCertificateChain(Tls.CLIENT_ALIAS)).hasSize(2);
    assertThat(ks.getCertificate(Tls.CLIENT_ALIAS)).isEqualTo(pki.clientCert);

    KeyManager[] kms = Tls.keyManagersFromPem(pki.clientChainPem, pki.clientKeyPem);
    X509KeyManager km = (X509KeyManager) kms[0];
    String alias =
        km.chooseClientAlias(
            new String[] {"EC"},
            new java.security.Principal[] {pki.caCert.getSubjectX500Principal()},
            null);
    assertThat(alias).isNotNull();
    X509Certificate[] chain = km.getCertificateChain(alias);
    assertThat(chain[0]).isEqualTo(pki.clientCert);
    assertThat(km.getPrivateKey(alias).getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void keysThatAreNotPkcs8AreRefusedWithAHint() throws Exception {
    Path pkcs1 = dir.resolve("rsa.key");
    Files.writeString(
        pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(
            () ->
                StrongroomClient.builder()
                    .endpoint("https://127.0.0.1:1")
                    .clientCertificate(pki.clientChainPem, pkcs1)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl pkcs8");
  }

  @Test
  void mutualTlsHandshakePresentsTheClientCertificate() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, true)) {
      fake.on("GET", "/healthz", Reply.json(200, "{\"status\":\"UP\"}"));
      try (StrongroomClient c =
          StrongroomClient.builder()
              .endpoint(fake.endpoint())
              .caCertificate(pki.caPem)
              .clientCertificate(pki.clientChainPem, pki.clientKeyPem)
              .retryPolicy(RetryPolicy.none())
              .build()) {
        assertThat(c.health().up()).isTrue();
      }
      assertThat(fake.seen())
          .extracting(FakeStrongroomServer.Seen::peer)
          .containsExactly("CN=test-client");

      // the same certificate from a key store
      KeyStore ks = Tls.clientKeyStoreFromPem(pki.clientChainPem, pki.clientKeyPem);
      KeyStore p12 = KeyStore.getInstance("PKCS12");
      p12.load(null, null);
      char[] pw = "pw".toCharArray();
      p12.setKeyEntry(
          "me",
          ks.getKey(Tls.CLIENT_ALIAS, "strongroom-in-memory".toCharArray()),
          pw,
          ks.getCertificateChain(Tls.CLIENT_ALIAS));
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", pki.caCert);
      try (StrongroomClient c =
          StrongroomClient.builder()
              .endpoint(fake.endpoint())
              .trustStore(trust)
              .clientCertificate(p12, pw)
              .retryPolicy(RetryPolicy.none())
              .build()) {
        assertThat(c.health().up()).isTrue();
      }

      // without a certificate the stub refuses the handshake
      try (StrongroomClient c =
          StrongroomClient.builder()
              .endpoint(fake.endpoint())
              .caCertificate(pki.caPem)
              .retryPolicy(RetryPolicy.none())
              .build()) {
        assertThat(catchThrowableOfType(StrongroomConnectionException.class, c::health).attempts())
            .isEqualTo(1);
      }
    }
  }

  @Test
  void anUntrustedServerIsRefused() throws Exception {
    try (FakeStrongroomServer fake = FakeStrongroomServer.start(pki, false);
        StrongroomClient c =
            StrongroomClient.builder()
                .endpoint(fake.endpoint())
                .retryPolicy(RetryPolicy.none())
                .build()) {
      fake.on("GET", "/healthz", Reply.json(200, "{\"status\":\"UP\"}"));
      // the JDK's default trust store does not know the test CA
      assertThatThrownBy(c::health).isInstanceOf(StrongroomConnectionException.class);
      assertThat(fake.count("GET", "/healthz")).isZero();
    }
  }

  @Test
  void builderValidatesTheEndpoint() {
    assertThatThrownBy(() -> StrongroomClient.builder().build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StrongroomClient.builder().endpoint("http://127.0.0.1:8443").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
  }

  @Test
  void pathSegmentsAreEncoded() {
    assertThat(Transport.path("/v1/tenants/{tenant}/keys/{key}", new Object[] {"a b", ".."}))
        .isEqualTo("/v1/tenants/a%20b/keys/%2E%2E");
    assertThat(
            Transport.path(
                "/v1/tenants", new Object[0], "pageSize", 5, "pageToken", "x/y=", "n", null))
        .isEqualTo("/v1/tenants?pageSize=5&pageToken=x%2Fy%3D");
  }
}

package io.strongroom.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.server.config.ServerConfig;
import io.strongroom.server.testing.TestServer;
import java.io.IOException;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TLS the server speaks, checked with raw handshakes: TLS 1.3 with AES-256-GCM or
 * ChaCha20-Poly1305 by default; TLS 1.2 only when configured, then only forward-secret AEAD suites;
 * and only for clients that trust the server's CA.
 */
class TlsE2ETest {
  private static TestServer tls13;
  private static TestServer tls12Too;

  @BeforeAll
  static void start() throws Exception {
    tls13 = TestServer.start();
    tls12Too = TestServer.start(c -> TestServer.withTlsProtocols(c, Set.of("TLSv1.3", "TLSv1.2")));
  }

  @AfterAll
  static void stop() {
    if (tls13 != null) {
      tls13.close();
    }
    if (tls12Too != null) {
      tls12Too.close();
    }
  }

  @Test
  void negotiatesTls13WithAStrongSuite() throws Exception {
    SSLSession s = handshake(tls13, tls13.sslContext(), null, null);
    assertThat(s.getProtocol()).isEqualTo("TLSv1.3");
    assertThat(s.getCipherSuite()).isIn(ServerConfig.TLS13_SUITES);
    assertThat(s.getCipherSuite()).isIn("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
  }

  @Test
  void eachAllowedTls13SuiteWorksAndAes128DoesNot() throws Exception {
    for (String suite : ServerConfig.TLS13_SUITES) {
      SSLSession s =
          handshake(tls13, tls13.sslContext(), new String[] {"TLSv1.3"}, new String[] {suite});
      assertThat(s.getCipherSuite()).isEqualTo(suite);
    }
    assertHandshakeFails(
        tls13,
        tls13.sslContext(),
        new String[] {"TLSv1.3"},
        new String[] {"TLS_AES_128_GCM_SHA256"});
  }

  /**
   * Vert.x keeps the server's TLS key in an in-memory PKCS#12 store; the server lowers PKCS#12's
   * PBKDF2 iterations for that store (0.6-0.8 s of every start otherwise) and still serves TLS.
   */
  @Test
  void theInMemoryKeyStoreSkipsPkcs12sSlowKeyProtection() throws Exception {
    assertThat(System.getProperty("keystore.pkcs12.keyPbeIterationCount")).isEqualTo("1");
    assertThat(handshake(tls13, tls13.sslContext(), null, null).getProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void aTls12OnlyClientIsRefusedByDefault() {
    assertHandshakeFails(tls13, tls13.sslContext(), new String[] {"TLSv1.2"}, null);
  }

  @Test
  void aClientThatDoesNotTrustTheCaIsRefused() throws Exception {
    SSLContext jdkDefaults = SSLContext.getInstance("TLS");
    jdkDefaults.init(null, null, null);
    assertHandshakeFails(tls13, jdkDefaults, null, null);
    // Nor does another embedded server's CA do.
    assertHandshakeFails(tls13, tls12Too.sslContext(), null, null);
  }

  @Test
  void tls12WhenConfiguredWithAForwardSecretAeadSuite() throws Exception {
    SSLSession s = handshake(tls12Too, tls12Too.sslContext(), new String[] {"TLSv1.2"}, null);
    assertThat(s.getProtocol()).isEqualTo("TLSv1.2");
    assertThat(s.getCipherSuite()).isIn(ServerConfig.TLS12_SUITES);
    assertThat(s.getCipherSuite()).startsWith("TLS_ECDHE_");
    assertThat(s.getCipherSuite()).containsAnyOf("_GCM_", "_CHACHA20_POLY1305_");
    // TLS 1.3 is still preferred when the client offers it.
    assertThat(handshake(tls12Too, tls12Too.sslContext(), null, null).getProtocol())
        .isEqualTo("TLSv1.3");
    // No CBC, no AES-128, no static RSA even with TLS 1.2 on.
    assertHandshakeFails(
        tls12Too,
        tls12Too.sslContext(),
        new String[] {"TLSv1.2"},
        new String[] {
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
          "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
          "TLS_RSA_WITH_AES_256_GCM_SHA384"
        });
  }

  private static SSLSession handshake(
      TestServer server, SSLContext ctx, String[] protocols, String[] suites) throws IOException {
    try (SSLSocket socket =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      if (protocols != null) {
        socket.setEnabledProtocols(protocols);
      }
      if (suites != null) {
        socket.setEnabledCipherSuites(suites);
      }
      socket.startHandshake();
      return socket.getSession();
    }
  }

  private static void assertHandshakeFails(
      TestServer server, SSLContext ctx, String[] protocols, String[] suites) {
    assertThatThrownBy(() -> handshake(server, ctx, protocols, suites))
        .isInstanceOf(SSLException.class);
  }
}

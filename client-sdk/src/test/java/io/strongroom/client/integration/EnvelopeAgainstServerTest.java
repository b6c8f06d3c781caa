package io.strongroom.client.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strongroom.client.InvalidCiphertextException;
import io.strongroom.client.StrongroomClient;
import io.strongroom.client.envelope.EnvelopeEncryptor;
import io.strongroom.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's envelope encryption against a real server (real HTTPS, real store): the data-key cache
 * is observed from the server's side, through its Prometheus request counter.
 */
class EnvelopeAgainstServerTest {
  private static final Pattern GDK_OK =
      Pattern.compile(
          "strongroom_requests_seconds_count\\{operation=\"generate-data-key\",outcome=\"OK\"} (\\S+)");

  private static TestServer server;
  private static StrongroomClient client;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    server.createTenant("env");
    String token = server.createPrincipal("env", "svc", "key-admin", "key-user");
    server.createKey("env", token, "data");
    client =
        StrongroomClient.builder()
            .endpoint(server.uri("/"))
            .caCertificate(server.dataDir().resolve("tls").resolve("ca.pem"))
            .token(token)
            .tenant("env")
            .build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void sixtyFourConcurrentColdEncryptsMakeOneServerCall() throws Exception {
    double before = generateDataKeyCalls();
    try (EnvelopeEncryptor enc =
            EnvelopeEncryptor.builder().dataKeys(client).keyName("data").build();
        ExecutorService pool = Executors.newFixedThreadPool(64)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<byte[]>> messages = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        byte[] plaintext = ("message " + i).getBytes(StandardCharsets.UTF_8);
        messages.add(
            pool.submit(
                () -> {
                  go.await();
                  return enc.encrypt(plaintext, Map.of("table", "users"));
                }));
      }
      go.countDown();
      for (int i = 0; i < 64; i++) {
        byte[] message = messages.get(i).get();
        assertThat(
                new String(enc.decrypt(message, Map.of("table", "users")), StandardCharsets.UTF_8))
            .isEqualTo("message " + i);
      }
    }
    assertThat(generateDataKeyCalls() - before).isEqualTo(1.0);
  }

  @Test
  void contextsGetTheirOwnDataKeysAndAWrongContextIsRefused() {
    double before = generateDataKeyCalls();
    try (EnvelopeEncryptor enc =
        EnvelopeEncryptor.builder().dataKeys(client).keyName("data").build()) {
      byte[] a = enc.encrypt(new byte[] {1}, Map.of("table", "a"));
      byte[] b = enc.encrypt(new byte[] {2}, Map.of("table", "b"));
      enc.encrypt(new byte[] {3}, Map.of("table", "a"));
      assertThat(generateDataKeyCalls() - before).isEqualTo(2.0);
      assertThat(enc.decrypt(a, Map.of("table", "a"))).containsExactly(1);
      assertThat(enc.decrypt(b, Map.of("table", "b"))).containsExactly(2);
      assertThatThrownBy(() -> enc.decrypt(a, Map.of("table", "b")))
          .isInstanceOf(InvalidCiphertextException.class);
    }
  }

  private static double generateDataKeyCalls() {
    String metrics = server.get("/metrics", null).body();
    Matcher m = GDK_OK.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
  }
}

package io.strongroom.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strongroom.api.KeyMessages.CreateKeyRequest;
import io.strongroom.api.KeyMessages.KeyResponse;
import io.strongroom.api.KeyMessages.UpdateKeyRequest;
import io.strongroom.api.TenantMessages.PrincipalResponse;
import io.strongroom.api.TenantMessages.TokenResponse;
import io.strongroom.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Typed exceptions with the request id for every error the real server can be made to answer, and
 * credentials that rotate through the token supplier.
 */
class ErrorsAndCredentialsTest {
  private static final String TENANT = "errs";
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private static TestServer server;
  private static StrongroomClient admin;
  private static StrongroomClient app;
  private static String appToken;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    admin = client(server.adminToken());
    admin.createTenant(TENANT, null);
    PrincipalResponse p =
        admin.createPrincipal(TENANT, "app", List.of("key-admin", "key-user"), null);
    appToken = p.token().token();
    app = client(appToken);
    app.createKey(TENANT, "k");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {app, admin, server}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  private static StrongroomClient client(String token) {
    return StrongroomClient.builder()
        .endpoint(server.server().endpoint())
        .caCertificate(server.dataDir().resolve("tls").resolve("ca.pem"))
        .token(token)
        .build();
  }

  /** The checks every server error answer passes: typed, coded, with request id, no secrets. */
  private static <T extends StrongroomException> T check(
      T e, String code, int status, String... secrets) {
    assertThat(e).as("expected %s", code).isNotNull();
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.httpStatus()).isEqualTo(status);
    assertThat(e.requestId()).matches(UUID);
    assertThat(e.getMessage()).contains(code).contains(e.requestId());
    assertThat(e.serverMessage()).isNotBlank();
    assertThat(e.isTransient()).isFalse();
    for (String s : secrets) {
      assertThat(e.getMessage()).doesNotContain(s);
      assertThat(e.toString()).doesNotContain(s);
    }
    return e;
  }

  @Test
  void unauthenticated() {
    String bogus = "srt_" + "A".repeat(43);
    try (StrongroomClient c = client(bogus)) {
      check(
          catchThrowableOfType(UnauthenticatedException.class, () -> c.getKey(TENANT, "k")),
          "UNAUTHENTICATED",
          401,
          bogus);
    }
  }

  @Test
  void permissionDenied() {
    PrincipalResponse user = admin.createPrincipal(TENANT, "user", List.of("key-user"), null);
    try (StrongroomClient c = client(user.token().token())) {
      check(
          catchThrowableOfType(
              PermissionDeniedException.class, () -> c.createKey(TENANT, "not-allowed")),
          "PERMISSION_DENIED",
          403,
          user.token().token());
    }
  }

  @Test
  void notFound() {
    check(
        catchThrowableOfType(NotFoundException.class, () -> app.getKey(TENANT, "missing")),
        "NOT_FOUND",
        404);
    check(
        catchThrowableOfType(NotFoundException.class, () -> app.getVersion(TENANT, "k", 99)),
        "NOT_FOUND",
        404);
  }

  @Test
  void invalidArgument() {
    check(
        catchThrowableOfType(InvalidArgumentException.class, () -> app.listKeys(TENANT, 0, null)),
        "INVALID_ARGUMENT",
        400);
    check(
        catchThrowableOfType(
            InvalidArgumentException.class,
            () ->
                app.createKey(
                    TENANT, new CreateKeyRequest("bad name!", "SOFTWARE", null, null, null))),
        "INVALID_ARGUMENT",
        400);
  }

  @Test
  void invalidCiphertextNeverShowsThePlaintext() {
    String secret = "do-not-leak-this-plaintext";
    EncryptResult sealed =
        app.encrypt(TENANT, "k", secret.getBytes(StandardCharsets.UTF_8), Map.of("a", "1"));
    check(
        catchThrowableOfType(
            InvalidCiphertextException.class,
            () -> app.decrypt(TENANT, sealed.ciphertext(), Map.of("a", "2"))),
        "INVALID_CIPHERTEXT",
        400,
        secret);
    byte[] tampered = sealed.ciphertext().clone();
    tampered[tampered.length - 1] ^= 1;
    check(
        catchThrowableOfType(
            InvalidCiphertextException.class,
            () -> app.decrypt(TENANT, tampered, Map.of("a", "1"))),
        "INVALID_CIPHERTEXT",
        400);
  }

  @Test
  void failedPrecondition() {
    app.createKey(TENANT, "to-disable");
    app.disableKey(TENANT, "to-disable");
    check(
        catchThrowableOfType(
            FailedPreconditionException.class,
            () -> app.encrypt(TENANT, "to-disable", new byte[] {1}, null)),
        "FAILED_PRECONDITION",
        400);
  }

  @Test
  void alreadyExistsAndConflict() {
    check(
        catchThrowableOfType(AlreadyExistsException.class, () -> app.createKey(TENANT, "k")),
        "ALREADY_EXISTS",
        409);
    KeyResponse k = app.createKey(TENANT, "revisioned");
    app.updateKey(TENANT, "revisioned", new UpdateKeyRequest(null, "v2", null, null, null), null);
    check(
        catchThrowableOfType(
            ConflictException.class,
            () ->
                app.updateKey(
                    TENANT,
                    "revisioned",
                    new UpdateKeyRequest(null, "stale", null, null, null),
                    k.revision())),
        "CONFLICT",
        409);
    check(
        catchThrowableOfType(
            ConflictException.class, () -> app.rotateKey(TENANT, "revisioned", k.revision())),
        "CONFLICT",
        409);
    assertThat(app.getKey(TENANT, "revisioned").description()).isEqualTo("v2");
  }

  @Test
  void payloadTooLarge() {
    byte[] big = new byte[64 * 1024 + 1];
    check(
        catchThrowableOfType(
            PayloadTooLargeException.class, () -> app.encrypt(TENANT, "k", big, null)),
        "PAYLOAD_TOO_LARGE",
        413);
  }

  @Test
  void tokenSupplierPicksUpARotatedToken() {
    PrincipalResponse svc = admin.createPrincipal(TENANT, "svc", List.of("key-user"), null);
    AtomicReference<String> current = new AtomicReference<>(svc.token().token());
    AtomicInteger calls = new AtomicInteger();
    try (StrongroomClient c =
        StrongroomClient.builder()
            .endpoint(server.server().endpoint())
            .caCertificate(server.dataDir().resolve("tls").resolve("ca.pem"))
            .tokenSupplier(
                () -> {
                  calls.incrementAndGet();
                  return current.get();
                })
            .build()) {
      assertThat(c.encrypt(TENANT, "k", new byte[] {1}, null).keyVersion()).isEqualTo(1);
      assertThat(calls.get()).isEqualTo(1);

      // the old token is revoked: calls fail until the supplier hands out the new one
      String oldToken = current.get();
      admin.revokeToken(TENANT, "svc", svc.token().id());
      check(
          catchThrowableOfType(
              UnauthenticatedException.class, () -> c.encrypt(TENANT, "k", new byte[] {1}, null)),
          "UNAUTHENTICATED",
          401,
          oldToken);
      TokenResponse fresh = admin.issueToken(TENANT, "svc", null, "rotated");
      current.set(fresh.token());
      assertThat(c.encrypt(TENANT, "k", new byte[] {2}, null).keyVersion()).isEqualTo(1);
      assertThat(calls.get()).isEqualTo(3);
    }
  }

  @Test
  void aTokenThatCannotBeAHeaderIsRefusedWithoutShowingIt() {
    String broken = "srt_secret\r\nX-Evil: 1";
    try (StrongroomClient c = client(broken)) {
      IllegalArgumentException e =
          catchThrowableOfType(IllegalArgumentException.class, () -> c.getKey(TENANT, "k"));
      assertThat(e.getMessage()).doesNotContain("srt_secret");
    }
  }
}

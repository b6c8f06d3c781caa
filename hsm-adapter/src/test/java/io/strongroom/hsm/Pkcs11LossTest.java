package io.strongroom.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.hsm.testing.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The token disappears while in use (its SoftHSM directory is moved away, as a network HSM drops
 * off the network), then comes back: calls answer UNAVAILABLE while it is gone, and everything made
 * before still decrypts afterwards without a new {@link Pkcs11Token}.
 */
class Pkcs11LossTest {
  private static final byte[] AAD = "aad".getBytes(StandardCharsets.US_ASCII);

  @Test
  void unavailableWhileTheTokenIsGoneThenFullServiceWithoutRestart() throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (Pkcs11Token token = Pkcs11Token.open(SoftHsm.config("strongroom-loss"), metrics)) {
      token.ensureProbeKey();
      Pkcs11KeyCustodian custodian = new Pkcs11KeyCustodian(token);
      VersionRef ref = new VersionRef("acme", "0123456789abcdef0123456789abcdef", 1);
      byte[] stored = custodian.createVersion(ref);
      List<byte[]> payloads = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        payloads.add(custodian.encrypt(ref, stored, new byte[] {(byte) i}, AAD));
      }

      Path dir = SoftHsm.tokenDirectory("strongroom-loss");
      // out of the token directory altogether: SoftHSM takes any directory in it for a token
      Path away = dir.getParent().resolveSibling(dir.getFileName() + ".away");
      Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
      try {
        // SoftHSM notices the missing files at its next look at the token's storage; the health
        // check does look (a success is trusted for 1 s, so this polls for up to 10 s)
        long until = System.nanoTime() + 10_000_000_000L;
        while (isHealthy(token) && System.nanoTime() < until) {
          Thread.sleep(50);
        }
        for (int i = 0; i < 3; i++) {
          assertThatThrownBy(() -> custodian.decrypt(ref, stored, payloads.get(0), AAD))
              .isInstanceOf(KmsException.class)
              .satisfies(
                  e -> assertThat(((KmsException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
              .hasMessageStartingWith("the HSM is unavailable (")
              .hasMessageNotContaining("strongroom-loss")
              .hasMessageNotContaining("/usr/lib");
          Thread.sleep(400);
        }
        assertThatThrownBy(token::checkHealth).isInstanceOf(KmsException.class);
        assertThat(metrics.get("strongroom.hsm.up").gauge().value()).isZero();
      } finally {
        Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
      }

      long deadline = System.nanoTime() + 30_000_000_000L;
      // back: the next calls reconnect by themselves (at most one attempt a second)
      while (true) {
        try {
          token.checkHealth();
          break;
        } catch (KmsException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
      for (int i = 0; i < payloads.size(); i++) {
        assertThat(custodian.decrypt(ref, stored, payloads.get(i), AAD))
            .isEqualTo(new byte[] {(byte) i});
      }
      byte[] fresh = custodian.encrypt(ref, stored, new byte[32], AAD);
      assertThat(custodian.decrypt(ref, stored, fresh, AAD)).isEqualTo(new byte[32]);
      assertThat(metrics.get("strongroom.hsm.up").gauge().value()).isEqualTo(1.0);
      assertThat(metrics.get("strongroom.hsm.calls").tag("outcome", "unavailable").timer().count())
          .isPositive();
    }
  }

  @Test
  void callersInFlightDuringLossAndRecoveryGetTheRightAnswerOr503NeverAWrongOne() throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (Pkcs11Token token = Pkcs11Token.open(SoftHsm.config("strongroom-loss"), metrics)) {
      token.ensureProbeKey();
      Pkcs11KeyCustodian custodian = new Pkcs11KeyCustodian(token);
      VersionRef ref = new VersionRef("acme", "fedcba9876543210fedcba9876543210", 1);
      byte[] stored = custodian.createVersion(ref);
      byte[][] payloads = new byte[16][];
      for (int i = 0; i < payloads.length; i++) {
        payloads[i] = custodian.encrypt(ref, stored, new byte[] {(byte) i, 42}, AAD);
      }
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.ConcurrentLinkedQueue<Throwable> wrong =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      int i = seed;
                      while (!stop.get()) {
                        int n = i++ % payloads.length;
                        try {
                          byte[] p = custodian.decrypt(ref, stored, payloads[n], AAD);
                          if (p.length != 2 || p[0] != (byte) n || p[1] != 42) {
                            wrong.add(new AssertionError("wrong plaintext for " + n));
                          }
                          ok.incrementAndGet();
                        } catch (KmsException e) {
                          if (e.code() != ErrorCode.UNAVAILABLE
                              && e.code() != ErrorCode.RESOURCE_EXHAUSTED) {
                            wrong.add(e);
                          }
                          refused.incrementAndGet();
                        } catch (Throwable e) {
                          // a GeneralSecurityException here would become INVALID_CIPHERTEXT
                          wrong.add(e);
                        }
                      }
                    }));
      }
      Thread.sleep(300);
      Path dir = SoftHsm.tokenDirectory("strongroom-loss");
      Path away = dir.getParent().resolveSibling(dir.getFileName() + ".away");
      Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(2000);
      Files.move(away, dir, StandardCopyOption.ATOMIC_MOVE);
      long deadline = System.nanoTime() + 60_000_000_000L;
      long before = ok.get();
      // full service again: many successes after the token came back
      while (ok.get() - before < 2000 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      assertThat(wrong).as("wrong answers").isEmpty();
      assertThat(refused.get()).as("calls refused while the token was gone").isPositive();
      assertThat(ok.get() - before).as("successes after recovery").isGreaterThanOrEqualTo(2000);
    }
  }

  private static boolean isHealthy(Pkcs11Token token) {
    try {
      token.checkHealth();
      return true;
    } catch (KmsException e) {
      return false;
    }
  }
}

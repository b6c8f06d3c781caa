package io.strongroom.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the client retries transient failures: at most {@code maxAttempts} attempts in all (1 turns
 * retries off), waiting before attempt {@code n + 1} a random time between 0 and {@code
 * min(maxDelay, baseDelay × 2^(n-1))} ("full jitter", so that many clients failing together do not
 * come back together). A {@code Retry-After} header of a 429 or 503 answer raises the wait to what
 * the server asks, capped at {@code maxDelay}.
 *
 * <p>Which failures and which operations are retried is described in {@link StrongroomClient}.
 *
 * @param maxAttempts 1 or more; default 3
 * @param baseDelay the cap of the first wait; default 100 ms
 * @param maxDelay the cap of every wait; default 2 s
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (baseDelay.isNegative() || maxDelay.isNegative()) {
      throw new IllegalArgumentException("delays must not be negative");
    }
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must be at least baseDelay");
    }
  }

  /** 3 attempts, 100 ms base delay, 2 s maximum delay. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2));
  }

  /** One attempt: no retries. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /** This policy with another number of attempts. */
  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, baseDelay, maxDelay);
  }

  /**
   * The wait before the attempt after {@code failedAttempt} (1-based).
   *
   * @param retryAfter what the server asked for in {@code Retry-After}, or null
   */
  Duration delayAfter(int failedAttempt, Duration retryAfter) {
    long base = Math.max(0, baseDelay.toMillis());
    long cap = maxDelay.toMillis();
    int shift = Math.min(30, Math.max(0, failedAttempt - 1));
    long ceiling = Math.min(cap, base << shift);
    if (ceiling < 0) {
      ceiling = cap;
    }
    long wait = ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    if (retryAfter != null) {
      wait = Math.max(wait, Math.min(cap, retryAfter.toMillis()));
    }
    return Duration.ofMillis(wait);
  }
}

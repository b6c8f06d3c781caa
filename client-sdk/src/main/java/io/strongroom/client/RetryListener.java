package io.strongroom.client;

import java.time.Duration;

/**
 * Told about every retry the client makes, e.g. to log or count them ({@link
 * StrongroomClient.Builder#retryListener}). Called on the thread that saw the failure; it must be
 * quick and must not throw.
 */
@FunctionalInterface
public interface RetryListener {
  /**
   * @param operation the operation id of the OpenAPI description, e.g. {@code decrypt}
   * @param failedAttempt the attempt that failed, 1-based
   * @param delay the wait before the next attempt
   * @param failure why it failed (a transient {@link StrongroomException})
   */
  void onRetry(String operation, int failedAttempt, Duration delay, StrongroomException failure);
}

package io.strongroom.client;

import java.util.Map;

/**
 * The answer of {@code /healthz} or {@code /readyz}.
 *
 * @param status {@code UP} or {@code DOWN}
 * @param checks for readiness: {@code database}, {@code rootKey} and {@code custodian.<LEVEL>},
 *     each UP or DOWN; empty for liveness
 */
public record HealthStatus(String status, Map<String, String> checks) {
  public HealthStatus {
    checks = checks == null ? Map.of() : Map.copyOf(checks);
  }

  /** Whether {@link #status()} is UP. */
  public boolean up() {
    return "UP".equals(status);
  }
}

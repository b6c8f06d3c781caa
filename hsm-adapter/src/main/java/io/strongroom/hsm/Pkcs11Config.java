package io.strongroom.hsm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * How to reach one PKCS#11 token.
 *
 * @param library path of the vendor's PKCS#11 library ({@code .so})
 * @param tokenLabel the token's label (CKA_LABEL of the token, blank padding ignored); or null when
 *     {@code slot} names it. Slot ids are not stable across re-initialisation on every HSM, so the
 *     label is preferred.
 * @param slot the slot id, or null when {@code tokenLabel} names the token
 * @param pin the user PIN; never read from a configuration file, see {@link #readPin}
 * @param sessions most PKCS#11 operations in flight at once (the session pool's size)
 * @param sessionWait how long a call waits for a free session before it is refused as busy
 * @param probeLabel label of the small key the health check encrypts with (created on first start
 *     when missing; it protects nothing)
 */
public record Pkcs11Config(
    Path library,
    String tokenLabel,
    Long slot,
    char[] pin,
    int sessions,
    Duration sessionWait,
    String probeLabel) {

  public static final String DEFAULT_PROBE_LABEL = "strongroom-health-probe";

  public Pkcs11Config {
    Objects.requireNonNull(library, "library");
    Objects.requireNonNull(pin, "pin");
    Objects.requireNonNull(sessionWait, "sessionWait");
    Objects.requireNonNull(probeLabel, "probeLabel");
    if ((tokenLabel == null) == (slot == null)) {
      throw new IllegalArgumentException("name the PKCS#11 token by exactly one of label or slot");
    }
    if (sessions < 1 || sessions > 1024) {
      throw new IllegalArgumentException("PKCS#11 sessions must be 1 to 1024");
    }
    if (probeLabel.isBlank()) {
      throw new IllegalArgumentException("the probe label must not be blank");
    }
  }

  /** The token as people name it: {@code label 'X'} or {@code slot N}. */
  public String tokenName() {
    return tokenLabel != null ? "token '" + tokenLabel + "'" : "slot " + slot;
  }

  /**
   * The PIN from an environment variable or a file (first line, surrounding whitespace removed),
   * exactly one of which is given.
   *
   * @throws IllegalArgumentException when neither or both are given, or the source is empty
   * @throws IOException when the file cannot be read
   */
  public static char[] readPin(String envVariable, Path file) throws IOException {
    if ((envVariable == null) == (file == null)) {
      throw new IllegalArgumentException(
          "give the PKCS#11 PIN through exactly one of an environment variable or a file");
    }
    String pin;
    String from;
    if (envVariable != null) {
      pin = System.getenv(envVariable);
      from = "environment variable " + envVariable;
    } else {
      byte[] raw = Files.readAllBytes(file);
      pin = new String(raw, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      Arrays.fill(raw, (byte) 0);
      from = "file " + file;
    }
    if (pin == null || pin.strip().isEmpty()) {
      throw new IllegalArgumentException("the PKCS#11 PIN in " + from + " is missing or empty");
    }
    return pin.strip().toCharArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pkcs11Config c
        && library.equals(c.library)
        && Objects.equals(tokenLabel, c.tokenLabel)
        && Objects.equals(slot, c.slot)
        && Arrays.equals(pin, c.pin)
        && sessions == c.sessions
        && sessionWait.equals(c.sessionWait)
        && probeLabel.equals(c.probeLabel);
  }

  @Override
  public int hashCode() {
    return Objects.hash(library, tokenLabel, slot, sessions, sessionWait, probeLabel);
  }

  @Override
  public String toString() {
    return "Pkcs11Config[library="
        + library
        + ", "
        + tokenName()
        + ", pin=REDACTED, sessions="
        + sessions
        + ", sessionWait="
        + sessionWait
        + ", probeLabel="
        + probeLabel
        + "]";
  }
}

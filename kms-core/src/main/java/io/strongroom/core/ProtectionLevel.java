package io.strongroom.core;

/** Where a key version's material lives. */
public enum ProtectionLevel {
  /** Random 256-bit material, stored wrapped by the root key, cached unwrapped in memory. */
  SOFTWARE,
  /** Generated inside a PKCS#11 token, non-extractable. */
  HSM,
  /** A reference to a customer's key in an external KMS. */
  EXTERNAL;

  /**
   * @throws KmsException INVALID_ARGUMENT naming the allowed values
   */
  public static ProtectionLevel parse(String s) {
    for (ProtectionLevel p : values()) {
      if (p.name().equals(s)) {
        return p;
      }
    }
    throw KmsException.invalidArgument(
        "unknown protection '" + s + "'; allowed: SOFTWARE, HSM, EXTERNAL");
  }
}

package io.strongroom.server.config;

import io.strongroom.hsm.Pkcs11Config;
import java.util.Objects;

/**
 * A PKCS#11 token for this server: it serves the HSM protection level, and also holds the root key
 * when {@code rootInToken}.
 *
 * @param token how to reach and log in to the token
 * @param rootInToken whether the root key is the token key labelled {@code rootLabel} (instead of
 *     the development root key file)
 * @param rootLabel CKA_LABEL of the root key in the token
 */
public record HsmConfig(Pkcs11Config token, boolean rootInToken, String rootLabel) {
  public static final String DEFAULT_ROOT_LABEL = "strongroom-root";

  public HsmConfig {
    Objects.requireNonNull(token, "token");
    if (rootLabel == null || rootLabel.isBlank()) {
      throw new IllegalArgumentException("--pkcs11-root-label must not be blank");
    }
  }
}

package io.strongroom.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.custody.RootKey;
import io.strongroom.hsm.Pkcs11Exception;
import io.strongroom.hsm.Pkcs11KeyCustodian;
import io.strongroom.hsm.Pkcs11RootKey;
import io.strongroom.hsm.Pkcs11Token;
import io.strongroom.server.config.HsmConfig;
import io.strongroom.server.config.ServerConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * The root key and the custodians other than SOFTWARE, as configured: the development root key
 * file, or a PKCS#11 token that holds the root key and/or serves the HSM protection level.
 */
final class Custody implements AutoCloseable {
  private final RootKey root;
  private final Pkcs11Token token;

  private Custody(RootKey root, Pkcs11Token token) {
    this.root = root;
    this.token = token;
  }

  /**
   * Opens what {@code cfg} names.
   *
   * @throws Pkcs11Exception when the token cannot be used (no such token, wrong PIN, missing
   *     mechanism, no root key in it); the message says what to fix
   */
  static Custody open(ServerConfig cfg, MeterRegistry metrics)
      throws IOException, GeneralSecurityException, Pkcs11Exception {
    HsmConfig hsm = cfg.hsm();
    if (hsm == null) {
      return new Custody(LocalFileRootKey.loadOrCreate(cfg.effectiveRootKeyFile()), null);
    }
    Pkcs11Token token = Pkcs11Token.open(hsm.token(), metrics);
    try {
      token.requireProbeKey();
      RootKey root =
          hsm.rootInToken()
              ? Pkcs11RootKey.open(token, hsm.rootLabel())
              : LocalFileRootKey.loadOrCreate(cfg.effectiveRootKeyFile());
      return new Custody(root, token);
    } catch (IOException | GeneralSecurityException | Pkcs11Exception | RuntimeException e) {
      token.close();
      throw e;
    }
  }

  RootKey root() {
    return root;
  }

  /** Custodians besides SOFTWARE (which needs the root key and caches, made by the server). */
  List<KeyCustodian> hardware() {
    return token == null ? List.of() : List.of(new Pkcs11KeyCustodian(token));
  }

  @Override
  public void close() {
    if (token != null) {
      token.close();
    }
  }
}

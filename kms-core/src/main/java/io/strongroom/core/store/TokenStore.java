package io.strongroom.core.store;

import io.strongroom.core.TokenRecord;
import java.time.Instant;
import java.util.Optional;

/** API tokens, stored as hashes only. */
public interface TokenStore {
  void create(TokenRecord token);

  /** The token whose SHA-256 is {@code hash}, revoked or expired ones included. */
  Optional<TokenRecord> findByHash(byte[] hash);

  /**
   * Marks a token revoked.
   *
   * @return false when the tenant's principal has no such token
   */
  boolean revoke(String tenant, String principal, String id, Instant at);
}

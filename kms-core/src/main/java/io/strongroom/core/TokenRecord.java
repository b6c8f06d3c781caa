package io.strongroom.core;

import java.time.Instant;

/**
 * Stored form of an API token: never the secret, only its SHA-256 hash.
 *
 * @param id public identifier used to revoke the token
 * @param hash SHA-256 of the token string; the secret itself is shown once and never stored
 * @param revokedAt null while the token is valid
 */
public record TokenRecord(
    String id,
    String tenant,
    String principal,
    byte[] hash,
    String description,
    Instant createdAt,
    Instant expiresAt,
    Instant revokedAt) {

  public TokenRecord {
    hash = hash.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  public boolean validAt(Instant now) {
    return revokedAt == null && now.isBefore(expiresAt);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenRecord t && t.id.equals(id) && t.tenant.equals(tenant);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "TokenRecord[id=" + id + ", principal=" + tenant + "/" + principal + "]";
  }
}

package io.strongroom.core.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strongroom.core.Blocking;
import io.strongroom.core.Caller;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.Page;
import io.strongroom.core.Principal;
import io.strongroom.core.Role;
import io.strongroom.core.Tenant;
import io.strongroom.core.TokenRecord;
import io.strongroom.core.store.PrincipalStore;
import io.strongroom.core.store.TenantStore;
import io.strongroom.core.store.TokenStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Tenants, principals and tokens, and authentication of bearer tokens.
 *
 * <p>Tokens are {@code srt_} followed by the base64url of 32 random bytes. Only their SHA-256 is
 * stored (a 256-bit random secret needs no salt or slow hash). Lookups are cached for a short time
 * so the hot path makes no database round trip; a revocation on this node takes effect at once, on
 * other nodes within the cache's time to live.
 */
public final class IdentityService {
  public static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(12);
  public static final Duration MIN_TOKEN_TTL = Duration.ofMinutes(1);
  public static final Duration MAX_TOKEN_TTL = Duration.ofDays(365);
  public static final String ADMIN_PRINCIPAL = "admin";
  private static final String PREFIX = "srt_";
  private static final int TOKEN_LENGTH = PREFIX.length() + 43;
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(IdentityService::newSha256);
  private static final int DESCRIPTION_MAX = 256;

  private final TenantStore tenants;
  private final PrincipalStore principals;
  private final TokenStore tokens;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Cache<ByteBuffer, Optional<Authenticated>> cache;

  private record Authenticated(TokenRecord token, Caller caller) {}

  /** A newly issued token: the secret is shown once, here, and never again. */
  public record IssuedToken(String secret, TokenRecord record) {
    @Override
    public String toString() {
      return "IssuedToken[" + record.id() + ", secret REDACTED]";
    }
  }

  public IdentityService(
      TenantStore tenants,
      PrincipalStore principals,
      TokenStore tokens,
      Clock clock,
      Duration cacheTtl) {
    this.tenants = tenants;
    this.principals = principals;
    this.tokens = tokens;
    this.clock = clock;
    this.cache =
        Caffeine.newBuilder().expireAfterWrite(cacheTtl).maximumSize(100_000).recordStats().build();
  }

  public Cache<?, ?> tokenCache() {
    return cache;
  }

  /**
   * Resolves a bearer token to its caller.
   *
   * @throws KmsException UNAUTHENTICATED for a missing, malformed, unknown, expired or revoked
   *     token
   */
  public Caller authenticate(String bearer) {
    if (!wellFormed(bearer)) {
      throw unauthenticated();
    }
    byte[] hash = sha256(bearer);
    Optional<Authenticated> a =
        Blocking.get(
            cache,
            ByteBuffer.wrap(hash),
            h ->
                tokens
                    .findByHash(hash)
                    .flatMap(
                        t ->
                            principals
                                .find(t.tenant(), t.principal())
                                .map(p -> new Authenticated(t, p.asCaller()))));
    if (a.isEmpty() || !a.get().token().validAt(clock.instant())) {
      throw unauthenticated();
    }
    return a.get().caller();
  }

  /**
   * Creates the {@code system} tenant and its {@code admin} platform administrator if missing.
   *
   * @param issueToken issue a fresh admin token even if the admin already existed
   * @return a token when the admin was created now or {@code issueToken} is set
   */
  public Optional<IssuedToken> bootstrap(boolean issueToken, Duration ttl) {
    Instant now = clock.instant();
    if (tenants.find(Tenant.SYSTEM).isEmpty()) {
      try {
        tenants.create(new Tenant(Tenant.SYSTEM, "platform administrators", now));
      } catch (KmsException e) {
        if (e.code() != ErrorCode.ALREADY_EXISTS) {
          throw e;
        }
      }
    }
    boolean created = false;
    if (principals.find(Tenant.SYSTEM, ADMIN_PRINCIPAL).isEmpty()) {
      try {
        principals.create(
            new Principal(Tenant.SYSTEM, ADMIN_PRINCIPAL, Set.of(Role.PLATFORM_ADMIN), now));
        created = true;
      } catch (KmsException e) {
        if (e.code() != ErrorCode.ALREADY_EXISTS) {
          throw e;
        }
      }
    }
    if (created || issueToken) {
      return Optional.of(issue(Tenant.SYSTEM, ADMIN_PRINCIPAL, ttl, "bootstrap admin token"));
    }
    return Optional.empty();
  }

  /**
   * @throws KmsException PERMISSION_DENIED unless a platform admin; ALREADY_EXISTS;
   *     INVALID_ARGUMENT
   */
  public Tenant createTenant(Caller caller, String name, String description) {
    Access.requireRole(caller, "create-tenant", Role.PLATFORM_ADMIN);
    Tenant.checkName(name);
    checkDescription(description);
    Tenant t = new Tenant(name, description, clock.instant());
    try {
      tenants.create(t);
    } catch (KmsException e) {
      if (e.code() == ErrorCode.ALREADY_EXISTS) {
        throw new KmsException(ErrorCode.ALREADY_EXISTS, "tenant '" + name + "' already exists");
      }
      throw e;
    }
    return t;
  }

  public Page<Tenant> listTenants(Caller caller, Integer pageSize, String pageToken) {
    Access.requireRole(caller, "list-tenants", Role.PLATFORM_ADMIN);
    int size = PageTokens.pageSize(pageSize);
    return PageTokens.page(
        tenants.list(PageTokens.decode(pageToken), size + 1), size, Tenant::name);
  }

  /**
   * Creates a principal and issues its first token.
   *
   * @throws KmsException PERMISSION_DENIED (platform-admin may only be granted in the system
   *     tenant, by a platform admin), NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT
   */
  public IssuedToken createPrincipal(
      Caller caller, String tenant, String name, Set<Role> roles, Duration ttl) {
    Access.requireAdminOf(caller, tenant, Access.tenantMissing(tenant), "create-principal");
    Principal.checkName(name);
    if (roles == null || roles.isEmpty()) {
      throw KmsException.invalidArgument("roles must name at least one role");
    }
    if (roles.contains(Role.PLATFORM_ADMIN)
        && (!Tenant.SYSTEM.equals(tenant) || !caller.has(Role.PLATFORM_ADMIN))) {
      throw KmsException.permissionDenied(
          "platform-admin can only be granted in the system tenant, by a platform admin");
    }
    requireTenant(tenant);
    checkTtl(ttl);
    try {
      principals.create(new Principal(tenant, name, roles, clock.instant()));
    } catch (KmsException e) {
      if (e.code() == ErrorCode.ALREADY_EXISTS) {
        throw new KmsException(
            ErrorCode.ALREADY_EXISTS,
            "principal '" + name + "' already exists in tenant '" + tenant + "'");
      }
      throw e;
    }
    return issue(tenant, name, ttl, "first token");
  }

  /**
   * Issues another token for a principal.
   *
   * @throws KmsException NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT
   */
  public IssuedToken issueToken(
      Caller caller, String tenant, String principal, Duration ttl, String description) {
    Access.requireAdminOf(caller, tenant, principalMissing(tenant, principal), "issue-token");
    checkDescription(description);
    if (principals.find(tenant, principal).isEmpty()) {
      throw KmsException.notFound(principalMissing(tenant, principal));
    }
    return issue(tenant, principal, ttl, description);
  }

  /**
   * Revokes a token at once on this node (and within the cache TTL on others).
   *
   * @throws KmsException NOT_FOUND, PERMISSION_DENIED
   */
  public void revokeToken(Caller caller, String tenant, String principal, String id) {
    String missing = "token '" + id + "' not found for principal '" + principal + "'";
    Access.requireAdminOf(caller, tenant, missing, "revoke-token");
    if (!tokens.revoke(tenant, principal, id, clock.instant())) {
      throw KmsException.notFound(missing);
    }
    cache.asMap().values().removeIf(a -> a.isPresent() && a.get().token().id().equals(id));
  }

  private IssuedToken issue(String tenant, String principal, Duration ttl, String description) {
    Duration life = checkTtl(ttl);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byte[] idBytes = new byte[8];
    random.nextBytes(idBytes);
    Instant now = clock.instant();
    TokenRecord rec =
        new TokenRecord(
            HexFormat.of().formatHex(idBytes),
            tenant,
            principal,
            sha256(token),
            description,
            now,
            now.plus(life),
            null);
    tokens.create(rec);
    return new IssuedToken(token, rec);
  }

  private static Duration checkTtl(Duration ttl) {
    Duration life = ttl == null ? DEFAULT_TOKEN_TTL : ttl;
    if (life.compareTo(MIN_TOKEN_TTL) < 0 || life.compareTo(MAX_TOKEN_TTL) > 0) {
      throw KmsException.invalidArgument("ttl must be between PT1M and P365D");
    }
    return life;
  }

  private void requireTenant(String tenant) {
    if (tenants.find(tenant).isEmpty()) {
      throw KmsException.notFound(Access.tenantMissing(tenant));
    }
  }

  private static String principalMissing(String tenant, String principal) {
    return "principal '" + principal + "' not found in tenant '" + tenant + "'";
  }

  private static void checkDescription(String description) {
    if (description != null && description.length() > DESCRIPTION_MAX) {
      throw KmsException.invalidArgument("description must be at most 256 characters");
    }
  }

  private static KmsException unauthenticated() {
    return new KmsException(
        ErrorCode.UNAUTHENTICATED,
        "a valid bearer token is required (missing, expired or revoked)");
  }

  /** {@code srt_} and 43 characters of unpadded base64url: the form of every issued token. */
  static boolean wellFormed(String bearer) {
    if (bearer == null || bearer.length() != TOKEN_LENGTH || !bearer.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < TOKEN_LENGTH; i++) {
      char c = bearer.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static byte[] sha256(String token) {
    // digest() resets the thread's instance for the next token
    return SHA256.get().digest(token.getBytes(StandardCharsets.US_ASCII));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.strongroom.client;

import io.strongroom.api.ApiPaths;
import io.strongroom.api.AuditMessages.AuditList;
import io.strongroom.api.AuditMessages.AuditRecordResponse;
import io.strongroom.api.AuditMessages.VerifyResponse;
import io.strongroom.api.CryptoMessages.BatchItem;
import io.strongroom.api.CryptoMessages.BatchRequest;
import io.strongroom.api.CryptoMessages.BatchResponse;
import io.strongroom.api.CryptoMessages.DataKeyResponse;
import io.strongroom.api.CryptoMessages.DecryptRequest;
import io.strongroom.api.CryptoMessages.DecryptResponse;
import io.strongroom.api.CryptoMessages.EncryptRequest;
import io.strongroom.api.CryptoMessages.EncryptResponse;
import io.strongroom.api.CryptoMessages.GenerateDataKeyRequest;
import io.strongroom.api.CryptoMessages.ReEncryptRequest;
import io.strongroom.api.CryptoMessages.ReEncryptResponse;
import io.strongroom.api.KeyMessages.CreateKeyRequest;
import io.strongroom.api.KeyMessages.KeyList;
import io.strongroom.api.KeyMessages.KeyResponse;
import io.strongroom.api.KeyMessages.ScheduleDestroyRequest;
import io.strongroom.api.KeyMessages.UpdateKeyRequest;
import io.strongroom.api.KeyMessages.VersionList;
import io.strongroom.api.KeyMessages.VersionResponse;
import io.strongroom.api.TenantMessages.CreatePrincipalRequest;
import io.strongroom.api.TenantMessages.CreateTenantRequest;
import io.strongroom.api.TenantMessages.IssueTokenRequest;
import io.strongroom.api.TenantMessages.PrincipalResponse;
import io.strongroom.api.TenantMessages.TenantList;
import io.strongroom.api.TenantMessages.TenantResponse;
import io.strongroom.api.TenantMessages.TokenResponse;
import io.strongroom.client.envelope.DataKeySource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The client of the Strongroom REST API (DESIGN.md §5): every operation, synchronous and
 * asynchronous ({@code …Async}, returning a {@link CompletableFuture}), over the JDK's {@link
 * HttpClient} (HTTP/2 over TLS 1.3).
 *
 * <pre>{@code
 * try (StrongroomClient client = StrongroomClient.builder()
 *     .endpoint(URI.create("https://kms.internal:8443"))
 *     .caCertificate(Path.of("/etc/strongroom/ca.pem"))
 *     .tokenSupplier(() -> Files.readString(tokenFile).strip())   // read per request: rotates
 *     .build()) {
 *   EncryptResult sealed = client.encrypt("acme", "orders", secret, Map.of("table", "orders"));
 *   DecryptResult opened = client.decrypt("acme", sealed.ciphertext(), Map.of("table", "orders"));
 * }
 * }</pre>
 *
 * <h2>Shape</h2>
 *
 * One flat client: every method names its tenant first and its key second, like the REST paths.
 * Request and response types are the records of {@code io.strongroom.api} (the wire contract); the
 * crypto operations also have overloads that take and return bytes ({@link EncryptResult}, {@link
 * DecryptResult}, {@link DataKeyResult}, {@link ReEncryptResult}), doing the base64 here. Key
 * lifecycle methods take an optional {@code expectedRevision}: sent as {@code If-Match}, so the
 * change applies only if the key is still at that revision ({@link ConflictException} otherwise).
 * Paged lists return one page ({@code listKeys}) or walk all pages lazily ({@code listAllKeys}).
 *
 * <p>The client is also a {@link DataKeySource} for the {@code EnvelopeEncryptor}, on the tenant
 * given to {@link Builder#tenant} (or any tenant through {@link #dataKeySource(String)}).
 *
 * <h2>Errors</h2>
 *
 * Every method throws an unchecked {@link StrongroomException}: a subclass per error code ({@link
 * NotFoundException}, {@link InvalidCiphertextException}, ...) carrying the code, HTTP status and
 * request id, or {@link StrongroomConnectionException} when no answer came. The {@code …Async}
 * methods complete their future exceptionally with the same exceptions. Messages never hold
 * plaintext, key material or tokens, and the results holding secrets redact them in {@code
 * toString}.
 *
 * <h2>Retries</h2>
 *
 * Transient failures — {@code UNAVAILABLE} (503), {@code RESOURCE_EXHAUSTED} (429) and failures
 * without an answer (refused or lost connection, an attempt timing out) — are retried by the client
 * with capped, fully jittered exponential backoff ({@link RetryPolicy}; default 3 attempts, 100 ms
 * base, 2 s cap; {@code Retry-After} is honoured up to the cap), <b>only for operations that are
 * safe to repeat</b>:
 *
 * <ul>
 *   <li>every read ({@code GET}: get, list, health, ready);
 *   <li>encrypt, decrypt, generate-data-key, re-encrypt and batch (repeating them makes a new
 *       ciphertext or data key but changes no state), and audit verify;
 *   <li>key and version lifecycle calls and updates that carry an {@code expectedRevision} ({@code
 *       If-Match}): a repeat of a change that did happen answers {@link ConflictException} instead
 *       of changing the key twice.
 * </ul>
 *
 * Not retried, because a repeat could act twice or turn a success into a spurious error: creating a
 * tenant, principal or key, issuing or revoking a token, and lifecycle calls without {@code
 * expectedRevision} (e.g. a rotate that might rotate twice). For those, a {@link
 * StrongroomConnectionException} or {@link UnavailableException} means the outcome is unknown. The
 * exception is {@code RESOURCE_EXHAUSTED}, retried for every operation: the server answers it
 * before handling a request (it is at its bound of requests in flight), so nothing happened. Every
 * attempt gets the full {@linkplain Builder#requestTimeout request timeout} and a fresh token from
 * the {@linkplain Builder#tokenSupplier token supplier}.
 *
 * <h2>Threads</h2>
 *
 * The client is immutable and thread-safe; share one per endpoint and {@link #close()} it when
 * done. Asynchronous calls run on the builder's {@linkplain Builder#executor executor} (by default
 * the HTTP client's own threads).
 */
public final class StrongroomClient implements DataKeySource, AutoCloseable {
  private static final Object[] NONE = new Object[0];

  private final Transport transport;
  private final String defaultTenant;

  /** The transport, for tests of how the client was built. */
  Transport transport() {
    return transport;
  }

  private StrongroomClient(Transport transport, String defaultTenant) {
    this.transport = transport;
    this.defaultTenant = defaultTenant;
  }

  /** A new builder; {@link Builder#endpoint} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The tenant of the {@link DataKeySource} methods, or null when none was configured. */
  public String defaultTenant() {
    return defaultTenant;
  }

  // =============================== tenants, principals, tokens ===============================

  /** Creates a tenant (platform admin). Not retried. */
  public TenantResponse createTenant(String name, String description) {
    return run(createTenantCall(name, description));
  }

  public CompletableFuture<TenantResponse> createTenantAsync(String name, String description) {
    return runAsync(createTenantCall(name, description));
  }

  /** The first page of tenants (platform admin). */
  public TenantList listTenants() {
    return listTenants(null, null);
  }

  /**
   * One page of tenants (platform admin).
   *
   * @param pageSize 1–1000, or null for the server's default (100)
   * @param pageToken the previous page's {@code nextPageToken}, or null for the first page
   */
  public TenantList listTenants(Integer pageSize, String pageToken) {
    return run(listTenantsCall(pageSize, pageToken));
  }

  public CompletableFuture<TenantList> listTenantsAsync(Integer pageSize, String pageToken) {
    return runAsync(listTenantsCall(pageSize, pageToken));
  }

  /** Every tenant, fetching pages lazily as the stream is consumed. */
  public Stream<TenantResponse> listAllTenants() {
    return pages(t -> listTenants(null, t), TenantList::tenants, TenantList::nextPageToken);
  }

  /**
   * Creates a principal with roles; its first token is in the answer, this once. Not retried.
   *
   * @param roles wire names: platform-admin, tenant-admin, key-admin, key-user, auditor
   * @param tokenTtl lifetime of the first token, or null for the server's default (12 h)
   */
  public PrincipalResponse createPrincipal(
      String tenant, String name, List<String> roles, Duration tokenTtl) {
    return run(createPrincipalCall(tenant, name, roles, tokenTtl));
  }

  public CompletableFuture<PrincipalResponse> createPrincipalAsync(
      String tenant, String name, List<String> roles, Duration tokenTtl) {
    return runAsync(createPrincipalCall(tenant, name, roles, tokenTtl));
  }

  /**
   * Issues another token for a principal; the secret is in the answer, this once. Not retried.
   *
   * @param ttl lifetime, or null for the server's default (12 h)
   * @param description for people, or null
   */
  public TokenResponse issueToken(
      String tenant, String principal, Duration ttl, String description) {
    return run(issueTokenCall(tenant, principal, ttl, description));
  }

  public CompletableFuture<TokenResponse> issueTokenAsync(
      String tenant, String principal, Duration ttl, String description) {
    return runAsync(issueTokenCall(tenant, principal, ttl, description));
  }

  /** Revokes a token by its public id (not the secret). Not retried. */
  public void revokeToken(String tenant, String principal, String tokenId) {
    run(revokeTokenCall(tenant, principal, tokenId));
  }

  public CompletableFuture<Void> revokeTokenAsync(String tenant, String principal, String tokenId) {
    return runAsync(revokeTokenCall(tenant, principal, tokenId));
  }

  // ========================================== keys ==========================================

  /** Creates a SOFTWARE key without scheduled rotation. Not retried. */
  public KeyResponse createKey(String tenant, String name) {
    return createKey(tenant, new CreateKeyRequest(name, "SOFTWARE", null, null, null));
  }

  /** Creates a key with its first version, primary and enabled (key admin). Not retried. */
  public KeyResponse createKey(String tenant, CreateKeyRequest request) {
    return run(createKeyCall(tenant, request));
  }

  public CompletableFuture<KeyResponse> createKeyAsync(String tenant, CreateKeyRequest request) {
    return runAsync(createKeyCall(tenant, request));
  }

  /** The first page of the tenant's keys. */
  public KeyList listKeys(String tenant) {
    return listKeys(tenant, null, null);
  }

  /** One page of the tenant's keys (see {@link #listTenants(Integer, String)} for paging). */
  public KeyList listKeys(String tenant, Integer pageSize, String pageToken) {
    return run(listKeysCall(tenant, pageSize, pageToken));
  }

  public CompletableFuture<KeyList> listKeysAsync(
      String tenant, Integer pageSize, String pageToken) {
    return runAsync(listKeysCall(tenant, pageSize, pageToken));
  }

  /** Every key of the tenant, fetching pages lazily as the stream is consumed. */
  public Stream<KeyResponse> listAllKeys(String tenant) {
    Objects.requireNonNull(tenant, "tenant");
    return pages(t -> listKeys(tenant, null, t), KeyList::keys, KeyList::nextPageToken);
  }

  public KeyResponse getKey(String tenant, String key) {
    return run(getKeyCall(tenant, key));
  }

  public CompletableFuture<KeyResponse> getKeyAsync(String tenant, String key) {
    return runAsync(getKeyCall(tenant, key));
  }

  /**
   * Changes a key's rotation period, description, labels or floors (null fields stay as they are).
   *
   * @param expectedRevision the revision the change expects ({@code If-Match}), or null to apply to
   *     the current one; with it the call is retried on transient failures
   */
  public KeyResponse updateKey(
      String tenant, String key, UpdateKeyRequest request, Long expectedRevision) {
    return run(updateKeyCall(tenant, key, request, expectedRevision));
  }

  public CompletableFuture<KeyResponse> updateKeyAsync(
      String tenant, String key, UpdateKeyRequest request, Long expectedRevision) {
    return runAsync(updateKeyCall(tenant, key, request, expectedRevision));
  }

  public KeyResponse enableKey(String tenant, String key) {
    return enableKey(tenant, key, null);
  }

  /** Enables a disabled key. {@code expectedRevision}: see {@link #updateKey}. */
  public KeyResponse enableKey(String tenant, String key, Long expectedRevision) {
    return run(keyLifecycleCall("enable-key", "enable", tenant, key, null, expectedRevision));
  }

  public CompletableFuture<KeyResponse> enableKeyAsync(
      String tenant, String key, Long expectedRevision) {
    return runAsync(keyLifecycleCall("enable-key", "enable", tenant, key, null, expectedRevision));
  }

  public KeyResponse disableKey(String tenant, String key) {
    return disableKey(tenant, key, null);
  }

  /** Disables a key: it neither encrypts nor decrypts until enabled again. */
  public KeyResponse disableKey(String tenant, String key, Long expectedRevision) {
    return run(keyLifecycleCall("disable-key", "disable", tenant, key, null, expectedRevision));
  }

  public CompletableFuture<KeyResponse> disableKeyAsync(
      String tenant, String key, Long expectedRevision) {
    return runAsync(
        keyLifecycleCall("disable-key", "disable", tenant, key, null, expectedRevision));
  }

  /** Rotates a key. Not retried (a repeat could rotate twice); see the overload with revision. */
  public KeyResponse rotateKey(String tenant, String key) {
    return rotateKey(tenant, key, null);
  }

  /**
   * Creates a new version and makes it primary. With {@code expectedRevision} the call is retried
   * on transient failures (a repeat answers {@link ConflictException} rather than rotating twice).
   */
  public KeyResponse rotateKey(String tenant, String key, Long expectedRevision) {
    return run(keyLifecycleCall("rotate-key", "rotate", tenant, key, null, expectedRevision));
  }

  public CompletableFuture<KeyResponse> rotateKeyAsync(
      String tenant, String key, Long expectedRevision) {
    return runAsync(keyLifecycleCall("rotate-key", "rotate", tenant, key, null, expectedRevision));
  }

  /**
   * Schedules the key's destruction.
   *
   * @param pendingDays 7–30, or null for the server's default (30)
   */
  public KeyResponse scheduleKeyDestroy(
      String tenant, String key, Integer pendingDays, Long expectedRevision) {
    return run(
        keyLifecycleCall(
            "schedule-destroy-key",
            "schedule-destroy",
            tenant,
            key,
            pendingDays == null ? null : new ScheduleDestroyRequest(pendingDays),
            expectedRevision));
  }

  public CompletableFuture<KeyResponse> scheduleKeyDestroyAsync(
      String tenant, String key, Integer pendingDays, Long expectedRevision) {
    return runAsync(
        keyLifecycleCall(
            "schedule-destroy-key",
            "schedule-destroy",
            tenant,
            key,
            pendingDays == null ? null : new ScheduleDestroyRequest(pendingDays),
            expectedRevision));
  }

  /** Cancels a key's scheduled destruction. */
  public KeyResponse cancelKeyDestroy(String tenant, String key, Long expectedRevision) {
    return run(
        keyLifecycleCall(
            "cancel-destroy-key", "cancel-destroy", tenant, key, null, expectedRevision));
  }

  public CompletableFuture<KeyResponse> cancelKeyDestroyAsync(
      String tenant, String key, Long expectedRevision) {
    return runAsync(
        keyLifecycleCall(
            "cancel-destroy-key", "cancel-destroy", tenant, key, null, expectedRevision));
  }

  // ======================================== versions ========================================

  /** Every version of a key (not paged). */
  public VersionList listVersions(String tenant, String key) {
    return run(listVersionsCall(tenant, key));
  }

  public CompletableFuture<VersionList> listVersionsAsync(String tenant, String key) {
    return runAsync(listVersionsCall(tenant, key));
  }

  public VersionResponse getVersion(String tenant, String key, int version) {
    return run(getVersionCall(tenant, key, version));
  }

  public CompletableFuture<VersionResponse> getVersionAsync(
      String tenant, String key, int version) {
    return runAsync(getVersionCall(tenant, key, version));
  }

  /** Enables a disabled version. {@code expectedRevision} is the key's revision, or null. */
  public VersionResponse enableVersion(
      String tenant, String key, int version, Long expectedRevision) {
    return run(
        versionCall("enable-version", "enable", tenant, key, version, null, expectedRevision));
  }

  public CompletableFuture<VersionResponse> enableVersionAsync(
      String tenant, String key, int version, Long expectedRevision) {
    return runAsync(
        versionCall("enable-version", "enable", tenant, key, version, null, expectedRevision));
  }

  /** Disables a version: blobs it made no longer decrypt until it is enabled again. */
  public VersionResponse disableVersion(
      String tenant, String key, int version, Long expectedRevision) {
    return run(
        versionCall("disable-version", "disable", tenant, key, version, null, expectedRevision));
  }

  public CompletableFuture<VersionResponse> disableVersionAsync(
      String tenant, String key, int version, Long expectedRevision) {
    return runAsync(
        versionCall("disable-version", "disable", tenant, key, version, null, expectedRevision));
  }

  /** Makes an enabled version the one that encrypts. */
  public VersionResponse makePrimary(
      String tenant, String key, int version, Long expectedRevision) {
    return run(
        versionCall("make-primary", "make-primary", tenant, key, version, null, expectedRevision));
  }

  public CompletableFuture<VersionResponse> makePrimaryAsync(
      String tenant, String key, int version, Long expectedRevision) {
    return runAsync(
        versionCall("make-primary", "make-primary", tenant, key, version, null, expectedRevision));
  }

  /**
   * Schedules a non-primary version's destruction.
   *
   * @param pendingDays 7–30, or null for the server's default (30)
   */
  public VersionResponse scheduleVersionDestroy(
      String tenant, String key, int version, Integer pendingDays, Long expectedRevision) {
    return run(
        versionCall(
            "schedule-destroy-version",
            "schedule-destroy",
            tenant,
            key,
            version,
            pendingDays == null ? null : new ScheduleDestroyRequest(pendingDays),
            expectedRevision));
  }

  public CompletableFuture<VersionResponse> scheduleVersionDestroyAsync(
      String tenant, String key, int version, Integer pendingDays, Long expectedRevision) {
    return runAsync(
        versionCall(
            "schedule-destroy-version",
            "schedule-destroy",
            tenant,
            key,
            version,
            pendingDays == null ? null : new ScheduleDestroyRequest(pendingDays),
            expectedRevision));
  }

  /** Cancels a version's scheduled destruction; it returns DISABLED. */
  public VersionResponse cancelVersionDestroy(
      String tenant, String key, int version, Long expectedRevision) {
    return run(
        versionCall(
            "cancel-destroy-version",
            "cancel-destroy",
            tenant,
            key,
            version,
            null,
            expectedRevision));
  }

  public CompletableFuture<VersionResponse> cancelVersionDestroyAsync(
      String tenant, String key, int version, Long expectedRevision) {
    return runAsync(
        versionCall(
            "cancel-destroy-version",
            "cancel-destroy",
            tenant,
            key,
            version,
            null,
            expectedRevision));
  }

  // ========================================= crypto =========================================

  /**
   * Encrypts up to 64 KiB under the key's primary version, bound to {@code context} (null for
   * none). Retried on transient failures.
   */
  public EncryptResult encrypt(
      String tenant, String key, byte[] plaintext, Map<String, String> context) {
    return run(encryptBytesCall(tenant, key, plaintext, context));
  }

  public CompletableFuture<EncryptResult> encryptAsync(
      String tenant, String key, byte[] plaintext, Map<String, String> context) {
    return runAsync(encryptBytesCall(tenant, key, plaintext, context));
  }

  /** Encrypt with the wire records (plaintext in base64). */
  public EncryptResponse encrypt(String tenant, String key, EncryptRequest request) {
    return run(encryptCall(tenant, key, request));
  }

  public CompletableFuture<EncryptResponse> encryptAsync(
      String tenant, String key, EncryptRequest request) {
    return runAsync(encryptCall(tenant, key, request));
  }

  /** A 32-byte data key, in plaintext and wrapped. */
  public DataKeyResult generateDataKey(String tenant, String key, Map<String, String> context) {
    return generateDataKey(tenant, key, 32, context, true);
  }

  /**
   * Generates a random data key under {@code key}'s primary version. Retried on transient failures.
   *
   * @param bytes 16–64
   * @param includePlaintext false to get only the wrapped key (to hand to someone else)
   */
  public DataKeyResult generateDataKey(
      String tenant, String key, int bytes, Map<String, String> context, boolean includePlaintext) {
    return run(dataKeyBytesCall(tenant, key, bytes, context, includePlaintext));
  }

  public CompletableFuture<DataKeyResult> generateDataKeyAsync(
      String tenant, String key, int bytes, Map<String, String> context, boolean includePlaintext) {
    return runAsync(dataKeyBytesCall(tenant, key, bytes, context, includePlaintext));
  }

  /** Generate-data-key with the wire records. */
  public DataKeyResponse generateDataKey(
      String tenant, String key, GenerateDataKeyRequest request) {
    return run(dataKeyCall(tenant, key, request));
  }

  public CompletableFuture<DataKeyResponse> generateDataKeyAsync(
      String tenant, String key, GenerateDataKeyRequest request) {
    return runAsync(dataKeyCall(tenant, key, request));
  }

  /**
   * Decrypts a blob made in this tenant with the same {@code context}; the blob names its key and
   * version. A tampered or foreign blob and a wrong context all throw {@link
   * InvalidCiphertextException}. Retried on transient failures.
   */
  public DecryptResult decrypt(String tenant, byte[] ciphertext, Map<String, String> context) {
    return run(decryptBytesCall(tenant, ciphertext, context));
  }

  public CompletableFuture<DecryptResult> decryptAsync(
      String tenant, byte[] ciphertext, Map<String, String> context) {
    return runAsync(decryptBytesCall(tenant, ciphertext, context));
  }

  /** Decrypt with the wire records. */
  public DecryptResponse decrypt(String tenant, DecryptRequest request) {
    return run(decryptCall(tenant, request));
  }

  public CompletableFuture<DecryptResponse> decryptAsync(String tenant, DecryptRequest request) {
    return runAsync(decryptCall(tenant, request));
  }

  /**
   * Decrypts and encrypts again inside the server (the plaintext never leaves it). Retried on
   * transient failures.
   *
   * @param destinationKey null for the same key (its current primary version)
   * @param destinationContext null for the same context
   */
  public ReEncryptResult reEncrypt(
      String tenant,
      byte[] ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext) {
    return run(reEncryptBytesCall(tenant, ciphertext, context, destinationKey, destinationContext));
  }

  public CompletableFuture<ReEncryptResult> reEncryptAsync(
      String tenant,
      byte[] ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext) {
    return runAsync(
        reEncryptBytesCall(tenant, ciphertext, context, destinationKey, destinationContext));
  }

  /** Re-encrypt with the wire records. */
  public ReEncryptResponse reEncrypt(String tenant, ReEncryptRequest request) {
    return run(reEncryptCall(tenant, request));
  }

  public CompletableFuture<ReEncryptResponse> reEncryptAsync(
      String tenant, ReEncryptRequest request) {
    return runAsync(reEncryptCall(tenant, request));
  }

  /**
   * Up to 1000 encrypt, decrypt, generate-data-key and re-encrypt items (build them with {@link
   * BatchItems}); one result per item, in order, each with its fields or its own {@code error}
   * ({@link StrongroomException#of} makes it typed). Retried on transient failures of the whole
   * call.
   */
  public BatchResponse batch(String tenant, List<BatchItem> items) {
    return run(batchCall(tenant, new BatchRequest(List.copyOf(items))));
  }

  public CompletableFuture<BatchResponse> batchAsync(String tenant, List<BatchItem> items) {
    return runAsync(batchCall(tenant, new BatchRequest(List.copyOf(items))));
  }

  // ========================================= audit ==========================================

  /** The first page of the tenant's audit records, oldest first. */
  public AuditList listAudit(String tenant) {
    return listAudit(tenant, null, null);
  }

  /** One page of the tenant's audit records, oldest first. */
  public AuditList listAudit(String tenant, Integer pageSize, String pageToken) {
    return run(listAuditCall(tenant, pageSize, pageToken));
  }

  public CompletableFuture<AuditList> listAuditAsync(
      String tenant, Integer pageSize, String pageToken) {
    return runAsync(listAuditCall(tenant, pageSize, pageToken));
  }

  /**
   * The tenant's audit records, oldest first, fetching pages lazily (records appended while the
   * stream is consumed may be included).
   */
  public Stream<AuditRecordResponse> listAllAudit(String tenant) {
    Objects.requireNonNull(tenant, "tenant");
    return pages(t -> listAudit(tenant, null, t), AuditList::records, AuditList::nextPageToken);
  }

  /** Recomputes the whole audit chain (platform admin, or auditor of the system tenant). */
  public VerifyResponse verifyAudit() {
    return run(verifyAuditCall());
  }

  public CompletableFuture<VerifyResponse> verifyAuditAsync() {
    return runAsync(verifyAuditCall());
  }

  // ====================================== operations ========================================

  /** Liveness ({@code /healthz}; no token sent). */
  public HealthStatus health() {
    return run(healthCall(ApiPaths.HEALTH, "health"));
  }

  public CompletableFuture<HealthStatus> healthAsync() {
    return runAsync(healthCall(ApiPaths.HEALTH, "health"));
  }

  /**
   * Readiness ({@code /readyz}; no token sent): status DOWN (the server's 503) is returned, not
   * thrown.
   */
  public HealthStatus ready() {
    return run(healthCall(ApiPaths.READY, "ready"));
  }

  public CompletableFuture<HealthStatus> readyAsync() {
    return runAsync(healthCall(ApiPaths.READY, "ready"));
  }

  // ===================================== DataKeySource ======================================

  /**
   * A data key under {@code keyName} of the {@linkplain Builder#tenant default tenant}, with its
   * plaintext.
   *
   * @throws IllegalStateException when the builder was given no tenant
   */
  @Override
  public DataKey generateDataKey(String keyName, int bytes, Map<String, String> context) {
    return dataKeySource(requireDefaultTenant()).generateDataKey(keyName, bytes, context);
  }

  /**
   * Unwraps a data key blob of the {@linkplain Builder#tenant default tenant}.
   *
   * @throws IllegalStateException when the builder was given no tenant
   */
  @Override
  public byte[] decryptDataKey(byte[] ciphertext, Map<String, String> context) {
    return dataKeySource(requireDefaultTenant()).decryptDataKey(ciphertext, context);
  }

  /** A {@link DataKeySource} on {@code tenant}, backed by this client (not to be closed). */
  public DataKeySource dataKeySource(String tenant) {
    Objects.requireNonNull(tenant, "tenant");
    return new DataKeySource() {
      @Override
      public DataKey generateDataKey(String keyName, int bytes, Map<String, String> context) {
        DataKeyResult r =
            StrongroomClient.this.generateDataKey(tenant, keyName, bytes, context, true);
        return new DataKey(r.plaintext(), r.ciphertext());
      }

      @Override
      public byte[] decryptDataKey(byte[] ciphertext, Map<String, String> context) {
        return decrypt(tenant, ciphertext, context).plaintext();
      }

      @Override
      public String toString() {
        return "DataKeySource[tenant=" + tenant + "]";
      }
    };
  }

  private String requireDefaultTenant() {
    if (defaultTenant == null) {
      throw new IllegalStateException(
          "no default tenant: set StrongroomClient.Builder.tenant(...) or use dataKeySource(tenant)");
    }
    return defaultTenant;
  }

  /**
   * Closes the HTTP client: waits up to 5 s for calls in flight, then aborts them. Calls made after
   * closing throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    transport.close();
  }

  @Override
  public String toString() {
    return "StrongroomClient[" + (transport.isClosed() ? "closed" : "open") + "]";
  }

  // ====================================== call specs ========================================

  private <T> T run(Transport.Call<T> call) {
    return transport.execute(call);
  }

  private <T> CompletableFuture<T> runAsync(Transport.Call<T> call) {
    return transport.executeAsync(call);
  }

  private static Object[] p(Object... values) {
    return values;
  }

  private static Transport.Call<TenantResponse> createTenantCall(String name, String description) {
    Objects.requireNonNull(name, "name");
    return Transport.call(
        "create-tenant",
        "POST",
        ApiPaths.TENANTS,
        new CreateTenantRequest(name, description),
        null,
        false,
        TenantResponse.class);
  }

  private static Transport.Call<TenantList> listTenantsCall(Integer pageSize, String pageToken) {
    return Transport.call(
        "list-tenants",
        "GET",
        Transport.path(ApiPaths.TENANTS, NONE, "pageSize", pageSize, "pageToken", pageToken),
        null,
        null,
        true,
        TenantList.class);
  }

  private static Transport.Call<PrincipalResponse> createPrincipalCall(
      String tenant, String name, List<String> roles, Duration tokenTtl) {
    Objects.requireNonNull(name, "name");
    return Transport.call(
        "create-principal",
        "POST",
        Transport.path(ApiPaths.PRINCIPALS, p(tenant)),
        new CreatePrincipalRequest(
            name, roles == null ? List.of() : List.copyOf(roles), iso(tokenTtl)),
        null,
        false,
        PrincipalResponse.class);
  }

  private static Transport.Call<TokenResponse> issueTokenCall(
      String tenant, String principal, Duration ttl, String description) {
    return Transport.call(
        "issue-token",
        "POST",
        Transport.path(ApiPaths.TOKENS, p(tenant, principal)),
        ttl == null && description == null ? null : new IssueTokenRequest(iso(ttl), description),
        null,
        false,
        TokenResponse.class);
  }

  private static Transport.Call<Void> revokeTokenCall(
      String tenant, String principal, String tokenId) {
    return Transport.call(
        "revoke-token",
        "DELETE",
        Transport.path(ApiPaths.TOKEN, p(tenant, principal, tokenId)),
        null,
        null,
        false,
        Void.class);
  }

  private static Transport.Call<KeyResponse> createKeyCall(
      String tenant, CreateKeyRequest request) {
    Objects.requireNonNull(request, "request");
    return Transport.call(
        "create-key",
        "POST",
        Transport.path(ApiPaths.KEYS, p(tenant)),
        request,
        null,
        false,
        KeyResponse.class);
  }

  private static Transport.Call<KeyList> listKeysCall(
      String tenant, Integer pageSize, String pageToken) {
    return Transport.call(
        "list-keys",
        "GET",
        Transport.path(ApiPaths.KEYS, p(tenant), "pageSize", pageSize, "pageToken", pageToken),
        null,
        null,
        true,
        KeyList.class);
  }

  private static Transport.Call<KeyResponse> getKeyCall(String tenant, String key) {
    return Transport.call(
        "get-key",
        "GET",
        Transport.path(ApiPaths.KEY, p(tenant, key)),
        null,
        null,
        true,
        KeyResponse.class);
  }

  private static Transport.Call<KeyResponse> updateKeyCall(
      String tenant, String key, UpdateKeyRequest request, Long expectedRevision) {
    Objects.requireNonNull(request, "request");
    return Transport.call(
        "update-key",
        "PATCH",
        Transport.path(ApiPaths.KEY, p(tenant, key)),
        request,
        expectedRevision,
        expectedRevision != null,
        KeyResponse.class);
  }

  private static Transport.Call<KeyResponse> keyLifecycleCall(
      String operation,
      String action,
      String tenant,
      String key,
      Object body,
      Long expectedRevision) {
    return Transport.call(
        operation,
        "POST",
        Transport.path(ApiPaths.KEY + "/" + action, p(tenant, key)),
        body,
        expectedRevision,
        expectedRevision != null,
        KeyResponse.class);
  }

  private static Transport.Call<VersionList> listVersionsCall(String tenant, String key) {
    return Transport.call(
        "list-versions",
        "GET",
        Transport.path(ApiPaths.VERSIONS, p(tenant, key)),
        null,
        null,
        true,
        VersionList.class);
  }

  private static Transport.Call<VersionResponse> getVersionCall(
      String tenant, String key, int version) {
    return Transport.call(
        "get-version",
        "GET",
        Transport.path(ApiPaths.VERSION, p(tenant, key, version)),
        null,
        null,
        true,
        VersionResponse.class);
  }

  private static Transport.Call<VersionResponse> versionCall(
      String operation,
      String action,
      String tenant,
      String key,
      int version,
      Object body,
      Long expectedRevision) {
    return Transport.call(
        operation,
        "POST",
        Transport.path(ApiPaths.VERSION + "/" + action, p(tenant, key, version)),
        body,
        expectedRevision,
        expectedRevision != null,
        VersionResponse.class);
  }

  private static Transport.Call<EncryptResponse> encryptCall(
      String tenant, String key, EncryptRequest request) {
    Objects.requireNonNull(request, "request");
    return Transport.call(
        "encrypt",
        "POST",
        Transport.path(ApiPaths.KEY + "/encrypt", p(tenant, key)),
        request,
        null,
        true,
        EncryptResponse.class);
  }

  private static Transport.Call<EncryptResult> encryptBytesCall(
      String tenant, String key, byte[] plaintext, Map<String, String> context) {
    Objects.requireNonNull(plaintext, "plaintext");
    return encryptCall(tenant, key, new EncryptRequest(b64(plaintext), context))
        .map(r -> new EncryptResult(unb64(r.ciphertext()), r.key(), r.keyVersion()));
  }

  private static Transport.Call<DataKeyResponse> dataKeyCall(
      String tenant, String key, GenerateDataKeyRequest request) {
    return Transport.call(
        "generate-data-key",
        "POST",
        Transport.path(ApiPaths.KEY + "/generate-data-key", p(tenant, key)),
        request,
        null,
        true,
        DataKeyResponse.class);
  }

  private static Transport.Call<DataKeyResult> dataKeyBytesCall(
      String tenant, String key, int bytes, Map<String, String> context, boolean includePlaintext) {
    return dataKeyCall(tenant, key, new GenerateDataKeyRequest(bytes, context, includePlaintext))
        .map(
            r ->
                new DataKeyResult(
                    r.plaintext() == null ? null : unb64(r.plaintext()),
                    unb64(r.ciphertext()),
                    r.key(),
                    r.keyVersion()));
  }

  private static Transport.Call<DecryptResponse> decryptCall(
      String tenant, DecryptRequest request) {
    Objects.requireNonNull(request, "request");
    return Transport.call(
        "decrypt",
        "POST",
        Transport.path(ApiPaths.DECRYPT, p(tenant)),
        request,
        null,
        true,
        DecryptResponse.class);
  }

  private static Transport.Call<DecryptResult> decryptBytesCall(
      String tenant, byte[] ciphertext, Map<String, String> context) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    return decryptCall(tenant, new DecryptRequest(b64(ciphertext), context))
        .map(r -> new DecryptResult(unb64(r.plaintext()), r.key(), r.keyVersion()));
  }

  private static Transport.Call<ReEncryptResponse> reEncryptCall(
      String tenant, ReEncryptRequest request) {
    Objects.requireNonNull(request, "request");
    return Transport.call(
        "re-encrypt",
        "POST",
        Transport.path(ApiPaths.RE_ENCRYPT, p(tenant)),
        request,
        null,
        true,
        ReEncryptResponse.class);
  }

  private static Transport.Call<ReEncryptResult> reEncryptBytesCall(
      String tenant,
      byte[] ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    return reEncryptCall(
            tenant,
            new ReEncryptRequest(b64(ciphertext), context, destinationKey, destinationContext))
        .map(
            r ->
                new ReEncryptResult(
                    unb64(r.ciphertext()),
                    r.key(),
                    r.keyVersion(),
                    r.sourceKey(),
                    r.sourceKeyVersion()));
  }

  private static Transport.Call<BatchResponse> batchCall(String tenant, BatchRequest request) {
    return Transport.call(
        "batch",
        "POST",
        Transport.path(ApiPaths.BATCH, p(tenant)),
        request,
        null,
        true,
        BatchResponse.class);
  }

  private static Transport.Call<AuditList> listAuditCall(
      String tenant, Integer pageSize, String pageToken) {
    return Transport.call(
        "list-audit",
        "GET",
        Transport.path(ApiPaths.AUDIT, p(tenant), "pageSize", pageSize, "pageToken", pageToken),
        null,
        null,
        true,
        AuditList.class);
  }

  private static Transport.Call<VerifyResponse> verifyAuditCall() {
    return Transport.call(
        "verify-audit", "POST", ApiPaths.AUDIT_VERIFY, null, null, true, VerifyResponse.class);
  }

  private static Transport.Call<HealthStatus> healthCall(String path, String operation) {
    return Transport.call(operation, "GET", path, null, null, true, HealthStatus.class)
        .unauthenticated()
        .accepting(503);
  }

  private static String iso(Duration d) {
    return d == null ? null : d.toString();
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static byte[] unb64(String s) {
    if (s == null) {
      throw new StrongroomException(
          StrongroomException.INVALID_RESPONSE, 200, "a binary field is missing", null, null);
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new StrongroomException(
          StrongroomException.INVALID_RESPONSE, 200, "a binary field is not base64", null, null);
    }
  }

  /** A lazy stream over every item of every page, fetching the next page when needed. */
  private static <P, T> Stream<T> pages(
      Function<String, P> fetch, Function<P, List<T>> items, Function<P, String> next) {
    Iterator<T> it =
        new Iterator<>() {
          private Iterator<T> current;
          private String token;
          private boolean last;

          @Override
          public boolean hasNext() {
            while (current == null || !current.hasNext()) {
              if (last) {
                return false;
              }
              P page = fetch.apply(token);
              List<T> list = items.apply(page);
              current = (list == null ? List.<T>of() : list).iterator();
              token = next.apply(page);
              last = token == null || token.isEmpty();
            }
            return true;
          }

          @Override
          public T next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return current.next();
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  // ======================================== builder =========================================

  /**
   * Configures a {@link StrongroomClient}. Required: {@link #endpoint}. Defaults: the JDK's trust
   * store, no token, no client certificate, TLS 1.3 only, HTTP/2, connect timeout 10 s, request
   * timeout (per attempt) 30 s, {@link RetryPolicy#defaults()}.
   *
   * <p>A builder is not thread-safe; the client it builds is.
   */
  public static final class Builder {
    private URI endpoint;
    private Supplier<String> tokens = () -> null;
    private Path caCertificate;
    private KeyStore trustStore;
    private SSLContext sslContext;
    private Path clientCertificateChain;
    private Path clientPrivateKey;
    private KeyStore clientKeyStore;
    private char[] clientKeyStorePassword;
    private List<String> tlsProtocols = List.of("TLSv1.3");
    private Duration connectTimeout = Duration.ofSeconds(10);
    private HttpClient.Version httpVersion = HttpClient.Version.HTTP_2;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private RetryListener retryListener = (op, attempt, delay, failure) -> {};
    private Executor executor;
    private String tenant;

    private Builder() {}

    /** The server, e.g. {@code https://kms.internal:8443}; must be {@code https}. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** Same as {@link #endpoint(URI)}. */
    public Builder endpoint(String endpoint) {
      return endpoint(URI.create(endpoint));
    }

    /** A fixed API token ({@code srt_…}). */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      this.tokens = () -> token;
      return this;
    }

    /**
     * Where to get the API token: called before every attempt of every call, so a token that is
     * rotated (e.g. re-read from a file, or refreshed by a credentials agent) is picked up without
     * rebuilding the client. It must be quick and thread-safe; returning null sends no token.
     */
    public Builder tokenSupplier(Supplier<String> tokenSupplier) {
      this.tokens = Objects.requireNonNull(tokenSupplier, "tokenSupplier");
      return this;
    }

    /**
     * Trust exactly the CA certificate(s) in this PEM file (e.g. the server's {@code tls/ca.pem}),
     * instead of the JDK's trust store.
     */
    public Builder caCertificate(Path pemFile) {
      this.caCertificate = Objects.requireNonNull(pemFile, "pemFile");
      this.trustStore = null;
      return this;
    }

    /** Trust the certificates of this key store instead of the JDK's trust store. */
    public Builder trustStore(KeyStore trustStore) {
      this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
      this.caCertificate = null;
      return this;
    }

    /**
     * A client certificate for mutual TLS: a PEM certificate chain (leaf first) and its unencrypted
     * PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}; RSA, EC or EdDSA).
     *
     * <p>Note: the Strongroom server does not authenticate client certificates yet (DESIGN.md §5
     * names them as a second way); the client presents the certificate when a server or a proxy in
     * front of it asks for one.
     */
    public Builder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
      this.clientCertificateChain = Objects.requireNonNull(certificateChainPem, "chain");
      this.clientPrivateKey = Objects.requireNonNull(privateKeyPem, "privateKey");
      this.clientKeyStore = null;
      return this;
    }

    /**
     * A client certificate for mutual TLS from a key store (e.g. PKCS#12) holding one private key
     * entry; see {@link #clientCertificate(Path, Path)}. The password is copied.
     */
    public Builder clientCertificate(KeyStore keyStore, char[] password) {
      this.clientKeyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.clientKeyStorePassword = password == null ? new char[0] : password.clone();
      this.clientCertificateChain = null;
      this.clientPrivateKey = null;
      return this;
    }

    /**
     * A ready-made SSL context; it replaces {@link #caCertificate}, {@link #trustStore} and {@link
     * #clientCertificate} (for callers with their own key management).
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * The TLS protocol versions to offer; default only {@code TLSv1.3} (the server's default). Add
     * {@code TLSv1.2} only to reach a server or proxy that lacks 1.3.
     */
    public Builder tlsProtocols(String... protocols) {
      if (protocols.length == 0) {
        throw new IllegalArgumentException("at least one TLS protocol");
      }
      this.tlsProtocols = List.of(protocols);
      return this;
    }

    /**
     * The HTTP version; default {@code HTTP_2}, which carries every call over one connection. With
     * {@code HTTP_1_1} the client opens one connection per call in flight and keeps them for reuse:
     * a process that makes many calls at once from many threads spreads them over the server's
     * event loops (one connection is served by one), and the server spends less CPU per request
     * (docs/PERFORMANCE.md). Either is TLS 1.3 only unless {@link #tlsProtocols} says otherwise.
     */
    public Builder httpVersion(HttpClient.Version version) {
      this.httpVersion = Objects.requireNonNull(version, "version");
      return this;
    }

    /** How long to wait for a TCP + TLS connection; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * How long one attempt may wait for its answer; default 30 s. Each retry gets the full time
     * again.
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** How transient failures are retried; {@link RetryPolicy#none()} turns retries off. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Told about every retry (e.g. to log or count them). */
    public Builder retryListener(RetryListener retryListener) {
      this.retryListener = Objects.requireNonNull(retryListener, "retryListener");
      return this;
    }

    /**
     * The executor for the HTTP client's asynchronous work and for delayed retries of {@code
     * …Async} calls; by default the HTTP client's own pool. The client does not shut it down.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The tenant of the {@link DataKeySource} methods (for the {@code EnvelopeEncryptor}). */
    public Builder tenant(String tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalArgumentException when the endpoint is missing or not {@code https}, or a
     *     certificate, key or key store cannot be read
     */
    public StrongroomClient build() {
      if (endpoint == null) {
        throw new IllegalArgumentException("endpoint is required");
      }
      if (!"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "endpoint must be an https URL such as https://127.0.0.1:8443, not " + endpoint);
      }
      if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
        throw new IllegalArgumentException("endpoint must not have a query or fragment");
      }
      SSLContext ssl;
      try {
        ssl = sslContext != null ? sslContext : buildSslContext();
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
      }
      SSLParameters params = new SSLParameters();
      params.setProtocols(tlsProtocols.toArray(new String[0]));
      HttpClient.Builder hb =
          HttpClient.newBuilder()
              .version(httpVersion)
              .sslContext(ssl)
              .sslParameters(params)
              .connectTimeout(connectTimeout)
              .followRedirects(HttpClient.Redirect.NEVER);
      if (executor != null) {
        hb.executor(executor);
      }
      Transport transport =
          new Transport(
              hb.build(), endpoint, tokens, requestTimeout, retryPolicy, retryListener, executor);
      return new StrongroomClient(transport, tenant);
    }

    SSLContext buildSslContext() throws IOException, GeneralSecurityException {
      KeyStore trust = caCertificate != null ? Tls.trustStoreFromPem(caCertificate) : trustStore;
      KeyManager[] keyManagers = null;
      if (clientCertificateChain != null) {
        keyManagers = Tls.keyManagersFromPem(clientCertificateChain, clientPrivateKey);
      } else if (clientKeyStore != null) {
        keyManagers = Tls.keyManagers(clientKeyStore, clientKeyStorePassword);
      }
      return Tls.context(trust, keyManagers);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }
}

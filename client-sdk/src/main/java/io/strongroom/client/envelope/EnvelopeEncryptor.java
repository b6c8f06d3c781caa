package io.strongroom.client.envelope;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Envelope encryption with Strongroom: data of any size is encrypted locally under a data key that
 * the server generates and wraps under a named key, and the result is one self-contained
 * {@linkplain Message message} (format documented in {@link Message} and {@code docs/FORMATS.md}).
 * Decryption asks the server to unwrap the data key and decrypts locally. Data keys are cached,
 * within strict limits, so that most messages need no server call at all.
 *
 * <pre>{@code
 * // client: a StrongroomClient; it is a DataKeySource on its tenant (or client.dataKeySource(t))
 * try (EnvelopeEncryptor envelope =
 *     EnvelopeEncryptor.builder().dataKeys(client).keyName("orders").build()) {
 *   Map<String, String> context = Map.of("table", "orders", "row", "42");
 *   byte[] message = envelope.encrypt(plaintext, context);
 *   byte[] back = envelope.decrypt(message, context);
 * }
 * }</pre>
 *
 * <h2>Messages</h2>
 *
 * <ul>
 *   <li>Each message has its own random 32-byte id. A byte-array message ({@link #encrypt}) is
 *       written in <b>data-key mode</b>: its body is AES-256-GCM under one body key per data key
 *       (derived once, cached with the data key), with a random 96-bit nonce per segment taken from
 *       the id; the cache's exact counting of byte arrays bounds how many nonces one such key sees
 *       (see the limits below). A stream message ({@link #encryptingStream}) is written in
 *       <b>message-key mode</b>: a fresh AES key per message, derived from the id (the key
 *       derivation of XAES-256-GCM), because a stream's length is unknown when it starts. A key
 *       commitment (HMAC-SHA256 of the data key, computed once per data key) ensures a message
 *       cannot be decrypted under any data key but its own.
 *   <li>The <b>encryption context</b> (a small map of strings, not secret) is bound to the message:
 *       it is stored in the header, authenticated with the body, and bound by the server to the
 *       wrapped data key. {@link #decrypt} checks it against the context the caller expects; pass
 *       {@code null} to accept whichever the message carries and read it with {@link
 *       Message#header}.
 *   <li>Byte arrays and streams produce the same format, differing only in the body-key mode byte
 *       of the header, and each API decrypts both modes. A byte array decrypts only after every
 *       byte is authenticated. A {@linkplain #decryptingStream decrypting stream} hands out 64 KiB
 *       segments as each is authenticated: a truncated or altered message fails at the damaged
 *       segment or at the end, so whatever was read before the failure must be discarded; only a
 *       stream read to its end without an exception is the whole, genuine message.
 *   <li>Every invalid message fails with {@link InvalidMessageException} (malformed, tampered,
 *       truncated, wrong context, commitment mismatch). When the server itself refuses to unwrap
 *       the data key (a tampered wrapped key or context, another tenant's message), the {@link
 *       DataKeySource}'s exception propagates: from {@code StrongroomClient} an {@code
 *       InvalidCiphertextException}, which {@code InvalidMessageException} extends, so catching
 *       {@code InvalidCiphertextException} covers both.
 * </ul>
 *
 * <h2>The data-key cache</h2>
 *
 * Encrypting caches data keys by (key name, encryption context): different contexts never share a
 * data key, because the server binds each wrapped key to one context. Decrypting caches unwrapped
 * data keys by (wrapped key bytes, context), so a message whose context was changed never hits an
 * entry unwrapped under another context. Both caches honour the same limits per data key; a key
 * that reaches any limit is never used again:
 *
 * <table>
 *   <caption>Limits (builder methods)</caption>
 *   <tr><th>limit</th><th>default</th><th>notes</th></tr>
 *   <tr><td>{@link Builder#maxAge maxAge}</td><td>5 minutes</td><td>from when the key arrived;
 *       also how long a disabled key or a revoked token keeps working from the cache</td></tr>
 *   <tr><td>{@link Builder#maxMessagesPerKey maxMessagesPerKey}</td><td>2^20</td><td>at most
 *       2^32 − 1</td></tr>
 *   <tr><td>{@link Builder#maxBytesPerKey maxBytesPerKey}</td><td>2^36 (64 GiB)</td><td>of
 *       plaintext, at most 2^47; a byte array larger than this gets a data key of its own</td></tr>
 *   <tr><td>{@link Builder#refreshAhead refreshAhead}</td><td>0.75</td><td>fraction of any limit
 *       at which a replacement is fetched in the background (encrypt side)</td></tr>
 *   <tr><td>{@link Builder#maxCachedKeys maxCachedKeys}</td><td>1,000</td><td>per cache; the
 *       oldest entry is evicted first</td></tr>
 * </table>
 *
 * <p><b>Nonce bound of data-key mode.</b> All byte-array messages of one data key share one GCM key
 * with random 96-bit nonces; over {@code S} segments a (key, nonce) pair repeats with probability
 * at most {@code S^2/2^97}. Byte arrays are counted exactly (below), so {@code S ≤
 * maxMessagesPerKey + maxBytesPerKey / 65,520}: at the defaults {@code S ≤ 2,097,408 ≈ 2^21} and
 * the probability is about 2^-55; at both caps (2^32 − 1 messages, 2^47 bytes) {@code S ≤
 * 6,442,975,359 ≈ 1.5 · 2^32} and it is about 2^-32 (1.13 · 2^-32), NIST SP 800-38D's bound for
 * random nonces. Streams use a fresh key each and do not count into {@code S}.
 *
 * <ul>
 *   <li><b>Single flight.</b> Concurrent messages that miss the cache for the same cache key make
 *       one server call and share its answer; a failed call is not cached.
 *   <li><b>Refresh ahead.</b> Once a key in use passes {@code refreshAhead} of its age, message or
 *       byte budget, one background call fetches its replacement while messages keep using the
 *       current key; the replacement takes over when it arrives, so callers under steady traffic
 *       never wait for the server. (A key that is idle when it expires is simply fetched by the
 *       next caller.)
 *   <li><b>Counting is exact for byte arrays</b>: messages and bytes are reserved atomically before
 *       a key is used. A stream's length is unknown when it starts, so a stream starts only on a
 *       key with budget left and is charged as it is written or read; a key can therefore exceed
 *       its byte budget by the streams already running on it, and a long stream runs to its end on
 *       the key it started with (its own per-message key, so this is safe; the byte-array nonce
 *       bound above only counts byte arrays, which are reserved exactly).
 *   <li><b>Zeroing.</b> A cached plaintext data key is overwritten with zeros when it is retired
 *       (limit reached, expired, evicted or {@link #close closed}) and no message is still using it
 *       (a byte array uses it while it is encrypted or decrypted, a stream only while it starts).
 *       Expired keys are retired by a background clean-up (every quarter of {@code maxAge}, between
 *       1 second and 1 minute) without waiting for the next call. On the JVM this is best effort:
 *       the garbage collector may have copied the array earlier, and the HTTP client, Tink and the
 *       JCE hold short-lived copies and key schedules of their own that cannot be zeroed.
 * </ul>
 *
 * <h2>Threads and lifecycle</h2>
 *
 * An {@code EnvelopeEncryptor} is thread-safe and meant to be shared: one per key name (and data
 * key source) for the life of the application. It owns a virtual thread for the clean-up and,
 * unless an executor is given, virtual threads for refreshes; {@link #close} stops them and zeroes
 * every cached key. Streams returned before {@code close} keep working to their end.
 */
public final class EnvelopeEncryptor implements AutoCloseable {
  /** The default {@link Builder#maxAge}. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(5);

  /** The default {@link Builder#maxMessagesPerKey}: 2^20. */
  public static final long DEFAULT_MAX_MESSAGES = 1L << 20;

  /** The largest {@link Builder#maxMessagesPerKey}: 2^32 − 1. */
  public static final long MAX_MESSAGES_LIMIT = (1L << 32) - 1;

  /** The default {@link Builder#maxBytesPerKey}: 2^36 bytes (64 GiB). */
  public static final long DEFAULT_MAX_BYTES = 1L << 36;

  /**
   * The largest {@link Builder#maxBytesPerKey}: 2^47 bytes (128 TiB), so that the byte-array
   * messages of one data key have fewer than about 1.5 · 2^32 segments even at both caps (see the
   * nonce bound of data-key mode).
   */
  public static final long MAX_BYTES_LIMIT = 1L << 47;

  /** The default {@link Builder#refreshAhead}. */
  public static final double DEFAULT_REFRESH_AHEAD = 0.75;

  /** The default {@link Builder#maxCachedKeys}. */
  public static final int DEFAULT_MAX_CACHED_KEYS = 1000;

  private final DataKeySource source;
  private final String keyName;
  private final KeyCache encryptCache;
  private final KeyCache decryptCache;
  private final LongSupplier ticker;
  private final Supplier<byte[]> messageIds;
  private final ExecutorService ownedRefreshExecutor;
  private final ScheduledExecutorService cleaner;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder generateCalls = new LongAdder();
  private final LongAdder decryptCalls = new LongAdder();

  private EnvelopeEncryptor(Builder b) {
    this.source = Objects.requireNonNull(b.source, "dataKeys");
    this.keyName = b.keyName;
    this.ticker = b.ticker;
    this.messageIds = b.messageIds;
    Executor refresh = b.refreshExecutor;
    if (refresh == null && b.encryptCache && b.refreshAhead < 1.0) {
      ownedRefreshExecutor =
          Executors.newThreadPerTaskExecutor(
              Thread.ofVirtual().name("strongroom-envelope-refresh-", 0).factory());
      refresh = ownedRefreshExecutor;
    } else {
      ownedRefreshExecutor = null;
    }
    KeyCache.Limits limits =
        new KeyCache.Limits(
            b.maxAge.toNanos(), b.maxMessages, b.maxBytes, b.maxCachedKeys, b.refreshAhead);
    this.encryptCache = b.encryptCache ? new KeyCache(limits, ticker, refresh) : null;
    this.decryptCache = b.decryptCache ? new KeyCache(limits, ticker, null) : null;
    Duration interval = b.cleanUpInterval;
    if (interval == null) {
      long quarter = b.maxAge.toMillis() / 4;
      interval = Duration.ofMillis(Math.clamp(quarter, 1_000, 60_000));
    }
    if (interval.isZero() || (encryptCache == null && decryptCache == null)) {
      cleaner = null;
    } else {
      cleaner =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofVirtual().name("strongroom-envelope-cleanup").factory());
      long ms = Math.max(1, interval.toMillis());
      KeyCache e = encryptCache;
      KeyCache d = decryptCache;
      var unused =
          cleaner.scheduleWithFixedDelay(() -> cleanUp(e, d), ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The key name data keys are generated under, or null for a decrypt-only encryptor. */
  public String keyName() {
    return keyName;
  }

  /**
   * Encrypts {@code plaintext} under a data key of {@link #keyName} bound to {@code context}.
   *
   * @param context the encryption context ({@code null} or empty for none): at most 64 entries,
   *     keys of 1 to 256 and values of at most 1024 bytes of UTF-8
   * @return a complete envelope message
   * @throws IllegalArgumentException if the context breaks those limits or the message would not
   *     fit in an array (about 2 GiB): use {@link #encryptingStream} for such sizes
   * @throws IllegalStateException if closed or built without a key name
   * @throws RuntimeException whatever the {@link DataKeySource} throws when it must be called
   */
  public byte[] encrypt(byte[] plaintext, Map<String, String> context) {
    Objects.requireNonNull(plaintext, "plaintext");
    CanonicalContext ctx = CanonicalContext.of(context);
    long largestHeader = Message.headerLength(ctx.encoded().length, Message.MAX_WRAPPED_KEY_BYTES);
    if (largestHeader + EnvelopeCrypto.bodyLength(plaintext.length) > EnvelopeCrypto.MAX_ARRAY) {
      throw new IllegalArgumentException(
          "plaintext too large for a byte array message; use encryptingStream");
    }
    byte[] id = newMessageId();
    KeyCache.Entry cached = fromEncryptCache(ctx, plaintext.length, false);
    KeyCache.Entry e = cached != null ? cached : ownUse(generate(ctx));
    try {
      DataKeyHolder key = e.key;
      byte[] header =
          Message.encodeHeader(Message.BODY_KEY_DATA_KEY, id, ctx, e.wrapped, key.commitment());
      // K_d is the entry's own array: the use is held until the body is sealed.
      return EnvelopeCrypto.seal(header, key.bodyKey(), plaintext);
    } finally {
      e.release();
    }
  }

  /**
   * A stream that encrypts what is written to it into one envelope message on {@code out}. The
   * header is written at once; the body follows in 64 KiB segments; {@link OutputStream#close}
   * writes the last segment and closes {@code out} (until then the message is incomplete and will
   * not decrypt). Not thread-safe itself: one writer per stream.
   *
   * @throws IOException if writing the header to {@code out} fails
   * @see #encrypt for the context, the exceptions and the data-key cache
   */
  public OutputStream encryptingStream(OutputStream out, Map<String, String> context)
      throws IOException {
    Objects.requireNonNull(out, "out");
    CanonicalContext ctx = CanonicalContext.of(context);
    byte[] id = newMessageId();
    KeyCache.Entry cached = fromEncryptCache(ctx, 0, true);
    KeyCache.Entry e = cached != null ? cached : ownUse(generate(ctx));
    byte[] header;
    byte[] messageKey;
    try {
      messageKey = EnvelopeCrypto.bodyKey(e.key, Message.BODY_KEY_MESSAGE_KEY, id);
      header =
          Message.encodeHeader(
              Message.BODY_KEY_MESSAGE_KEY, id, ctx, e.wrapped, e.key.commitment());
    } finally {
      e.release();
    }
    try {
      out.write(header);
      OutputStream body = EnvelopeCrypto.encryptingStream(out, header, messageKey);
      return new ChargingOutputStream(body, encryptCache, cached);
    } finally {
      Arrays.fill(messageKey, (byte) 0); // the stream keeps its own copy, in its AES key
    }
  }

  /**
   * Decrypts an envelope message.
   *
   * @param expectedContext the encryption context the message must carry, exactly (the same
   *     entries, no more, no fewer; {@code Map.of()} means none); {@code null} accepts any context
   * @return the plaintext, after every byte of the message was authenticated
   * @throws InvalidMessageException if the message is malformed, altered, truncated, fails its key
   *     commitment, or carries another context than {@code expectedContext}
   * @throws RuntimeException whatever the {@link DataKeySource} throws when it must be called (from
   *     {@code StrongroomClient}: {@code InvalidCiphertextException} if the server refuses the
   *     wrapped data key, and its other exceptions)
   * @throws IllegalStateException if closed
   */
  public byte[] decrypt(byte[] message, Map<String, String> expectedContext) {
    Objects.requireNonNull(message, "message");
    Message.Header h = Message.header(message);
    checkContext(h, expectedContext);
    long plaintextBytes = Math.max(0, message.length - (long) h.length());
    checkOpen();
    KeyCache.Entry cached = fromDecryptCache(h, plaintextBytes, false);
    KeyCache.Entry e = cached != null ? cached : ownUse(unwrap(h));
    byte[] messageKey = null;
    try {
      checkCommitment(e.key, h);
      byte[] key = EnvelopeCrypto.bodyKey(e.key, h.bodyKeyMode(), h.messageIdNoCopy());
      if (h.bodyKeyMode() == Message.BODY_KEY_MESSAGE_KEY) {
        messageKey = key; // K_m is ours to zero; K_d belongs to the entry, in use until we return
      }
      return EnvelopeCrypto.open(h, message, key);
    } finally {
      if (messageKey != null) {
        Arrays.fill(messageKey, (byte) 0);
      }
      e.release();
    }
  }

  /**
   * A stream of the plaintext of the envelope message read from {@code in}. The header is read, the
   * data key unwrapped and the key commitment checked before this returns; the body is then
   * decrypted and authenticated segment by segment as it is read. An invalid body makes {@code
   * read} throw {@link InvalidMessageException} (unchecked) at the damaged segment, or at the end
   * for a truncated message: discard everything read from a stream that did not reach its end
   * cleanly. {@code IOException}s of {@code in} itself propagate unchanged. {@link
   * InputStream#close} closes {@code in}. Not thread-safe itself: one reader per stream.
   *
   * @throws IOException if reading the header from {@code in} fails
   * @see #decrypt for the context, the exceptions and the data-key cache
   */
  public InputStream decryptingStream(InputStream in, Map<String, String> expectedContext)
      throws IOException {
    Objects.requireNonNull(in, "in");
    Message.Header h = Message.readHeader(in);
    checkContext(h, expectedContext);
    checkOpen();
    KeyCache.Entry cached = fromDecryptCache(h, 0, true);
    KeyCache.Entry e = cached != null ? cached : ownUse(unwrap(h));
    byte[] key;
    try {
      checkCommitment(e.key, h);
      key = EnvelopeCrypto.bodyKey(e.key, h.bodyKeyMode(), h.messageIdNoCopy());
      if (h.bodyKeyMode() == Message.BODY_KEY_DATA_KEY) {
        key = key.clone(); // the stream outlives this use of the entry that owns K_d
      }
    } finally {
      e.release();
    }
    try {
      SourceGuard guard = new SourceGuard(in);
      InputStream body = EnvelopeCrypto.decryptingStream(guard, h.raw(), key);
      return new DecryptingInputStream(body, guard, decryptCache, cached);
    } finally {
      Arrays.fill(key, (byte) 0); // the stream keeps its own copy, in its AES key
    }
  }

  /**
   * Retires expired entries of both caches now and zeroes their keys (once unused). This also runs
   * periodically in the background; call it after changing a test ticker.
   */
  public void cleanUp() {
    cleanUp(encryptCache, decryptCache);
  }

  /** Counters since this encryptor was built. */
  public Stats stats() {
    return new Stats(
        generateCalls.sum(),
        decryptCalls.sum(),
        encryptCache == null ? 0 : encryptCache.hits.sum(),
        decryptCache == null ? 0 : decryptCache.hits.sum(),
        encryptCache == null ? 0 : encryptCache.refreshes.sum(),
        (encryptCache == null ? 0 : encryptCache.evictions.sum())
            + (decryptCache == null ? 0 : decryptCache.evictions.sum()));
  }

  /**
   * Counters of an encryptor: to check how well the cache works (server calls per message), e.g. in
   * a metrics gauge.
   *
   * @param generateDataKeyCalls calls to {@link DataKeySource#generateDataKey}
   * @param decryptDataKeyCalls calls to {@link DataKeySource#decryptDataKey}
   * @param encryptCacheHits encrypts served by a cached data key
   * @param decryptCacheHits decrypts served by a cached unwrapped data key
   * @param refreshes data keys fetched ahead of need in the background (also counted in {@code
   *     generateDataKeyCalls})
   * @param evictions entries removed because they expired or the cache was full
   */
  public record Stats(
      long generateDataKeyCalls,
      long decryptDataKeyCalls,
      long encryptCacheHits,
      long decryptCacheHits,
      long refreshes,
      long evictions) {}

  /**
   * Stops the background threads it owns and retires every cached data key, zeroing each as soon as
   * no message is deriving from it. Idempotent. Later calls throw {@link IllegalStateException};
   * streams already open continue.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (cleaner != null) {
      cleaner.shutdownNow();
    }
    if (ownedRefreshExecutor != null) {
      ownedRefreshExecutor.shutdown();
    }
    if (encryptCache != null) {
      encryptCache.close();
    }
    if (decryptCache != null) {
      decryptCache.close();
    }
  }

  @Override
  public String toString() {
    return "EnvelopeEncryptor[key " + keyName + (closed.get() ? ", closed]" : "]");
  }

  // ---------------------------------------------------------------------------------------------

  private byte[] newMessageId() {
    checkOpen();
    if (keyName == null) {
      throw new IllegalStateException("this EnvelopeEncryptor was built without a key name");
    }
    byte[] id = messageIds.get();
    if (id.length != Message.MESSAGE_ID_BYTES) {
      throw new IllegalStateException("message ids must be 32 bytes");
    }
    return id;
  }

  /**
   * The encrypt cache's entry for one more message, with a use held; or null when there is no
   * encrypt cache or the message cannot be served from it (a byte array larger than {@code
   * maxBytesPerKey}).
   */
  private KeyCache.Entry fromEncryptCache(CanonicalContext ctx, long bytes, boolean stream) {
    if (encryptCache == null) {
      return null;
    }
    return encryptCache.acquire(
        KeyCache.Key.forEncrypt(keyName, ctx), bytes, stream, () -> generate(ctx));
  }

  /** Like {@link #fromEncryptCache}, for the unwrapped data key of a message's header. */
  private KeyCache.Entry fromDecryptCache(Message.Header h, long bytes, boolean stream) {
    if (decryptCache == null) {
      return null;
    }
    return decryptCache.acquire(
        KeyCache.Key.forDecrypt(h.wrappedDataKeyNoCopy(), h.canonicalContext()),
        bytes,
        stream,
        () -> unwrap(h));
  }

  /**
   * An uncached entry used by one message only: returned with its one use held and already retired,
   * so that {@link KeyCache.Entry#release} zeroes its key.
   */
  private static KeyCache.Entry ownUse(KeyCache.Entry e) {
    e.users.incrementAndGet();
    e.retire();
    return e;
  }

  /** Refuses a message whose commitment is not its data key's, before any body byte is read. */
  private static void checkCommitment(DataKeyHolder key, Message.Header h) {
    if (!EnvelopeCrypto.commitsTo(key.commitment(), h.commitmentNoCopy())) {
      throw new InvalidMessageException(
          "key commitment mismatch: the message was not made with its wrapped data key");
    }
  }

  /** A fresh data key from the source, as a (not yet cached) entry. */
  private KeyCache.Entry generate(CanonicalContext ctx) {
    checkOpen();
    DataKeySource.DataKey dk =
        source.generateDataKey(keyName, Message.DATA_KEY_BYTES, ctx.entries());
    generateCalls.increment();
    if (dk == null || dk.plaintext() == null || dk.ciphertext() == null) {
      throw new IllegalStateException("the data key source returned no data key");
    }
    if (dk.plaintext().length != Message.DATA_KEY_BYTES) {
      Arrays.fill(dk.plaintext(), (byte) 0);
      throw new IllegalStateException("the data key source returned a data key of the wrong size");
    }
    int b = dk.ciphertext().length;
    if (b == 0 || b > Message.MAX_WRAPPED_KEY_BYTES) {
      Arrays.fill(dk.plaintext(), (byte) 0);
      throw new IllegalStateException("the wrapped data key must be 1 to 65535 bytes, not " + b);
    }
    return new KeyCache.Entry(
        new DataKeyHolder(dk.plaintext()), dk.ciphertext().clone(), ticker.getAsLong());
  }

  /** The message's data key unwrapped by the source, as a (not yet cached) entry. */
  private KeyCache.Entry unwrap(Message.Header h) {
    checkOpen();
    byte[] key = source.decryptDataKey(h.wrappedDataKey(), h.context());
    decryptCalls.increment();
    if (key == null || key.length != Message.DATA_KEY_BYTES) {
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
      throw new InvalidMessageException("the wrapped data key is not a 32-byte data key");
    }
    return new KeyCache.Entry(new DataKeyHolder(key), h.wrappedDataKey(), ticker.getAsLong());
  }

  private static void checkContext(Message.Header h, Map<String, String> expected) {
    if (expected != null && !CanonicalContext.of(expected).equals(h.canonicalContext())) {
      throw new InvalidMessageException(
          "the message's encryption context is not the expected context");
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the EnvelopeEncryptor is closed");
    }
  }

  private static void cleanUp(KeyCache e, KeyCache d) {
    if (e != null) {
      e.cleanUp();
    }
    if (d != null) {
      d.cleanUp();
    }
  }

  // --- test hooks ------------------------------------------------------------------------------

  /** The holder of the cached encrypt-side data key for {@code context}, or null. For tests. */
  DataKeyHolder cachedEncryptKey(Map<String, String> context) {
    KeyCache.Entry e =
        encryptCache.peek(KeyCache.Key.forEncrypt(keyName, CanonicalContext.of(context)));
    return e == null ? null : e.key;
  }

  /** How many callers wait for the data key of {@code context} to load. For tests. */
  int encryptWaiters(Map<String, String> context) {
    return encryptCache.waiters(KeyCache.Key.forEncrypt(keyName, CanonicalContext.of(context)));
  }

  /** The holder of the cached unwrapped data key of {@code message}, or null. For tests. */
  DataKeyHolder cachedDecryptKey(byte[] message) {
    Message.Header h = Message.header(message);
    KeyCache.Entry e =
        decryptCache.peek(KeyCache.Key.forDecrypt(h.wrappedDataKeyNoCopy(), h.canonicalContext()));
    return e == null ? null : e.key;
  }

  // --- streams ---------------------------------------------------------------------------------

  /** Passes writes to the encrypting stream and charges them to the data key's cache entry. */
  private static final class ChargingOutputStream extends FilterOutputStream {
    private final KeyCache cache;
    private final KeyCache.Entry entry;

    ChargingOutputStream(OutputStream body, KeyCache cache, KeyCache.Entry entry) {
      super(body);
      this.cache = cache;
      this.entry = entry;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      charge(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      charge(len);
    }

    private void charge(long n) {
      if (entry != null && n > 0) {
        cache.charge(entry, n);
      }
    }
  }

  /**
   * Remembers the exceptions the underlying stream throws, so that they can be told apart from the
   * failures of decryption (which are reported as {@link InvalidMessageException}, but a source may
   * wrap anything in an {@code IOException}).
   */
  private static final class SourceGuard extends FilterInputStream {
    private volatile IOException failure;

    SourceGuard(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return in.skip(n);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int available() throws IOException {
      try {
        return in.available();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    /** Whether {@code e} is, or was caused by, an exception of the underlying stream. */
    boolean cameFromSource(Throwable e) {
      IOException f = failure;
      for (Throwable t = e; t != null && f != null; t = t.getCause()) {
        if (t == f) {
          return true;
        }
      }
      return false;
    }
  }

  /** Translates decryption failures to {@link InvalidMessageException} and charges the cache. */
  private static final class DecryptingInputStream extends FilterInputStream {
    private final SourceGuard guard;
    private final KeyCache cache;
    private final KeyCache.Entry entry;

    DecryptingInputStream(
        InputStream body, SourceGuard guard, KeyCache cache, KeyCache.Entry entry) {
      super(body);
      this.guard = guard;
      this.cache = cache;
      this.entry = entry;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        if (guard.cameFromSource(e)) {
          throw e;
        }
        throw new InvalidMessageException(
            "message failed authentication: it was tampered with, truncated or extended");
      }
      if (n > 0 && entry != null) {
        cache.charge(entry, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // Skipping must still authenticate what it skips: read and discard.
      byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
      long left = n;
      while (left > 0) {
        int r = read(buf, 0, (int) Math.min(left, buf.length));
        if (r < 0) {
          break;
        }
        left -= r;
      }
      return n - Math.max(left, 0);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  // --- builder ---------------------------------------------------------------------------------

  /** Builds an {@link EnvelopeEncryptor}; only {@link #dataKeys} is required. */
  public static final class Builder {
    private DataKeySource source;
    private String keyName;
    private Duration maxAge = DEFAULT_MAX_AGE;
    private long maxMessages = DEFAULT_MAX_MESSAGES;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private double refreshAhead = DEFAULT_REFRESH_AHEAD;
    private int maxCachedKeys = DEFAULT_MAX_CACHED_KEYS;
    private boolean encryptCache = true;
    private boolean decryptCache = true;
    private Executor refreshExecutor;
    private Duration cleanUpInterval;
    private LongSupplier ticker = System::nanoTime;
    private Supplier<byte[]> messageIds = MessageIds::next;

    private Builder() {}

    /** Where data keys come from and are unwrapped: a {@code StrongroomClient}'s source. */
    public Builder dataKeys(DataKeySource source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /** The key that wraps the data keys of new messages; not needed only to decrypt. */
    public Builder keyName(String keyName) {
      if (keyName == null || keyName.isEmpty()) {
        throw new IllegalArgumentException("keyName must not be empty");
      }
      this.keyName = keyName;
      return this;
    }

    /** How long a data key is used after it arrived; positive; default 5 minutes. */
    public Builder maxAge(Duration maxAge) {
      if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxAge must be positive");
      }
      this.maxAge = maxAge;
      return this;
    }

    /** How many messages one data key serves; 1 to 2^32 − 1; default 2^20. */
    public Builder maxMessagesPerKey(long maxMessages) {
      if (maxMessages < 1 || maxMessages > MAX_MESSAGES_LIMIT) {
        throw new IllegalArgumentException("maxMessagesPerKey must be 1 to 2^32 - 1");
      }
      this.maxMessages = maxMessages;
      return this;
    }

    /** How many plaintext bytes one data key serves; 1 to 2^47; default 2^36. */
    public Builder maxBytesPerKey(long maxBytes) {
      if (maxBytes < 1 || maxBytes > MAX_BYTES_LIMIT) {
        throw new IllegalArgumentException("maxBytesPerKey must be 1 to 2^47");
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * The fraction of any limit (age, messages, bytes) at which the encrypt side fetches the
     * replacement of a data key in the background; in (0, 1]; 1 turns refresh-ahead off; default
     * 0.75.
     */
    public Builder refreshAhead(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("refreshAhead must be in (0, 1]");
      }
      this.refreshAhead = fraction;
      return this;
    }

    /** How many data keys each cache holds at most; positive; default 1,000. */
    public Builder maxCachedKeys(int maxCachedKeys) {
      if (maxCachedKeys < 1) {
        throw new IllegalArgumentException("maxCachedKeys must be positive");
      }
      this.maxCachedKeys = maxCachedKeys;
      return this;
    }

    /** Whether encrypting caches data keys (default true); false: one server call per message. */
    public Builder encryptCache(boolean enabled) {
      this.encryptCache = enabled;
      return this;
    }

    /** Whether decrypting caches unwrapped data keys (default true). */
    public Builder decryptCache(boolean enabled) {
      this.decryptCache = enabled;
      return this;
    }

    /**
     * Runs refresh-ahead fetches (which block on the network); default: a new virtual thread each,
     * owned and stopped by the encryptor. A given executor is not shut down by {@link #close}.
     */
    public Builder refreshExecutor(Executor executor) {
      this.refreshExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * How often expired keys are retired in the background; {@link Duration#ZERO} turns the
     * background clean-up off ({@link EnvelopeEncryptor#cleanUp} still works); default a quarter of
     * {@code maxAge}, between 1 second and 1 minute.
     */
    public Builder cleanUpInterval(Duration interval) {
      if (interval == null || interval.isNegative()) {
        throw new IllegalArgumentException("cleanUpInterval must not be negative");
      }
      this.cleanUpInterval = interval;
      return this;
    }

    /**
     * The clock that ages cache entries, in nanoseconds, like {@link System#nanoTime} (the
     * default); for tests.
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Where message ids come from; for format test vectors only. */
    Builder messageIds(Supplier<byte[]> messageIds) {
      this.messageIds = Objects.requireNonNull(messageIds);
      return this;
    }

    public EnvelopeEncryptor build() {
      return new EnvelopeEncryptor(this);
    }
  }
}

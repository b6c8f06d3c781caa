package io.strongroom.client.envelope;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A bounded cache of plaintext data keys, one side (encrypt or decrypt) of an {@link
 * EnvelopeEncryptor}. Hand-rolled on {@link ConcurrentHashMap} and {@link CompletableFuture}
 * because its rules are specific:
 *
 * <ul>
 *   <li><b>Limits.</b> An entry serves a message only while it is younger than {@code maxAge}, has
 *       served fewer than {@code maxMessages} messages and, with this message's bytes, at most
 *       {@code maxBytes} bytes. Counters are reserved atomically before the key is used; the first
 *       message that does not fit <em>retires</em> the entry: it is never used again and its key is
 *       zeroed as soon as no message is using it.
 *   <li><b>Single flight.</b> The map holds one future per cache key; the caller that installs it
 *       loads the key (one call to the {@link DataKeySource}) and every concurrent caller waits for
 *       that future instead of making its own call. A failed load is not cached: the waiting
 *       callers get its exception and the next caller tries again.
 *   <li><b>Refresh ahead</b> (encrypt side). When an entry in use passes {@code refreshAhead} of
 *       any limit (age, messages or bytes), one background load of its successor starts on the
 *       refresh executor while callers keep using the entry. The successor replaces the entry as
 *       soon as it arrives (the old one is retired). If the entry runs out first, callers wait for
 *       the successor already in flight rather than making another call. A failed refresh is not
 *       retried: the entry serves until its limits, and then a caller loads synchronously and sees
 *       the error if it persists.
 *   <li><b>Bounded size.</b> When a new cache key would exceed {@code maxEntries}, the oldest entry
 *       (by creation) is evicted and retired.
 *   <li><b>Expiry.</b> {@link #cleanUp} removes and retires aged-out entries; the encryptor runs it
 *       periodically so that idle keys are zeroed without waiting for the next call.
 * </ul>
 *
 * <p>Reference counting makes zeroing safe: a byte-array message holds a use of its entry while it
 * is encrypted or decrypted (its body key in data-key mode is the entry's cached {@code K_d}, and a
 * byte array is at most about 2 GiB), a stream only while it derives its own key (a few
 * microseconds), not while it encrypts or decrypts its body, so a retired key is zeroed promptly
 * even while long streams that started under it continue.
 */
final class KeyCache {
  /** The limits of one cache. */
  record Limits(
      long maxAgeNanos, long maxMessages, long maxBytes, int maxEntries, double refreshAhead) {}

  private final ConcurrentHashMap<Key, CompletableFuture<Entry>> map = new ConcurrentHashMap<>();
  private final Limits limits;
  private final LongSupplier ticker;
  private final Executor refreshExecutor;
  private final long refreshAgeNanos;
  private final long refreshMessages;
  private final long refreshBytes;
  private volatile boolean closed;

  final LongAdder hits = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder refreshes = new LongAdder();
  final LongAdder evictions = new LongAdder();

  /**
   * @param refreshExecutor runs refresh-ahead loads; {@code null} disables refresh-ahead
   */
  KeyCache(Limits limits, LongSupplier ticker, Executor refreshExecutor) {
    this.limits = limits;
    this.ticker = ticker;
    boolean refresh = refreshExecutor != null && limits.refreshAhead() < 1.0;
    this.refreshExecutor = refresh ? refreshExecutor : null;
    double f = limits.refreshAhead();
    this.refreshAgeNanos = refresh ? (long) (limits.maxAgeNanos() * f) : Long.MAX_VALUE;
    this.refreshMessages =
        refresh ? Math.max(1, (long) Math.ceil(limits.maxMessages() * f)) : Long.MAX_VALUE;
    this.refreshBytes =
        refresh ? Math.max(1, (long) Math.ceil(limits.maxBytes() * f)) : Long.MAX_VALUE;
  }

  /**
   * An entry for one more message of {@code bytes} bytes, with a use held (the caller must {@link
   * Entry#release} it), loading it with {@code loader} if needed; or {@code null} when the message
   * cannot be served from the cache (a byte-array message larger than {@code maxBytes}), in which
   * case the caller uses a key of its own.
   *
   * @param stream the message is a stream of unknown length: it is charged with {@link #charge} as
   *     it goes, and starts only on an entry that has at least one byte of budget left
   */
  Entry acquire(Key key, long bytes, boolean stream, Supplier<Entry> loader) {
    if (!stream && bytes > limits.maxBytes()) {
      return null;
    }
    // An entry fresh from the source always fits, so this loops at most twice in practice; the
    // bound only guards against a misbehaving ticker.
    for (int attempt = 0; attempt < 4; attempt++) {
      checkOpen();
      CompletableFuture<Entry> f = map.get(key);
      boolean loaded = false;
      if (f == null) {
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        f = map.putIfAbsent(key, mine);
        if (f == null) {
          f = mine;
          loaded = true;
          load(key, mine, loader);
          enforceCapacity(key);
        }
      }
      Entry e = join(key, f);
      if (closed) {
        map.remove(key, f);
        e.retire();
        checkOpen();
      }
      long now = ticker.getAsLong();
      if (tryUse(e, now, bytes, stream)) {
        if (!loaded) {
          hits.increment();
        }
        maybeRefresh(key, f, e, now, loader);
        return e;
      }
      replaceExhausted(key, f, e);
    }
    return null;
  }

  /** Charges {@code n} more bytes of a stream to {@code e}; retires it once over its budget. */
  void charge(Entry e, long n) {
    if (e.bytes.addAndGet(n) > limits.maxBytes()) {
      e.retire();
    }
  }

  /** Removes and retires entries that are retired or aged out; returns how many. */
  int cleanUp() {
    long now = ticker.getAsLong();
    int n = 0;
    for (Map.Entry<Key, CompletableFuture<Entry>> me : map.entrySet()) {
      CompletableFuture<Entry> f = me.getValue();
      if (!f.isDone() || f.isCompletedExceptionally()) {
        continue;
      }
      Entry e = f.join();
      if (e.retired || now - e.created >= limits.maxAgeNanos()) {
        replaceExhausted(me.getKey(), f, e);
        evictions.increment();
        n++;
      }
    }
    return n;
  }

  /** Retires every entry (zeroing each once unused) and refuses further use. */
  void close() {
    closed = true;
    for (Map.Entry<Key, CompletableFuture<Entry>> me : map.entrySet()) {
      CompletableFuture<Entry> f = me.getValue();
      map.remove(me.getKey(), f);
      var unused = f.thenAccept(Entry::retire); // now if loaded, or when its load completes
    }
  }

  int size() {
    return map.size();
  }

  /** The current entry for {@code key}, if loaded; for tests. */
  Entry peek(Key key) {
    CompletableFuture<Entry> f = map.get(key);
    return f == null || !f.isDone() || f.isCompletedExceptionally() ? null : f.join();
  }

  /** How many threads wait for the load of {@code key}; for tests. */
  int waiters(Key key) {
    CompletableFuture<Entry> f = map.get(key);
    return f == null ? 0 : f.getNumberOfDependents();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the EnvelopeEncryptor is closed");
    }
  }

  private void load(Key key, CompletableFuture<Entry> f, Supplier<Entry> loader) {
    try {
      Entry e = loader.get();
      loads.increment();
      f.complete(e);
    } catch (RuntimeException | Error t) {
      map.remove(key, f);
      f.completeExceptionally(t);
      throw t;
    }
  }

  private Entry join(Key key, CompletableFuture<Entry> f) {
    try {
      return f.join();
    } catch (CompletionException ce) {
      map.remove(key, f);
      if (ce.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (ce.getCause() instanceof Error err) {
        throw err;
      }
      throw ce;
    }
  }

  private boolean tryUse(Entry e, long now, long bytes, boolean stream) {
    e.users.incrementAndGet();
    boolean ok =
        !e.retired
            && now - e.created < limits.maxAgeNanos()
            && e.messages.incrementAndGet() <= limits.maxMessages()
            && (stream
                ? e.bytes.get() < limits.maxBytes()
                : e.bytes.addAndGet(bytes) <= limits.maxBytes());
    if (!ok) {
      e.retire();
      e.release();
    }
    return ok;
  }

  /** Moves past an unusable entry: to its successor if one is loading or loaded, else to none. */
  private void replaceExhausted(Key key, CompletableFuture<Entry> f, Entry e) {
    CompletableFuture<Entry> next = e.refresh;
    if (next != null && !next.isCompletedExceptionally()) {
      map.replace(key, f, next);
    } else {
      map.remove(key, f);
    }
    e.retire();
  }

  private void maybeRefresh(
      Key key, CompletableFuture<Entry> f, Entry e, long now, Supplier<Entry> loader) {
    if (refreshExecutor == null || e.refreshStarted.get()) {
      return;
    }
    if (now - e.created < refreshAgeNanos
        && e.messages.get() < refreshMessages
        && e.bytes.get() < refreshBytes) {
      return;
    }
    if (!e.refreshStarted.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<Entry> rf = new CompletableFuture<>();
    e.refresh = rf;
    try {
      refreshExecutor.execute(
          () -> {
            Entry successor;
            try {
              successor = loader.get();
            } catch (RuntimeException | Error t) {
              rf.completeExceptionally(t);
              return;
            }
            refreshes.increment();
            loads.increment();
            rf.complete(successor);
            adopt(key, f, e, rf, successor);
          });
    } catch (RejectedExecutionException x) {
      rf.completeExceptionally(x);
    }
  }

  private void adopt(
      Key key, CompletableFuture<Entry> f, Entry old, CompletableFuture<Entry> rf, Entry next) {
    if (map.replace(key, f, rf)) {
      old.retire();
    } else if (map.get(key) != rf) {
      // The old entry was dropped meanwhile (expired, evicted, closed) and nobody waits for this
      // one: it will never be reachable, so zero it now.
      next.retire();
      return;
    }
    if (closed) {
      map.remove(key, rf);
      next.retire();
    }
  }

  private void enforceCapacity(Key keep) {
    while (map.size() > limits.maxEntries()) {
      Key victim = null;
      CompletableFuture<Entry> victimFuture = null;
      long oldest = Long.MAX_VALUE;
      for (Map.Entry<Key, CompletableFuture<Entry>> me : map.entrySet()) {
        CompletableFuture<Entry> f = me.getValue();
        if (me.getKey().equals(keep) || !f.isDone() || f.isCompletedExceptionally()) {
          continue;
        }
        Entry e = f.join();
        if (victim == null || e.created - oldest < 0) {
          victim = me.getKey();
          victimFuture = f;
          oldest = e.created;
        }
      }
      if (victim == null) {
        return;
      }
      if (map.remove(victim, victimFuture)) {
        victimFuture.join().retire();
        evictions.increment();
      }
    }
  }

  /** A cache key: opaque bytes compared by value. */
  static final class Key {
    private final byte[] bytes;
    private final int hash;

    private Key(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    /** Encrypt side: the key name and the canonical context, each length-prefixed. */
    static Key forEncrypt(String keyName, CanonicalContext context) {
      return of(keyName.getBytes(StandardCharsets.UTF_8), context.encoded());
    }

    /** Decrypt side: the wrapped data key and the canonical context, each length-prefixed. */
    static Key forDecrypt(byte[] wrapped, CanonicalContext context) {
      return of(wrapped, context.encoded());
    }

    private static Key of(byte[] a, byte[] b) {
      byte[] k = new byte[8 + a.length + b.length];
      putInt(k, 0, a.length);
      System.arraycopy(a, 0, k, 4, a.length);
      putInt(k, 4 + a.length, b.length);
      System.arraycopy(b, 0, k, 8 + a.length, b.length);
      return new Key(k);
    }

    private static void putInt(byte[] k, int at, int v) {
      k[at] = (byte) (v >>> 24);
      k[at + 1] = (byte) (v >>> 16);
      k[at + 2] = (byte) (v >>> 8);
      k[at + 3] = (byte) v;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "KeyCache.Key[" + bytes.length + " bytes]";
    }
  }

  /** One cached data key, its wrapped form and its usage. */
  static final class Entry {
    final DataKeyHolder key;
    final byte[] wrapped;
    final long created;
    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger users = new AtomicInteger();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    final AtomicBoolean refreshStarted = new AtomicBoolean();
    volatile boolean retired;
    volatile CompletableFuture<Entry> refresh;

    Entry(DataKeyHolder key, byte[] wrapped, long created) {
      this.key = key;
      this.wrapped = wrapped;
      this.created = created;
    }

    /** Ends a use: zeroes the key if the entry was retired meanwhile and this was the last use. */
    void release() {
      if (users.decrementAndGet() == 0 && retired) {
        destroy();
      }
    }

    /** Never use this entry again; zero its key now if unused, else when the last use ends. */
    void retire() {
      retired = true;
      if (users.get() == 0) {
        destroy();
      }
    }

    private void destroy() {
      if (destroyed.compareAndSet(false, true)) {
        key.destroy();
      }
    }

    @Override
    public String toString() {
      return "KeyCache.Entry[" + messages.get() + " messages, " + bytes.get() + " bytes]";
    }
  }
}

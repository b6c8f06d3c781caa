package io.strongroom.core;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Lets a request try a non-blocking run first. The server runs the common cryptographic calls on
 * the event loop inside {@link #forbid}; every operation that may block (a database query, an HSM
 * call, a cache load that would do either) calls {@link #check} or {@link #get} first, which in
 * that run throws {@link WouldBlock} before anything blocks. The server then runs the request again
 * on a worker thread. So a request whose keys, token and material are cached costs no thread
 * hand-off, and blocking work still never runs on an event loop.
 *
 * <p>A use case run under {@code forbid} must not change anything before its first blocking
 * operation, so that the run on the worker starts from the same state: true of encrypt, decrypt,
 * generate-data-key and re-encrypt, which only read before they compute.
 */
public final class Blocking {
  private static final ThreadLocal<Boolean> FORBIDDEN = new ThreadLocal<>();

  private Blocking() {}

  /** Raised where a run under {@link #forbid} would block; carries no stack trace. */
  public static final class WouldBlock extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final WouldBlock INSTANCE = new WouldBlock();

    private WouldBlock() {
      super("this operation would block", null, false, false);
    }
  }

  /**
   * Runs {@code work} with blocking forbidden on this thread.
   *
   * @throws WouldBlock when {@code work} reached an operation that may block
   */
  public static <T> T forbid(Callable<T> work) throws Exception {
    Boolean outer = FORBIDDEN.get();
    FORBIDDEN.set(Boolean.TRUE);
    try {
      return work.call();
    } finally {
      FORBIDDEN.set(outer);
    }
  }

  /** True inside {@link #forbid}. */
  public static boolean forbidden() {
    return Boolean.TRUE.equals(FORBIDDEN.get());
  }

  /**
   * Called before an operation that may block.
   *
   * @throws WouldBlock inside {@link #forbid}
   */
  public static void check() {
    if (forbidden()) {
      throw WouldBlock.INSTANCE;
    }
  }

  /**
   * {@code cache.get(key, loader)}; inside {@link #forbid} only a cached value is taken, never a
   * load (which may block, or wait for another thread's load of the same key).
   *
   * @throws WouldBlock inside {@link #forbid} when the value is not cached
   */
  public static <K, V> V get(Cache<K, V> cache, K key, Function<? super K, ? extends V> loader) {
    if (!forbidden()) {
      return cache.get(key, loader);
    }
    V v = cache.getIfPresent(key);
    if (v == null) {
      throw WouldBlock.INSTANCE;
    }
    return v;
  }
}

package io.strongroom.hsm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strongroom.core.Blocking;
import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import io.strongroom.core.crypto.Drbg;
import io.strongroom.core.custody.KeyCustodian;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * One logged-in PKCS#11 token, shared by the custodians that use it (the HSM protection level and
 * the root key). It owns everything that touches the token:
 *
 * <ul>
 *   <li><b>Connection.</b> A SunPKCS11 provider configured for the token's slot (found by label),
 *       logged in once with the user PIN. Keys are AES-256 secret-key token objects, generated
 *       inside the token as sensitive and non-extractable, found by their CKA_LABEL and cached as
 *       handles.
 *   <li><b>Sessions.</b> At most {@link Pkcs11Config#sessions} operations run at once (SunPKCS11
 *       itself opens a session per concurrent operation without limit); a call that waits longer
 *       than {@link Pkcs11Config#sessionWait} for one is refused as {@code RESOURCE_EXHAUSTED}.
 *   <li><b>Failure and recovery.</b> A failure of the token or library (a lost session or object
 *       handle, a device error, a removed token, any return code that does not blame the data)
 *       marks the connection broken: that call and the following ones answer {@code UNAVAILABLE}
 *       (503) with the PKCS#11 return code only. One caller at a time tries to reconnect, at once
 *       and then after 1, 2, 4 … up to 30 s: the broken connection again, then a new provider (slot
 *       looked up again, login, handles looked up again), then, holding every session so that no
 *       call is inside the library, a re-initialisation of the library. Service resumes by itself
 *       once the token answers; no restart is needed. A PIN the token refuses stops the attempts
 *       (so the server never locks the PIN). A tag that does not verify is the data's fault, not
 *       the token's.
 *   <li><b>Metrics.</b> {@code strongroom.hsm.calls} (timer by {@code op} and {@code outcome}: ok,
 *       rejected, unavailable, busy), {@code strongroom.hsm.sessions.active} and {@code
 *       .sessions.limit} (gauges), {@code strongroom.hsm.sessions.waits} (calls that found every
 *       session busy and queued), {@code strongroom.hsm.up} (1 while connected), {@code
 *       strongroom.hsm.reconnects} and {@code strongroom.hsm.reinitialisations}.
 * </ul>
 *
 * Every method blocks on the token; callers never use it on an event loop. Thread-safe.
 */
public final class Pkcs11Token implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Pkcs11Token.class.getName());
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final long RECONNECT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final long MAX_RECONNECT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long REINIT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long HEALTHY_FOR_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * Return codes that blame the data, not the token. Every other failure of a PKCS#11 call
   * (including codes a vendor defines) counts as the token failing: UNAVAILABLE, never
   * INVALID_CIPHERTEXT, so that a client never discards data because an HSM was down.
   */
  private static final Set<String> DATA_FAILURES =
      Set.of(
          "CKR_ENCRYPTED_DATA_INVALID",
          "CKR_ENCRYPTED_DATA_LEN_RANGE",
          "CKR_DATA_INVALID",
          "CKR_DATA_LEN_RANGE");

  /** The mechanisms Strongroom needs, as SunPKCS11 services (registered only when supported). */
  static final List<String[]> REQUIRED_SERVICES =
      List.of(
          new String[] {"KeyGenerator", "AES", "CKM_AES_KEY_GEN"},
          new String[] {"Cipher", "AES/GCM/NoPadding", "CKM_AES_GCM"},
          new String[] {"KeyStore", "PKCS11", "token object storage"});

  private final Pkcs11Config cfg;
  private final Semaphore sessions;
  private final AtomicInteger active = new AtomicInteger();

  // per token, not static: a thread's scope keeps a session of this token only
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<Kept> kept = new ThreadLocal<>();

  private final ReentrantLock reconnectLock = new ReentrantLock();
  private final Metrics metrics;
  private final String description;
  private volatile Connection connection;
  private Connection broken; // the connection that failed last, guarded by reconnectLock

  /**
   * Every provider this token ever configured, kept reachable for the life of the process: after
   * the library is re-initialised, SunPKCS11's cleaners of a collected provider would close
   * sessions by handle numbers that the library has handed out again.
   */
  private final List<Provider> graveyard;

  private volatile String downReason; // short, for callers: a PKCS#11 code or a fixed phrase
  private volatile long nextReconnect;
  private long reconnectBackoff = RECONNECT_INTERVAL_NANOS; // guarded by reconnectLock
  private volatile boolean pinRejected;
  private volatile boolean closed;
  private int generation;
  private final long firstSlot;
  private volatile long healthyUntil;

  /**
   * One provider instance with its logged-in key store, the raw GCM calls on the same token, and
   * the keys and object handles found through them.
   */
  private static final class Connection {
    private final Provider provider;
    private final KeyStore keyStore;
    private final Wrapper.Token token;
    private final Wrapper.Gcm gcm;
    private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();
    private final Map<String, Long> handles = new ConcurrentHashMap<>();

    Connection(Provider provider, KeyStore keyStore, Wrapper.Token token, Wrapper.Gcm gcm) {
      this.provider = provider;
      this.keyStore = keyStore;
      this.token = token;
      this.gcm = gcm;
    }

    Wrapper.Gcm gcm() {
      return gcm;
    }

    Map<String, Long> handles() {
      return handles;
    }

    Provider provider() {
      return provider;
    }

    KeyStore keyStore() {
      return keyStore;
    }

    Wrapper.Token token() {
      return token;
    }

    Map<String, SecretKey> keys() {
      return keys;
    }
  }

  private Pkcs11Token(
      Pkcs11Config cfg, Connection first, List<Provider> graveyard, MeterRegistry registry) {
    this.cfg = cfg;
    this.graveyard = graveyard;
    this.sessions = new Semaphore(cfg.sessions(), true);
    this.connection = first;
    this.generation = 1;
    this.firstSlot = first.token().slot();
    this.description =
        "PKCS#11 "
            + cfg.tokenName()
            + " (slot "
            + first.token().slot()
            + ", "
            + first.token().manufacturer()
            + " "
            + first.token().model()
            + ") through "
            + cfg.library();
    this.metrics = new Metrics(registry, this);
  }

  /**
   * Connects, logs in and checks that the token offers every mechanism Strongroom needs.
   *
   * @throws Pkcs11Exception with a message naming what to fix: library missing, no such token,
   *     wrong PIN, mechanism missing
   */
  public static Pkcs11Token open(Pkcs11Config cfg, MeterRegistry registry) throws Pkcs11Exception {
    if (!java.nio.file.Files.isReadable(cfg.library())) {
      throw new Pkcs11Exception("the PKCS#11 library " + cfg.library() + " is not readable", null);
    }
    List<Provider> graveyard = new ArrayList<>();
    Connection c = connect(cfg, 1, graveyard);
    requireMechanisms(c.provider(), cfg.tokenName());
    Pkcs11Token token = new Pkcs11Token(cfg, c, graveyard, registry);
    LOG.log(
        System.Logger.Level.INFO,
        "{0}: logged in; AES key generation, AES-GCM and token key storage available; at most {1}"
            + " sessions",
        token.description,
        cfg.sessions());
    return token;
  }

  /** Throws when {@code provider} lacks a service Strongroom needs, naming the mechanism. */
  static void requireMechanisms(Provider provider, String tokenName) throws Pkcs11Exception {
    List<String> missing = new ArrayList<>();
    for (String[] s : REQUIRED_SERVICES) {
      if (provider.getService(s[0], s[1]) == null) {
        missing.add(s[2] + " (" + s[0] + " " + s[1] + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new Pkcs11Exception(
          "the PKCS#11 " + tokenName + " lacks mechanisms Strongroom needs: " + missing, null);
    }
  }

  private static Connection connect(Pkcs11Config cfg, int generation, List<Provider> keep)
      throws Pkcs11Exception {
    Wrapper.Token token;
    if (cfg.tokenLabel() != null) {
      token = Wrapper.find(cfg.library(), cfg.tokenLabel());
    } else {
      token =
          Wrapper.list(cfg.library()).stream()
              .filter(t -> t.slot() == cfg.slot())
              .findFirst()
              .orElseThrow(
                  () ->
                      new Pkcs11Exception(
                          "no initialised PKCS#11 token in slot "
                              + cfg.slot()
                              + " of "
                              + cfg.library(),
                          null));
    }
    Provider provider;
    try {
      provider =
          Security.getProvider("SunPKCS11")
              .configure(
                  "--name = strongroom-"
                      + generation
                      + "\nlibrary = \""
                      + cfg.library()
                      + "\"\nslot = "
                      + token.slot()
                      + "\nattributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
                      + "  CKA_SENSITIVE = true\n"
                      + "  CKA_EXTRACTABLE = false\n"
                      + "}\n");
      synchronized (keep) {
        keep.add(provider);
      }
    } catch (RuntimeException e) {
      throw new Pkcs11Exception(
          "cannot configure SunPKCS11 for "
              + cfg.tokenName()
              + " (slot "
              + token.slot()
              + "): "
              + Pkcs11Exception.reason(e),
          e);
    }
    KeyStore ks;
    try {
      ks = KeyStore.getInstance("PKCS11", provider);
      ks.load(null, cfg.pin());
    } catch (Exception e) {
      String code = Pkcs11Exception.returnCode(e);
      String why =
          "CKR_PIN_INCORRECT".equals(code)
              ? "wrong PIN (CKR_PIN_INCORRECT)"
              : "CKR_PIN_LOCKED".equals(code)
                  ? "the PIN is locked (CKR_PIN_LOCKED); the security officer must unlock it"
                  : Pkcs11Exception.reason(e);
      throw new Pkcs11Exception("login to PKCS#11 " + cfg.tokenName() + " failed: " + why, e);
    }
    return new Connection(provider, ks, token, Wrapper.Gcm.open(cfg.library(), token.slot()));
  }

  /** Never secret: library, token, slot, maker. */
  public String describe() {
    return description;
  }

  /** The slot the token is in (as found at start; slot ids can change when a token is re-made). */
  public long slot() {
    Connection c = connection;
    return c != null ? c.token().slot() : firstSlot;
  }

  /** Whether a connection is established now (false while the token is down). */
  public boolean isUp() {
    return connection != null;
  }

  // ---- operations ------------------------------------------------------------------------------

  /** Whether a token key with this label exists. */
  public boolean exists(String label) throws GeneralSecurityException {
    return callCrypto("find", c -> find(c, label) != null);
  }

  /**
   * Generates an AES-256 key inside the token (sensitive, non-extractable) and stores it as a token
   * object with CKA_LABEL {@code label}.
   *
   * @throws KmsException ALREADY_EXISTS when an object with that label exists (never replaced)
   */
  public void createKey(String label) throws GeneralSecurityException {
    callCrypto(
        "generate",
        c -> {
          if (find(c, label) != null) {
            throw new KmsException(
                ErrorCode.ALREADY_EXISTS, "the token already holds a key labelled " + label);
          }
          Wrapper.generateAesKey(cfg.library(), c.token().slot(), label);
          if (find(c, label) == null) {
            throw new GeneralSecurityException("the new token key " + label + " is not found");
          }
          return null;
        });
  }

  /**
   * Deletes the token key labelled {@code label}; a key that is not there (already deleted) is not
   * an error.
   */
  public void deleteKey(String label) throws GeneralSecurityException {
    callCrypto(
        "delete",
        c -> {
          if (find(c, label) != null) {
            c.keyStore().deleteEntry(label);
          }
          c.keys().remove(label);
          c.handles().remove(label);
          return null;
        });
  }

  /**
   * {@code iv ‖ AES-256-GCM(key, iv, plaintext, aad)} computed inside the token, by one {@code
   * C_EncryptInit} that carries the AAD and one {@code C_Encrypt} (see {@link Wrapper.Gcm}).
   */
  public byte[] encrypt(String label, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException {
    byte[] iv = new byte[IV_BYTES];
    Drbg.current().nextBytes(iv);
    byte[] ct = callCrypto("encrypt", c -> c.gcm().encrypt(handle(c, label), iv, aad, plaintext));
    byte[] out = new byte[IV_BYTES + ct.length];
    System.arraycopy(iv, 0, out, 0, IV_BYTES);
    System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
    return out;
  }

  /** Opens what {@link #encrypt} made, inside the token. */
  public byte[] decrypt(String label, byte[] ivAndCiphertext, byte[] aad)
      throws GeneralSecurityException {
    if (ivAndCiphertext.length < IV_BYTES + TAG_BITS / 8) {
      throw new AEADBadTagException("ciphertext too short");
    }
    byte[] iv = Arrays.copyOf(ivAndCiphertext, IV_BYTES);
    return callCrypto(
        "decrypt",
        c ->
            c.gcm()
                .decrypt(
                    handle(c, label),
                    iv,
                    aad,
                    ivAndCiphertext,
                    IV_BYTES,
                    ivAndCiphertext.length - IV_BYTES));
  }

  /** Overhead {@link #encrypt} adds to a plaintext. */
  public static int overhead() {
    return IV_BYTES + TAG_BITS / 8;
  }

  /**
   * Checks the token serves: connects if it is down, then encrypts and decrypts with the probe key
   * (a token object, so the check reaches the token's storage, not only the library).
   *
   * @throws KmsException UNAVAILABLE when it does not
   */
  public void checkHealth() {
    // A success holds for a second: readiness checks (unauthenticated, and several per request
    // of /readyz) must not take sessions from real work.
    if (System.nanoTime() - healthyUntil < 0) {
      return;
    }
    byte[] probe = new byte[16];
    try {
      byte[] ct = encrypt(cfg.probeLabel(), probe, probe);
      decrypt(cfg.probeLabel(), ct, probe);
      healthyUntil = System.nanoTime() + HEALTHY_FOR_NANOS;
    } catch (GeneralSecurityException e) {
      throw KmsException.unavailable(
          "the HSM health probe failed: " + Pkcs11Exception.reason(e), null);
    }
  }

  /**
   * Creates the health-probe key when it is missing (by {@code --pkcs11-init}, never by a normal
   * start: SunPKCS11's key store refuses a token in which two secret keys share a label, so objects
   * are created by one operator command, not by every node that starts).
   *
   * @return whether it was created
   */
  public boolean ensureProbeKey() throws GeneralSecurityException {
    if (exists(cfg.probeLabel())) {
      return false;
    }
    createKey(cfg.probeLabel());
    return true;
  }

  /**
   * Throws when the token has no health-probe key (start-up).
   *
   * @throws Pkcs11Exception saying how to create it
   */
  public void requireProbeKey() throws Pkcs11Exception, GeneralSecurityException {
    if (!exists(cfg.probeLabel())) {
      throw new Pkcs11Exception(
          "the PKCS#11 "
              + cfg.tokenName()
              + " has no health-probe key '"
              + cfg.probeLabel()
              + "'; prepare the token once with --pkcs11-init",
          null);
    }
  }

  /**
   * Lets this thread's calls keep the session permit that the first of them takes, until the
   * returned scope closes (a batch's run of items): without it each call queues for a permit again,
   * and with more batches in flight than sessions the fair queue hands the permit to another thread
   * at every call. Inside a scope, a second one is a no-op. The scope must be closed on the thread
   * that opened it.
   */
  public KeyCustodian.Scope keepSession() {
    if (kept.get() != null) {
      return KeyCustodian.Scope.NONE;
    }
    Kept k = new Kept();
    kept.set(k);
    return () -> {
      kept.remove();
      if (k.permit) {
        k.permit = false;
        sessions.release();
      }
    };
  }

  /** The permit this thread keeps in a {@link #keepSession} scope, once a call has taken it. */
  private static final class Kept {
    boolean permit;
  }

  /** The session permits, for tests that need every session busy. */
  Semaphore sessionPool() {
    return sessions;
  }

  @Override
  public void close() {
    reconnectLock.lock();
    try {
      closed = true;
      connection = null;
      downReason = "closed";
    } finally {
      reconnectLock.unlock();
    }
  }

  // ---- machinery -------------------------------------------------------------------------------

  /** Work against one connection; may throw what the provider throws. */
  @FunctionalInterface
  interface Op<T> {
    T run(Connection c) throws Exception;
  }

  private static SecretKey find(Connection c, String label) throws GeneralSecurityException {
    SecretKey k = c.keys().get(label);
    if (k != null) {
      return k;
    }
    Key found = c.keyStore().getKey(label, null);
    if (found == null) {
      // The alias list of SunPKCS11's key store is read at load(); another node may have created
      // the object since.
      try {
        c.keyStore().load(null, null);
      } catch (java.io.IOException e) {
        throw new GeneralSecurityException("reloading the token's objects failed", e);
      }
      found = c.keyStore().getKey(label, null);
    }
    if (found instanceof SecretKey s) {
      c.keys().put(label, s);
      return s;
    }
    return null;
  }

  /** The object handle of the token key {@code label}, found once per connection. */
  private static long handle(Connection c, String label) throws Exception {
    Long h = c.handles().get(label);
    if (h != null) {
      return h;
    }
    long[] found = c.gcm().find(label);
    if (found.length == 0) {
      throw new MissingKeyException(label);
    }
    if (found.length > 1) {
      throw KmsException.unavailable(
          "more than one secret key in the HSM is labelled " + label + "; remove the copy", null);
    }
    c.handles().put(label, found[0]);
    return found[0];
  }

  /** A labelled key is not in a token that otherwise answers. */
  static final class MissingKeyException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    MissingKeyException(String label) {
      super("no key labelled " + label + " in the token");
    }
  }

  /** For operations whose crypto failures are the caller's business (tags that do not verify). */
  private <T> T callCrypto(String op, Op<T> work) throws GeneralSecurityException {
    try {
      return call(op, work);
    } catch (CryptoFailure f) {
      throw f.cause;
    }
  }

  private static final class CryptoFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient GeneralSecurityException cause;

    CryptoFailure(GeneralSecurityException cause) {
      super(null, null, false, false);
      this.cause = cause;
    }
  }

  private <T> T call(String op, Op<T> work) {
    Blocking.check(); // every use of the token may wait for a session or for the HSM
    // The session first, then the connection: the library is only re-initialised by a thread that
    // holds every session, so no call can be inside the library, or about to use handles of the
    // old connection, while it is.
    Kept k = kept.get();
    if (k == null || !k.permit) {
      acquire(op);
      if (k != null) {
        k.permit = true; // given back when the scope closes
      }
    }
    active.incrementAndGet();
    long start = System.nanoTime();
    Connection c = null;
    try {
      c = connection();
      T result = work.run(c);
      metrics.record(op, "ok", System.nanoTime() - start);
      return result;
    } catch (KmsException e) {
      metrics.record(op, c == null ? "unavailable" : "rejected", System.nanoTime() - start);
      throw e;
    } catch (MissingKeyException e) {
      metrics.record(op, "rejected", System.nanoTime() - start);
      throw KmsException.unavailable(
          "the HSM key for this version is missing from the token", null);
    } catch (Exception e) {
      if (isDataFailure(c, e)) {
        metrics.record(op, "rejected", System.nanoTime() - start);
        throw new CryptoFailure(
            e instanceof GeneralSecurityException g
                ? g
                : new GeneralSecurityException(Pkcs11Exception.reason(e), e));
      }
      metrics.record(op, "unavailable", System.nanoTime() - start);
      String code = Pkcs11Exception.returnCode(e);
      markBroken(c, code != null ? code : "PKCS#11 failure", Pkcs11Exception.reason(e));
      throw unavailable();
    } finally {
      active.decrementAndGet();
      if (k == null) {
        sessions.release();
      }
    }
  }

  private void acquire(String op) {
    boolean got;
    try {
      // tryAcquire(0, unit), unlike tryAcquire(), keeps the fairness of the queue
      got = sessions.tryAcquire(0, TimeUnit.NANOSECONDS);
      if (!got) {
        metrics.waits.increment();
        got = sessions.tryAcquire(cfg.sessionWait().toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KmsException.unavailable("interrupted while waiting for an HSM session", null);
    }
    if (!got) {
      metrics.record(op, "busy", 0);
      throw new KmsException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "every HSM session is busy (" + cfg.sessions() + "); retry later");
    }
  }

  /**
   * Whether {@code e} says the data was bad (a tag that does not verify, a ciphertext of the wrong
   * length) rather than the token failing. Some tokens report a tag mismatch as {@code
   * CKR_GENERAL_ERROR}, which also means a failing token: then the token is asked, with the probe
   * key on the same connection, whether it still works.
   */
  private boolean isDataFailure(Connection c, Exception e) {
    String code = Pkcs11Exception.returnCode(e);
    if (code != null && DATA_FAILURES.contains(code)) {
      return true;
    }
    if (e instanceof AEADBadTagException && c != null) {
      return code == null || ("CKR_GENERAL_ERROR".equals(code) && probe(c));
    }
    return false;
  }

  private KmsException unavailable() {
    return KmsException.unavailable("the HSM is unavailable (" + downReason + ")", null);
  }

  private void markBroken(Connection c, String reason, String detail) {
    // Never wait for the lock: its holder may be waiting for this thread's session permit in
    // order to re-initialise the library, and while anyone holds it the connection is not c.
    if (!reconnectLock.tryLock()) {
      return;
    }
    try {
      if (c != null && connection == c) {
        connection = null;
        broken = c;
        downReason = reason;
        healthyUntil = System.nanoTime();
        nextReconnect = System.nanoTime();
        reconnectBackoff = RECONNECT_INTERVAL_NANOS;
        LOG.log(System.Logger.Level.WARNING, "{0} is down: {1}", description, detail);
      }
    } finally {
      reconnectLock.unlock();
    }
  }

  /**
   * The current connection; when there is none, one attempt to reconnect (at most one thread at a
   * time, at most once per backoff interval; the others answer UNAVAILABLE at once).
   */
  private Connection connection() {
    Connection c = connection;
    if (c != null) {
      return c;
    }
    if (closed) {
      throw KmsException.unavailable("the HSM connection is closed", null);
    }
    if (pinRejected) {
      throw KmsException.unavailable(
          "the HSM is unavailable (the token refused the PIN; fix the PIN and restart)", null);
    }
    if (System.nanoTime() - nextReconnect < 0 || !reconnectLock.tryLock()) {
      throw unavailable();
    }
    try {
      c = connection;
      if (c != null) {
        return c;
      }
      if (closed) {
        throw KmsException.unavailable("the HSM connection is closed", null);
      }
      long now = System.nanoTime();
      if (now - nextReconnect < 0) {
        throw unavailable();
      }
      nextReconnect = now + reconnectBackoff; // 1 s after the first attempt, then 2, 4 … 30 s
      reconnectBackoff = Math.min(reconnectBackoff * 2, MAX_RECONNECT_INTERVAL_NANOS);
      return reconnect();
    } finally {
      reconnectLock.unlock();
    }
  }

  /** Called with {@link #reconnectLock} held and one session permit taken. */
  private Connection reconnect() {
    // A token that went away briefly is often usable again through the same provider (a network
    // HSM client reconnects): try that first, then a new provider, then re-initialise the library.
    Connection old = broken;
    if (old != null && probe(old)) {
      return restored(old);
    }
    try {
      try {
        return restored(connect(cfg, ++generation, graveyard));
      } catch (Pkcs11Exception first) {
        if (isPinRejection(first)) {
          throw first;
        }
        // Re-initialising (C_Finalize, C_Initialize) must not run while any other call is inside
        // the library: it needs every other session permit; without them, wait for the next round.
        int others = cfg.sessions() - 1;
        if (!sessions.tryAcquire(others, REINIT_WAIT_NANOS, TimeUnit.NANOSECONDS)) {
          throw first;
        }
        try {
          broken = null; // its handles mean nothing to the re-initialised library
          Wrapper.reinitialize(cfg.library());
          metrics.reinitialisations.increment();
          return restored(connect(cfg, ++generation, graveyard));
        } finally {
          sessions.release(others);
        }
      }
    } catch (Pkcs11Exception e) {
      if (isPinRejection(e)) {
        pinRejected = true;
        downReason = "the token refused the PIN";
        LOG.log(
            System.Logger.Level.ERROR,
            "{0}: {1}; no more login attempts until the server is restarted with the right PIN",
            description,
            e.getMessage());
      } else {
        String code = Pkcs11Exception.returnCode(e);
        downReason = code != null ? code : "not connected";
        LOG.log(
            System.Logger.Level.WARNING, "{0}: reconnect failed: {1}", description, e.getMessage());
      }
      throw unavailable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable();
    }
  }

  private Connection restored(Connection c) {
    connection = c;
    broken = null;
    reconnectBackoff = RECONNECT_INTERVAL_NANOS;
    metrics.reconnects.increment();
    LOG.log(System.Logger.Level.WARNING, "{0} is back", description);
    return c;
  }

  private static boolean isPinRejection(Pkcs11Exception e) {
    String code = Pkcs11Exception.returnCode(e);
    return "CKR_PIN_INCORRECT".equals(code)
        || "CKR_PIN_LOCKED".equals(code)
        || "CKR_PIN_EXPIRED".equals(code)
        || "CKR_PIN_INVALID".equals(code);
  }

  /** Whether {@code c} serves again: one encryption with the probe key, outside the pool. */
  private boolean probe(Connection c) {
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding", c.provider());
      byte[] iv = new byte[IV_BYTES];
      Drbg.current().nextBytes(iv);
      SecretKey k = find(c, cfg.probeLabel());
      if (k == null) {
        return false;
      }
      gcm.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(TAG_BITS, iv));
      gcm.doFinal(new byte[16]);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static final class Metrics {
    private final MeterRegistry registry;

    /** By operation, then outcome: no key is built per call. */
    private final Map<String, Map<String, Timer>> timers = new ConcurrentHashMap<>();

    final Counter waits;
    final Counter reconnects;
    final Counter reinitialisations;

    Metrics(MeterRegistry registry, Pkcs11Token token) {
      this.registry = registry;
      this.waits =
          Counter.builder("strongroom.hsm.sessions.waits")
              .description("HSM calls that found every session busy and queued")
              .register(registry);
      this.reconnects =
          Counter.builder("strongroom.hsm.reconnects")
              .description("Connections re-established after the token failed")
              .register(registry);
      this.reinitialisations =
          Counter.builder("strongroom.hsm.reinitialisations")
              .description("Times the PKCS#11 library was re-initialised to find the token again")
              .register(registry);
      Gauge.builder("strongroom.hsm.sessions.active", token.active, AtomicInteger::get)
          .description("HSM operations in flight")
          .register(registry);
      Gauge.builder("strongroom.hsm.sessions.limit", token.cfg, c -> c.sessions())
          .description("Most HSM operations in flight at once")
          .register(registry);
      Gauge.builder("strongroom.hsm.up", token, t -> t.isUp() ? 1 : 0)
          .description("1 while the HSM connection is up")
          .register(registry);
    }

    void record(String op, String outcome, long nanos) {
      timers
          .computeIfAbsent(op, k -> new ConcurrentHashMap<>())
          .computeIfAbsent(
              outcome,
              k ->
                  Timer.builder("strongroom.hsm.calls")
                      .description("PKCS#11 calls by operation and outcome")
                      .tag("op", op)
                      .tag("outcome", outcome)
                      .register(registry))
          .record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}

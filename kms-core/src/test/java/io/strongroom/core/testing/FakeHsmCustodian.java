package io.strongroom.core.testing;

import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.crypto.XAesGcm;
import io.strongroom.core.custody.KeyCustodian;
import io.strongroom.core.custody.VersionRef;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * FAKE HSM custodian for tests: material lives in this object's memory under a random handle, as a
 * token object would live in an HSM, and the stored form is only the handle. It records which
 * objects exist, so tests can check that no object is ever orphaned (created but neither stored nor
 * destroyed).
 */
public final class FakeHsmCustodian implements KeyCustodian {
  @SuppressWarnings("ArrayRecordComponent")
  private record TokenObject(VersionRef ref, byte[] key) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<ByteBuffer, TokenObject> objects = new ConcurrentHashMap<>();
  private volatile boolean down;
  private final ThreadLocal<Boolean> inScope = ThreadLocal.withInitial(() -> false);
  private final AtomicInteger scopesOpened = new AtomicInteger();
  private final AtomicInteger scopesOpen = new AtomicInteger();
  private final AtomicInteger callsInScope = new AtomicInteger();

  /** While down, deleting an object fails with UNAVAILABLE, as an unreachable token's would. */
  public void down(boolean down) {
    this.down = down;
  }

  @Override
  public ProtectionLevel protection() {
    return ProtectionLevel.HSM;
  }

  @Override
  public byte[] createVersion(VersionRef ref) {
    byte[] handle = new byte[16];
    random.nextBytes(handle);
    byte[] key = new byte[XAesGcm.KEY_BYTES];
    random.nextBytes(key);
    objects.put(ByteBuffer.wrap(handle.clone()), new TokenObject(ref, key));
    return handle;
  }

  /** Records the scope, as a token would keep a session for it. */
  @Override
  public Scope keepResources() {
    if (inScope.get()) {
      return Scope.NONE;
    }
    inScope.set(true);
    scopesOpened.incrementAndGet();
    scopesOpen.incrementAndGet();
    return () -> {
      inScope.set(false);
      scopesOpen.decrementAndGet();
    };
  }

  /** Scopes opened so far, scopes not closed yet, and encryptions and decryptions inside one. */
  public int[] scopes() {
    return new int[] {scopesOpened.get(), scopesOpen.get(), callsInScope.get()};
  }

  @Override
  public byte[] encrypt(VersionRef ref, byte[] stored, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException {
    if (inScope.get()) {
      callsInScope.incrementAndGet();
    }
    return XAesGcm.create(object(ref, stored).key()).encrypt(plaintext, aad);
  }

  @Override
  public byte[] decrypt(VersionRef ref, byte[] stored, byte[] payload, byte[] aad)
      throws GeneralSecurityException {
    if (inScope.get()) {
      callsInScope.incrementAndGet();
    }
    return XAesGcm.create(object(ref, stored).key()).decrypt(payload, aad);
  }

  @Override
  public void destroyVersion(VersionRef ref, byte[] stored) {
    if (down) {
      throw io.strongroom.core.KmsException.unavailable("the fake token is down", null);
    }
    if (stored != null) {
      objects.remove(ByteBuffer.wrap(stored));
    }
  }

  /** The handles of every object that exists in the fake token. */
  public Set<ByteBuffer> liveHandles() {
    return new HashSet<>(objects.keySet());
  }

  private TokenObject object(VersionRef ref, byte[] stored) throws GeneralSecurityException {
    TokenObject o = stored == null ? null : objects.get(ByteBuffer.wrap(stored));
    if (o == null || !o.ref().equals(ref)) {
      throw new GeneralSecurityException("no such token object");
    }
    return o;
  }
}

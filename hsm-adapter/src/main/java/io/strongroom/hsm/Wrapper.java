package io.strongroom.hsm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.crypto.AEADBadTagException;

/**
 * The few PKCS#11 calls that SunPKCS11's public API does not offer, made through the JDK's own
 * wrapper ({@code sun.security.pkcs11.wrapper}; the JVM needs {@code --add-opens
 * jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}, see docs/HSM.md). They are called
 * through reflection so that the build does not depend on the internal API.
 *
 * <ul>
 *   <li><b>Finding a token by label.</b> SunPKCS11 names a token only by slot id or slot list
 *       index, and slot ids are not stable (SoftHSM gives a re-initialised token a new id; network
 *       HSMs renumber partitions).
 *   <li><b>Generating a labelled token key in one call</b> ({@code C_GenerateKey} with the whole
 *       template): through JCA a key is first a session object, copied into a token object by the
 *       key store. Such session objects are destroyed by SunPKCS11's cleaner, by handle number,
 *       when they are garbage collected, and after the library was re-initialised that number may
 *       name another object; Strongroom therefore never creates session objects.
 *   <li><b>Re-initialising the library</b> ({@code C_Finalize}, {@code C_Initialize}) when it no
 *       longer sees a token that has come back (SoftHSM drops a token whose files vanished until it
 *       is re-initialised). This affects every SunPKCS11 provider on the same library in the JVM.
 * </ul>
 *
 * The JDK keeps one wrapper per library path, shared with every SunPKCS11 provider on it; it is
 * always obtained here with the arguments SunPKCS11 itself uses ({@code CKF_OS_LOCKING_OK}).
 */
final class Wrapper {
  private static final String PKG = "sun.security.pkcs11.wrapper.";
  private static final long CKF_OS_LOCKING_OK = 0x2L;
  private static final long CKF_TOKEN_INITIALIZED = 0x400L;
  private static final long CKF_RW_SESSION = 0x2L;
  private static final long CKF_SERIAL_SESSION = 0x4L;
  private static final long CKO_SECRET_KEY = 0x4L;
  private static final long CKK_AES = 0x1FL;
  private static final long CKM_AES_KEY_GEN = 0x1080L;
  private static final long CKA_CLASS = 0x0L;
  private static final long CKA_TOKEN = 0x1L;
  private static final long CKA_PRIVATE = 0x2L;
  private static final long CKA_LABEL = 0x3L;
  private static final long CKA_KEY_TYPE = 0x100L;
  private static final long CKA_SENSITIVE = 0x103L;
  private static final long CKA_ENCRYPT = 0x104L;
  private static final long CKA_DECRYPT = 0x105L;
  private static final long CKA_WRAP = 0x106L;
  private static final long CKA_UNWRAP = 0x107L;
  private static final long CKA_SIGN = 0x108L;
  private static final long CKA_VERIFY = 0x10AL;
  private static final long CKA_DERIVE = 0x10CL;
  private static final long CKA_VALUE_LEN = 0x161L;
  private static final long CKA_EXTRACTABLE = 0x162L;

  private Wrapper() {}

  /** One token present in a slot. */
  record Token(long slot, String label, String manufacturer, String model) {}

  /** The initialised tokens in the library's slots. */
  static List<Token> list(Path library) throws Pkcs11Exception {
    return call(
        library,
        "list the tokens of",
        p11 -> {
          long[] slots =
              (long[]) invoke(p11, "C_GetSlotList", new Class<?>[] {boolean.class}, true);
          List<Token> tokens = new ArrayList<>();
          for (long slot : slots) {
            Object info = invoke(p11, "C_GetTokenInfo", new Class<?>[] {long.class}, slot);
            Class<?> t = info.getClass();
            if ((t.getField("flags").getLong(info) & CKF_TOKEN_INITIALIZED) != 0) {
              tokens.add(
                  new Token(
                      slot,
                      text(t.getField("label").get(info)),
                      text(t.getField("manufacturerID").get(info)),
                      text(t.getField("model").get(info))));
            }
          }
          return tokens;
        });
  }

  /** The slot of the token labelled {@code label}; exactly one such token must exist. */
  static Token find(Path library, String label) throws Pkcs11Exception {
    List<Token> tokens = list(library);
    List<Token> matches = tokens.stream().filter(t -> t.label().equals(label)).toList();
    if (matches.size() == 1) {
      return matches.get(0);
    }
    List<String> seen =
        tokens.stream().map(t -> "'" + t.label() + "' (slot " + t.slot() + ")").toList();
    throw new Pkcs11Exception(
        (matches.isEmpty() ? "no PKCS#11 token labelled '" : "more than one token labelled '")
            + label
            + "' in "
            + library
            + "; tokens present: "
            + (seen.isEmpty() ? "none" : String.join(", ", seen)),
        null);
  }

  /**
   * Generates an AES-256 token object labelled {@code label} in a session of its own on {@code
   * slot} (the application must be logged in): private, sensitive, never extractable, usable to
   * encrypt and decrypt only (no wrap, unwrap, sign, verify or derive).
   */
  static void generateAesKey(Path library, long slot, String label) throws Pkcs11Exception {
    call(
        library,
        "generate a key in",
        p11 -> {
          Class<?> attr = Class.forName(PKG + "CK_ATTRIBUTE");
          Object template = java.lang.reflect.Array.newInstance(attr, 15);
          Object[][] values = {
            {CKA_CLASS, CKO_SECRET_KEY},
            {CKA_KEY_TYPE, CKK_AES},
            {CKA_VALUE_LEN, 32L},
            {CKA_TOKEN, true},
            {CKA_PRIVATE, true},
            {CKA_LABEL, label.toCharArray()},
            {CKA_SENSITIVE, true},
            {CKA_EXTRACTABLE, false},
            {CKA_ENCRYPT, true},
            {CKA_DECRYPT, true},
            {CKA_WRAP, false},
            {CKA_UNWRAP, false},
            {CKA_SIGN, false},
            {CKA_VERIFY, false},
            {CKA_DERIVE, false}
          };
          for (int i = 0; i < values.length; i++) {
            Object v = values[i][1];
            Object a =
                v instanceof Boolean b
                    ? attr.getConstructor(long.class, boolean.class).newInstance(values[i][0], b)
                    : v instanceof Long l
                        ? attr.getConstructor(long.class, long.class).newInstance(values[i][0], l)
                        : attr.getConstructor(long.class, Object.class)
                            .newInstance(values[i][0], v);
            java.lang.reflect.Array.set(template, i, a);
          }
          Object mechanism =
              Class.forName(PKG + "CK_MECHANISM")
                  .getConstructor(long.class)
                  .newInstance(CKM_AES_KEY_GEN);
          long session =
              (long)
                  invoke(
                      p11,
                      "C_OpenSession",
                      new Class<?>[] {
                        long.class, long.class, Object.class, Class.forName(PKG + "CK_NOTIFY")
                      },
                      slot,
                      CKF_SERIAL_SESSION | CKF_RW_SESSION,
                      null,
                      null);
          try {
            invoke(
                p11,
                "C_GenerateKey",
                new Class<?>[] {long.class, mechanism.getClass(), template.getClass()},
                session,
                mechanism,
                template);
          } finally {
            invoke(p11, "C_CloseSession", new Class<?>[] {long.class}, session);
          }
          return null;
        });
  }

  /**
   * {@code C_Finalize} then {@code C_Initialize}: the library forgets every session, handle and
   * login (of every provider on it in this JVM) and reads its tokens again.
   */
  static void reinitialize(Path library) throws Pkcs11Exception {
    call(
        library,
        "re-initialise",
        p11 -> {
          try {
            invoke(p11, "C_Finalize", new Class<?>[] {Object.class}, (Object) null);
          } catch (InvocationTargetException e) {
            // already finalised, or the library is in a bad state: initialise anyway
          }
          Method init =
              Class.forName(PKG + "PKCS11").getDeclaredMethod("C_Initialize", Object.class);
          init.setAccessible(true);
          init.invoke(p11, initArgs());
          return null;
        });
  }

  /**
   * AES-256-GCM inside the token by the raw calls: one {@code C_EncryptInit} whose mechanism
   * parameters carry the IV and the AAD, then one {@code C_Encrypt} (decryption likewise). Through
   * JCA the same operation takes twice that: {@code Cipher.init} starts the operation without the
   * AAD, and {@code updateAAD} makes SunPKCS11 cancel it (on a PKCS#11 2.40 token such as SoftHSM2,
   * which has no {@code C_SessionCancel}, by a dummy {@code C_Encrypt}) and start it again; on a
   * network HSM each of those calls is a round trip.
   *
   * <p>The sessions are opened here, on the token's slot, when none is idle; the caller bounds how
   * many are in use at once. They share the login of the application (made through SunPKCS11's key
   * store). A session is closed after any failure other than a tag that does not verify. Sessions
   * are never closed otherwise: after the library is re-initialised their handle numbers may name
   * another provider's sessions, so a new {@code Gcm} replaces this one and this one is dropped.
   */
  static final class Gcm {
    static final int TAG_BYTES = 16;
    private static final long CKM_AES_GCM = 0x1087L;
    private static final Set<String> BAD_TAG =
        Set.of("CKR_ENCRYPTED_DATA_INVALID", "CKR_ENCRYPTED_DATA_LEN_RANGE", "CKR_GENERAL_ERROR");

    private final Object p11;
    private final long slot;
    private final Deque<Long> idle = new ConcurrentLinkedDeque<>();

    private Gcm(Object p11, long slot) {
      this.p11 = p11;
      this.slot = slot;
    }

    /** For the token in {@code slot} of {@code library}, which must be initialised already. */
    static Gcm open(Path library, long slot) throws Pkcs11Exception {
      return call(
          library,
          "use",
          p11 -> {
            if (Raw.FAILURE != null) {
              throw Raw.FAILURE;
            }
            return new Gcm(p11, slot);
          });
    }

    /** The handles of the secret-key token objects labelled {@code label}: none, one or two. */
    long[] find(String label) throws Exception {
      Object template =
          invoking(
              () -> {
                Object t = java.lang.reflect.Array.newInstance(Raw.attribute, 3);
                java.lang.reflect.Array.set(
                    t, 0, Raw.longAttribute.invoke(CKA_CLASS, CKO_SECRET_KEY));
                java.lang.reflect.Array.set(t, 1, Raw.booleanAttribute.invoke(CKA_TOKEN, true));
                java.lang.reflect.Array.set(
                    t, 2, Raw.objectAttribute.invoke(CKA_LABEL, (Object) label.toCharArray()));
                return t;
              });
      return inSession(
          s -> {
            Raw.findInit.invoke(p11, s, template);
            try {
              return (long[]) Raw.find.invoke(p11, s, 2L);
            } finally {
              Raw.findFinal.invoke(p11, s);
            }
          });
    }

    /** {@code AES-256-GCM(key, iv, plaintext, aad)}: the ciphertext and its 16-byte tag. */
    byte[] encrypt(long key, byte[] iv, byte[] aad, byte[] plaintext) throws Exception {
      return inSession(
          s -> {
            byte[] out = new byte[plaintext.length + TAG_BYTES];
            Raw.encryptInit.invoke(p11, s, mechanism(iv, aad), key);
            int n =
                (int)
                    Raw.encrypt.invoke(
                        p11, s, 0L, plaintext, 0, plaintext.length, 0L, out, 0, out.length);
            return n == out.length ? out : Arrays.copyOf(out, n);
          });
    }

    /**
     * Opens {@code in[offset, offset + length)} (ciphertext and tag; at least the tag's length).
     *
     * @throws AEADBadTagException when the token refuses the tag (as SunPKCS11 does, for
     *     CKR_ENCRYPTED_DATA_INVALID, CKR_ENCRYPTED_DATA_LEN_RANGE and, from tokens that report a
     *     tag mismatch so, CKR_GENERAL_ERROR)
     */
    byte[] decrypt(long key, byte[] iv, byte[] aad, byte[] in, int offset, int length)
        throws Exception {
      return inSession(
          s -> {
            byte[] out = new byte[length];
            try {
              Raw.decryptInit.invoke(p11, s, mechanism(iv, aad), key);
              int n =
                  (int) Raw.decrypt.invoke(p11, s, 0L, in, offset, length, 0L, out, 0, out.length);
              return Arrays.copyOf(out, n);
            } catch (Exception e) {
              String code = Pkcs11Exception.returnCode(e);
              if (code != null && BAD_TAG.contains(code)) {
                throw (AEADBadTagException) new AEADBadTagException(code).initCause(e);
              }
              throw e;
            } finally {
              Arrays.fill(out, (byte) 0);
            }
          });
    }

    private static Object mechanism(byte[] iv, byte[] aad) throws Throwable {
      return Raw.mechanism.invoke(CKM_AES_GCM, Raw.gcmParams.invoke(TAG_BYTES * 8, iv, aad));
    }

    /** Work with a session of this token, given as its handle. */
    @FunctionalInterface
    private interface SessionWork<T> {
      T run(long session) throws Throwable;
    }

    /**
     * Runs {@code work} in an idle session (or a new one) and returns the session to the idle ones
     * afterwards, unless the work failed other than by a refused tag: then the session is closed.
     */
    private <T> T inSession(SessionWork<T> work) throws Exception {
      Long idleSession = idle.poll();
      long s =
          idleSession != null
              ? idleSession
              : invoking(
                  () -> (long) Raw.openSession.invoke(p11, slot, CKF_SERIAL_SESSION, null, null));
      boolean keep = false;
      try {
        T result = invoking(() -> work.run(s));
        keep = true;
        return result;
      } catch (AEADBadTagException e) {
        keep = true; // the operation ended; the session is fine
        throw e;
      } finally {
        release(s, keep);
      }
    }

    /** A method-handle call, whose {@code Throwable} is rethrown as is or wrapped when checked. */
    @FunctionalInterface
    private interface Invocation<T> {
      T run() throws Throwable;
    }

    private static <T> T invoking(Invocation<T> call) throws Exception {
      try {
        return call.run();
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    private void release(long session, boolean keep) {
      if (keep) {
        idle.push(session);
        return;
      }
      try {
        Raw.closeSession.invoke(p11, session);
      } catch (Throwable ignored) {
        // the session or the token is gone already
      }
    }
  }

  /**
   * Method handles on the JDK's wrapper for {@link Gcm}'s calls, looked up once; {@link #FAILURE}
   * says why not when the JVM does not open the wrapper to Strongroom.
   */
  private static final class Raw {
    static final Pkcs11Exception FAILURE;
    static final Class<?> attribute;
    static final MethodHandle longAttribute;
    static final MethodHandle booleanAttribute;
    static final MethodHandle objectAttribute;
    static final MethodHandle gcmParams;
    static final MethodHandle mechanism;
    static final MethodHandle openSession;
    static final MethodHandle closeSession;
    static final MethodHandle findInit;
    static final MethodHandle find;
    static final MethodHandle findFinal;
    static final MethodHandle encryptInit;
    static final MethodHandle encrypt;
    static final MethodHandle decryptInit;
    static final MethodHandle decrypt;

    static {
      Pkcs11Exception failure = null;
      Class<?> attr = null;
      MethodHandle[] h = new MethodHandle[14];
      try {
        MethodHandles.Lookup l = MethodHandles.lookup();
        Class<?> p11 = Class.forName(PKG + "PKCS11");
        attr = Class.forName(PKG + "CK_ATTRIBUTE");
        Class<?> mech = Class.forName(PKG + "CK_MECHANISM");
        Class<?> gcm = Class.forName(PKG + "CK_GCM_PARAMS");
        Class<?> attrs = attr.arrayType();
        h[0] = ctor(l, attr, long.class, long.class);
        h[1] = ctor(l, attr, long.class, boolean.class);
        h[2] = ctor(l, attr, long.class, Object.class);
        h[3] = ctor(l, gcm, int.class, byte[].class, byte[].class);
        h[4] = ctor(l, mech, long.class, gcm);
        h[5] =
            virtual(
                l,
                p11,
                "C_OpenSession",
                long.class,
                long.class,
                long.class,
                Object.class,
                Class.forName(PKG + "CK_NOTIFY"));
        h[6] = virtual(l, p11, "C_CloseSession", void.class, long.class);
        h[7] = virtual(l, p11, "C_FindObjectsInit", void.class, long.class, attrs);
        h[8] = virtual(l, p11, "C_FindObjects", long[].class, long.class, long.class);
        h[9] = virtual(l, p11, "C_FindObjectsFinal", void.class, long.class);
        Class<?>[] crypt = {
          long.class,
          long.class,
          byte[].class,
          int.class,
          int.class,
          long.class,
          byte[].class,
          int.class,
          int.class
        };
        h[10] = virtual(l, p11, "C_EncryptInit", void.class, long.class, mech, long.class);
        h[11] = virtual(l, p11, "C_Encrypt", int.class, crypt);
        h[12] = virtual(l, p11, "C_DecryptInit", void.class, long.class, mech, long.class);
        h[13] = virtual(l, p11, "C_Decrypt", int.class, crypt);
      } catch (ReflectiveOperationException | RuntimeException | IllegalAccessError e) {
        failure =
            new Pkcs11Exception(
                "Strongroom's PKCS#11 support needs the JVM option --add-opens"
                    + " jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED ("
                    + Pkcs11Exception.reason(e)
                    + ")",
                e);
      }
      FAILURE = failure;
      attribute = attr;
      longAttribute = h[0];
      booleanAttribute = h[1];
      objectAttribute = h[2];
      gcmParams = h[3];
      mechanism = h[4];
      openSession = h[5];
      closeSession = h[6];
      findInit = h[7];
      find = h[8];
      findFinal = h[9];
      encryptInit = h[10];
      encrypt = h[11];
      decryptInit = h[12];
      decrypt = h[13];
    }

    private static MethodHandle ctor(MethodHandles.Lookup l, Class<?> type, Class<?>... params)
        throws ReflectiveOperationException {
      return l.findConstructor(type, MethodType.methodType(void.class, params));
    }

    private static MethodHandle virtual(
        MethodHandles.Lookup l, Class<?> type, String name, Class<?> result, Class<?>... params)
        throws ReflectiveOperationException {
      return l.findVirtual(type, name, MethodType.methodType(result, params));
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Object p11) throws Exception;
  }

  private static <T> T call(Path library, String what, Work<T> work) throws Pkcs11Exception {
    try {
      Class<?> argsType = Class.forName(PKG + "CK_C_INITIALIZE_ARGS");
      Object p11 =
          Class.forName(PKG + "PKCS11")
              .getMethod("getInstance", String.class, String.class, argsType, boolean.class)
              .invoke(null, library.toString(), null, initArgs(), false);
      return work.run(p11);
    } catch (InvocationTargetException e) {
      throw new Pkcs11Exception(
          "cannot " + what + " " + library + ": " + Pkcs11Exception.reason(e.getCause()),
          e.getCause());
    } catch (IllegalAccessException
        | IllegalAccessError
        | java.lang.reflect.InaccessibleObjectException e) {
      throw new Pkcs11Exception(
          "Strongroom's PKCS#11 support needs the JVM option --add-opens"
              + " jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
          e);
    } catch (Exception e) {
      throw new Pkcs11Exception(
          "cannot " + what + " " + library + ": " + Pkcs11Exception.reason(e), e);
    }
  }

  private static Object initArgs() throws ReflectiveOperationException {
    Class<?> argsType = Class.forName(PKG + "CK_C_INITIALIZE_ARGS");
    Object args = argsType.getConstructor().newInstance();
    argsType.getField("flags").setLong(args, CKF_OS_LOCKING_OK);
    return args;
  }

  private static Object invoke(Object p11, String name, Class<?>[] types, Object... args)
      throws ReflectiveOperationException {
    return Class.forName(PKG + "PKCS11").getMethod(name, types).invoke(p11, args);
  }

  private static String text(Object chars) {
    return chars instanceof char[] c ? new String(c).strip() : String.valueOf(chars).strip();
  }
}

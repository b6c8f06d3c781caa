package io.strongroom.hsm;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

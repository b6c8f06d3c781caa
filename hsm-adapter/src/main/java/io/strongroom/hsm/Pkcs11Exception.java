package io.strongroom.hsm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PKCS#11 token cannot be used as configured (start-up) or failed (at run time). Its message says
 * what to fix and never holds a PIN or key material.
 */
public final class Pkcs11Exception extends Exception {
  private static final long serialVersionUID = 1L;
  private static final Pattern CKR = Pattern.compile("CKR_[A-Z_]+");

  public Pkcs11Exception(String message, Throwable cause) {
    super(message, cause);
  }

  /** The first PKCS#11 return code ({@code CKR_...}) named in the cause chain, or null. */
  static String returnCode(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        Matcher m = CKR.matcher(c.getMessage());
        if (m.find()) {
          return m.group();
        }
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** A short reason for logs and messages: the PKCS#11 return code, or the exception's type. */
  static String reason(Throwable t) {
    String code = returnCode(t);
    if (code != null) {
      return code;
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
